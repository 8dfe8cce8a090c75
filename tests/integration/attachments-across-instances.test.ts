import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment } from '../../protocol/domain.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../server/support/postgres.ts';
import { startTestS3, type TestS3 } from '../server/support/s3.ts';
import { ALEX, SAM, signIn, SyncClient } from '../server/support/sync-client.ts';

/** A valid 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/**
 * Issue 9 §4: two server instances on one PostgreSQL schema and one S3 bucket (s3rver), each with a data dir of
 * its own that holds nothing shared. What is uploaded through one is sent and served through the other, to the
 * same people only.
 */
let db: TestDatabase;
let s3: TestS3;
const servers: RunningServer[] = [];
const dirs: Array<{ remove(): void }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  const schema = uniqueSchema();
  const bucket = await s3.bucket();
  for (let i = 0; i < 2; i++) {
    const dir = tempDir();
    dirs.push(dir);
    // One after the other: the first seeds the demo workspace, the second finds it.
    servers.push(await startServer({ dataDir: dir.path, port: 0, demo: true, log: () => {}, databaseUrl: db.url, databaseSchema: schema, blobStore: { kind: 's3', ...bucket } }));
  }
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) d.remove();
  await s3?.close();
  await db?.drop();
});

describe('attachments across instances (PostgreSQL + S3)', () => {
  it('an upload through instance A is sent and served through instance B, to inbox members only', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const sam = await signIn(a.url, SAM);
    const res = await fetch(`${a.url}/api/attachments?${new URLSearchParams({ conversationId: 'conv_sales_0003', name: 'label.png' })}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', authorization: `Bearer ${sam}` },
      body: PNG,
    });
    expect(res.status).toBe(201);
    const attachment = (await res.json()) as Attachment;

    // Sent through B: B finds the upload's facts in the database and the bytes in the bucket.
    const client = await SyncClient.connect(b.url);
    await client.sync(sam, { clientId: 'sam-across' });
    client.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId: 'conv_sales_0003', messageId: 'msg_across_1', body: 'your label', attachments: [attachment] } } }] });
    expect((await client.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    client.close();

    const fromB = await fetch(`${b.url}/api/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${sam}` } });
    expect(fromB.status).toBe(200);
    expect(Buffer.from(await fromB.arrayBuffer()).equals(PNG)).toBe(true);
    // Alex is not in Sales: not through A, not through B.
    const alex = await signIn(b.url, ALEX);
    for (const s of [a, b]) expect((await fetch(`${s.url}/api/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${alex}` } })).status).toBe(404);
  });
});
