import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobTooLarge, checkedBlobId, type BlobBody, type BlobStore } from '../storage/blob-store.ts';

const missing = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * Blobs as files in one directory (the default: `<data-dir>/attachments/`, where earlier versions kept them, so
 * an existing data dir keeps its files). `<id>` holds the bytes; a put writes `<id>.<random>.tmp` first and
 * renames it, so a reader never sees half a file and a crash leaves only a temp name no id can match (ids have
 * no `.`). The content type is not kept here: the database holds the facts.
 */
export class LocalBlobStore implements BlobStore {
  readonly display: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.display = `directory ${dir}`;
  }

  private path(id: string): string {
    return join(this.dir, checkedBlobId(id));
  }

  async put(id: string, body: BlobBody, options: { contentType: string; maxBytes: number }): Promise<{ size: number }> {
    const target = this.path(id);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > options.maxBytes ? new BlobTooLarge(options.maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return { size };
  }

  async get(id: string): Promise<{ body: Readable; size: number } | null> {
    // Opened before it is measured: a delete in between cannot leave a size without bytes.
    const handle = await open(this.path(id), 'r').catch((err: unknown) => {
      if (missing(err)) return null;
      throw err;
    });
    if (!handle) return null;
    try {
      const { size } = await handle.stat();
      return { body: handle.createReadStream(), size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  async exists(id: string): Promise<boolean> {
    return stat(this.path(id)).then(
      (s) => s.isFile(),
      (err: unknown) => {
        if (missing(err)) return false;
        throw err;
      },
    );
  }

  async close(): Promise<void> {}
}
