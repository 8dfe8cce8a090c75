import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment } from '../../../protocol/domain.ts';
import { S3BlobStore } from '../../../server/blobs/s3-blob-store.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { SAM, signIn, startTestServer, type TestServer } from '../support/sync-client.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const DAY = 24 * 60 * 60 * 1000;

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
});
let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const upload = async (server: TestServer, token: string): Promise<Attachment> => {
  const res = await fetch(`${server.server.url}/api/attachments?conversationId=conv_sales_0003&name=shelf.png`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', authorization: `Bearer ${token}` },
    body: PNG,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Attachment;
};
const download = (server: TestServer, token: string, id: string) => fetch(`${server.server.url}/api/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });

describe('the server’s blob store', () => {
  it('keeps uploads in S3 when configured: nothing in the data dir, served to members as before', async () => {
    const bucket = await s3.bucket();
    t = await startTestServer({ blobStore: { kind: 's3', ...bucket } });
    expect(t.logs.join('\n')).toContain(`attachments: bytes in the s3://${bucket.bucket}/attachments/`);
    const sam = await signIn(t.server.url, SAM);
    const a = await upload(t, sam);
    expect(existsSync(join(t.dataDir, 'attachments'))).toBe(false);
    const direct = new S3BlobStore(bucket);
    expect(await direct.exists(a.id)).toBe(true);
    await direct.close();
    const res = await download(t, sam, a.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(PNG.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(`${t.server.url}/api/attachments/${a.id}`, { method: 'HEAD', headers: { authorization: `Bearer ${sam}` } })).headers.get('content-length')).toBe(String(PNG.length));
  });

  it('removes an upload no message carried once it is a day old (the housekeeping pass at start), bytes and all', async () => {
    let now = Date.now();
    t = await startTestServer({ clock: () => now });
    const sam = await signIn(t.server.url, SAM);
    const a = await upload(t, sam);
    now += DAY - 60_000;
    await t.restart();
    expect((await download(t, sam, a.id)).status).toBe(200);
    now += 2 * 60_000;
    await t.restart();
    expect((await download(t, sam, a.id)).status).toBe(404);
    expect(readdirSync(join(t.dataDir, 'attachments'))).toEqual([]);
    expect(t.logs.join('\n')).toContain('attachments: removed 1 upload(s) no message carried');
  });
});
