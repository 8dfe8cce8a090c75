import type { Readable } from 'node:stream';
import { ID_PATTERN } from '../../protocol/id.ts';

/**
 * Where attachment bytes live (issue 9 §3): the facts are in the database (StorageTx attachments), the bytes
 * behind this port under the same id. Implementations in server/blobs/: a local directory (default) and
 * S3-compatible object storage. A blob store knows nothing of people: the HTTP routes decide who may read or
 * write, and only ever hand it ids the server generated.
 */
/** A stream of bytes (a request, a provider's download) or chunks already in memory. */
export type BlobBody = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface BlobStore {
  /** Where the bytes go, for the start-up log line (no secrets). */
  readonly display: string;
  /**
   * Stores `body` under `id` (replacing what was there), whole or not at all: when the body fails, or passes
   * `maxBytes` (BlobTooLarge), nothing is kept and the body's own error is passed on. Resolves with the size.
   */
  put(id: string, body: BlobBody, options: { contentType: string; maxBytes: number }): Promise<{ size: number }>;
  /** The bytes as a stream, with their size; null when there are none under `id`. */
  get(id: string): Promise<{ body: Readable; size: number } | null>;
  /** Removes the bytes; nothing there is not an error. */
  delete(id: string): Promise<void>;
  exists(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A body passed the size a put allowed; nothing of it was kept. */
export class BlobTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the body is larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLarge';
  }
}

/**
 * Every id is checked against the one id grammar (protocol/id.ts: letters, digits, _ and -) before a path or
 * key is built from it, so no id can climb out of the directory or name another object.
 */
export function checkedBlobId(id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`not a blob id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}

/** Counts a body's bytes into a buffer, refusing it past `maxBytes` (for stores that need the length first). */
export async function collectBody(body: BlobBody, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new BlobTooLarge(maxBytes);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, size);
}
