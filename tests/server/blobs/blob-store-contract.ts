import fc from 'fast-check';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_TYPES } from '../../../protocol/attachments.ts';
import { BlobTooLarge, type BlobStore } from '../../../server/storage/blob-store.ts';

export async function readBody(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readAll(store: BlobStore, id: string): Promise<{ bytes: Buffer; size: number } | null> {
  const blob = await store.get(id);
  return blob ? { bytes: await readBody(blob.body), size: blob.size } : null;
}

/** A body that yields `chunks`, then fails with `error` (a client that went away, a provider that broke off). */
async function* failingAfter(chunks: Buffer[], error: Error): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
  throw error;
}

const blobId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const contentType = fc.constantFrom(...Object.keys(ATTACHMENT_TYPES), 'application/octet-stream');
/** Bytes cut into generated chunks, so stores see bodies split at every kind of boundary. */
const chunkedBytes = fc.array(fc.uint8Array({ minLength: 0, maxLength: 4096 }), { minLength: 0, maxLength: 8 }).map((parts) => parts.map((p) => Buffer.from(p)));

/**
 * The one behaviour suite of the BlobStore port (server/storage/blob-store.ts), run against every implementation:
 * local-blob-store.test.ts, s3-blob-store.test.ts. `open` gives an empty store per test.
 */
export function describeBlobStoreContract(name: string, open: () => Promise<BlobStore>): void {
  describe(`blob store contract: ${name}`, () => {
    let store: BlobStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores, serves, tells and deletes bytes under an id; an unknown id has none', async () => {
      const bytes = Buffer.from('hello, blob');
      expect(await store.put('att_1', Readable.from([bytes.subarray(0, 4), bytes.subarray(4)]), { contentType: 'text/plain', maxBytes: 100 })).toEqual({ size: bytes.length });
      expect(await store.exists('att_1')).toBe(true);
      expect(await readAll(store, 'att_1')).toEqual({ bytes, size: bytes.length });
      expect(await readAll(store, 'att_2')).toBeNull();
      expect(await store.exists('att_2')).toBe(false);
      await store.delete('att_1');
      expect(await store.exists('att_1')).toBe(false);
      expect(await store.get('att_1')).toBeNull();
      await store.delete('att_1'); // nothing there: not an error
    });

    it('hands back exactly what it was given, for generated ids, bodies, chunkings and content types; a second put replaces', async () => {
      await fc.assert(
        fc.asyncProperty(blobId, chunkedBytes, chunkedBytes, contentType, async (id, first, second, type) => {
          const whole = (chunks: Buffer[]) => Buffer.concat(chunks);
          expect(await store.put(id, first, { contentType: type, maxBytes: 64 * 1024 })).toEqual({ size: whole(first).length });
          expect(await readAll(store, id)).toEqual({ bytes: whole(first), size: whole(first).length });
          await store.put(id, Readable.from(second), { contentType: type, maxBytes: 64 * 1024 });
          expect(await readAll(store, id)).toEqual({ bytes: whole(second), size: whole(second).length });
          await store.delete(id);
          expect(await store.exists(id)).toBe(false);
        }),
        { numRuns: 25 },
      );
    });

    it('refuses a body past maxBytes and keeps nothing of it; what was stored before under that id stays', async () => {
      await fc.assert(
        fc.asyncProperty(blobId, fc.integer({ min: 0, max: 2048 }), fc.integer({ min: 1, max: 2048 }), async (id, limit, over) => {
          await expect(store.put(id, [Buffer.alloc(limit + over, 7)], { contentType: 'text/plain', maxBytes: limit })).rejects.toBeInstanceOf(BlobTooLarge);
          expect(await store.exists(id)).toBe(false);
          expect(await store.put(id, [Buffer.alloc(limit, 1)], { contentType: 'text/plain', maxBytes: limit })).toEqual({ size: limit });
          await expect(store.put(id, [Buffer.alloc(limit + over, 2)], { contentType: 'text/plain', maxBytes: limit })).rejects.toBeInstanceOf(BlobTooLarge);
          expect(await readAll(store, id)).toEqual({ bytes: Buffer.alloc(limit, 1), size: limit });
          await store.delete(id);
        }),
        { numRuns: 10 },
      );
    });

    it('passes on the body’s own error and keeps nothing when the body fails halfway', async () => {
      const gone = new Error('the client went away');
      await expect(store.put('att_half', failingAfter([Buffer.alloc(1000, 1)], gone), { contentType: 'image/png', maxBytes: 10_000 })).rejects.toBe(gone);
      expect(await store.exists('att_half')).toBe(false);
      expect(await store.get('att_half')).toBeNull();
    });

    it('refuses ids outside the id grammar before touching anything', async () => {
      for (const bad of ['', '../switchboard.sqlite', 'a/b', 'att_1.json', 'x'.repeat(65), 'a b', 'é']) {
        await expect(store.put(bad, [Buffer.from('x')], { contentType: 'text/plain', maxBytes: 10 })).rejects.toThrow(/not a blob id/);
        await expect(store.get(bad)).rejects.toThrow(/not a blob id/);
        await expect(store.exists(bad)).rejects.toThrow(/not a blob id/);
        await expect(store.delete(bad)).rejects.toThrow(/not a blob id/);
      }
    });
  });
}
