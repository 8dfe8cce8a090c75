import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../../server/blobs/local-blob-store.ts';
import { BlobTooLarge } from '../../../server/storage/blob-store.ts';
import { tempDir } from '../support/fixtures.ts';
import { describeBlobStoreContract, readBody } from './blob-store-contract.ts';

const root = tempDir('switchboard-blobs-');
afterAll(() => root.remove());
let n = 0;

describeBlobStoreContract('local directory', async () => new LocalBlobStore(join(root.path, `store-${n++}`)));

describe('local blob store', () => {
  it('keeps each blob as <dir>/<id> (the layout earlier versions used) and leaves no temp file when a put fails', async () => {
    const dir = join(root.path, 'layout', 'attachments');
    const store = new LocalBlobStore(dir); // makes the directory
    await store.put('att_a', [Buffer.from('bytes')], { contentType: 'text/plain', maxBytes: 10 });
    await expect(store.put('att_b', [Buffer.alloc(11)], { contentType: 'text/plain', maxBytes: 10 })).rejects.toBeInstanceOf(BlobTooLarge);
    await expect(
      store.put(
        'att_c',
        (async function* () {
          yield Buffer.from('half');
          throw new Error('broke off');
        })(),
        { contentType: 'text/plain', maxBytes: 10 },
      ),
    ).rejects.toThrow('broke off');
    expect(readdirSync(dir)).toEqual(['att_a']);
    expect(readFileSync(join(dir, 'att_a'), 'utf8')).toBe('bytes');
    expect(store.display).toBe(`directory ${dir}`);
  });

  // Temp-then-rename: a reader never sees a half-written file. (Not in the shared suite: S3 promises the same per
  // object, but s3rver, the local test server, rewrites its files in place.)
  it('serves a blob while another put of the same id replaces it: a reader gets one version whole', async () => {
    const store = new LocalBlobStore(join(root.path, 'swap'));
    const a = Buffer.alloc(200_000, 'a');
    const b = Buffer.alloc(150_000, 'b');
    await store.put('att_swap', [a], { contentType: 'text/plain', maxBytes: 1_000_000 });
    const [blob] = await Promise.all([store.get('att_swap'), store.put('att_swap', [b], { contentType: 'text/plain', maxBytes: 1_000_000 })]);
    const got = await readBody(blob!.body);
    expect(got.length).toBe(blob!.size);
    expect(got.equals(a) || got.equals(b)).toBe(true);
    expect((await readBody((await store.get('att_swap'))!.body)).equals(b)).toBe(true);
  });
});
