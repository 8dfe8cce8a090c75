import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../../server/blobs/local-blob-store.ts';
import { importLegacyAttachments } from '../../../server/blobs/legacy-attachments.ts';
import { S3BlobStore } from '../../../server/blobs/s3-blob-store.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { BlobStore } from '../../../server/storage/blob-store.ts';
import { tempDir } from '../support/fixtures.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { SAM, ALEX, signIn, startTestServer, type TestServer } from '../support/sync-client.ts';
import { readBody } from './blob-store-contract.ts';

const ID = 'att_0123456789abcdef0123456789abcdef';
const BYTES = Buffer.from('%PDF-1.4 from an earlier version');
const FACTS = { id: ID, name: 'old.pdf', contentType: 'application/pdf', size: BYTES.length, conversationId: 'conv_sales_0003', uploaderId: 'user_sam', createdAt: 1_700_000_000_000 };

/** A data dir as versions before issue 9 left it: bytes + .json facts, an interrupted .part, and a broken .json. */
function legacyDataDir(dir: string): string {
  const files = join(dir, 'attachments');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, ID), BYTES);
  writeFileSync(join(files, `${ID}.json`), JSON.stringify(FACTS));
  writeFileSync(join(files, 'att_ffffffffffffffffffffffffffffffff.part'), 'half');
  writeFileSync(join(files, 'att_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.json'), '{not json');
  return files;
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
});

describe('importing the attachment facts of an earlier version', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  const stores: Array<[string, (dataDir: string) => Promise<BlobStore>]> = [
    ['the local directory (bytes stay where they are)', async (dataDir) => new LocalBlobStore(join(dataDir, 'attachments'))],
    ['S3 (bytes are copied into the bucket)', async () => new S3BlobStore(await s3.bucket())],
  ];
  for (const [name, openBlobs] of stores) {
    it(`moves each <id>.json into the database once, as a linked file, into ${name}`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const files = legacyDataDir(dir.path);
      const storage = openSqliteStorage({ file: ':memory:' });
      const blobs = await openBlobs(dir.path);
      const logs: string[] = [];
      try {
        expect(await importLegacyAttachments(storage, blobs, dir.path, 5000, (l) => logs.push(l))).toBe(1);
        expect(await storage.transaction((tx) => tx.getAttachment(ID))).toEqual({ ...FACTS, channelId: null, committed: true, messageId: null, linkedAt: 5000 });
        expect((await readBody((await blobs.get(ID))!.body)).equals(BYTES)).toBe(true);
        // The .json is gone, the leftover part too; the unreadable one is left and named.
        expect(readdirSync(files).sort()).toEqual([ID, 'att_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.json'].sort());
        expect(logs.join('\n')).toMatch(/att_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\.json was not imported \(unreadable\)/);
        // Linked: housekeeping never takes it for a pending upload.
        expect(await storage.transaction((tx) => tx.unlinkedAttachments(Number.MAX_SAFE_INTEGER, 10))).toEqual([]);
        // Once: a second start finds nothing to import.
        expect(await importLegacyAttachments(storage, blobs, dir.path, 6000)).toBe(0);
        expect(await storage.transaction((tx) => tx.getAttachment(ID))).toMatchObject({ linkedAt: 5000 });
      } finally {
        await blobs.close();
        await storage.close();
      }
    });
  }
});

describe('a server started on an earlier version’s data dir', () => {
  let t: TestServer | null = null;
  let dir: { path: string; remove(): void } | null = null;
  afterEach(async () => {
    await t?.close();
    dir?.remove();
    t = dir = null;
  });

  it('serves the old files to the same people as before, and imports them only once', async () => {
    dir = tempDir();
    legacyDataDir(dir.path);
    t = await startTestServer({ dataDir: dir.path });
    expect(t.logs.join('\n')).toMatch(/moved the facts of 1 file\(s\)/);
    const get = async (token: string) => fetch(`${t!.server.url}/api/attachments/${ID}`, { headers: { authorization: `Bearer ${token}` } });
    const sam = await get(await signIn(t.server.url, SAM));
    expect(sam.status).toBe(200);
    expect(sam.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await sam.arrayBuffer()).equals(BYTES)).toBe(true);
    expect((await get(await signIn(t.server.url, ALEX))).status).toBe(404); // not a member of Sales
    expect(existsSync(join(dir.path, 'attachments', `${ID}.json`))).toBe(false);
    await t.restart();
    expect(t.logs.filter((l) => /moved the facts/.test(l))).toHaveLength(1);
    expect((await get(await signIn(t.server.url, SAM))).status).toBe(200);
  });
});
