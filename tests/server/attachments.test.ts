import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS, SERVER_ATTACHMENT_ID } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import { safeFileName } from '../../server/http/attachments.ts';
import { ALEX, SAM, signIn, startTestServer, SyncClient, type TestServer } from './support/sync-client.ts';

/** A valid 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let t: TestServer;
let sam: string;
let alex: string;
beforeAll(async () => {
  t = await startTestServer();
  sam = await signIn(t.server.url, SAM);
  alex = await signIn(t.server.url, ALEX);
});
afterAll(() => t.close());

const upload = (token: string | null, body: Buffer, type: string, q: Record<string, string> = {}) =>
  fetch(`${t.server.url}/api/attachments?${new URLSearchParams({ conversationId: 'conv_sales_0003', name: 'photo.png', ...q })}`, {
    method: 'POST',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });

async function uploaded(token: string, body = PNG, type = 'image/png', q: Record<string, string> = {}): Promise<Attachment> {
  const res = await upload(token, body, type, q);
  expect(res.status).toBe(201);
  return (await res.json()) as Attachment;
}

async function send(token: string, messageId: string, attachments: Attachment[], conversationId = 'conv_sales_0003') {
  const c = await SyncClient.connect(t.server.url);
  await c.sync(token, { clientId: `client-${messageId}` });
  c.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId, body: 'see attached', attachments } } }] });
  const result = await c.waitFor('mutationResult', (f) => f.id === 1);
  c.close();
  return result.result;
}

describe('attachments over HTTP', () => {
  it('stores an upload under a random id in the data directory and serves it to inbox members only', async () => {
    const a = await uploaded(sam, PNG, 'image/png', { name: '../../etc/passwd.png' });
    expect(a).toMatchObject({ contentType: 'image/png', size: PNG.length, name: 'passwd.png' });
    expect(a.id).toMatch(SERVER_ATTACHMENT_ID);
    const files = readdirSync(join(t.dataDir, 'attachments'));
    // The bytes only: the facts are in the database.
    expect(files).toEqual([a.id]);
    expect(existsSync(join(t.dataDir, 'etc'))).toBe(false);

    const mine = await fetch(`${t.server.url}/api/attachments/${a.id}`, { headers: { authorization: `Bearer ${sam}` } });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await mine.arrayBuffer()).equals(PNG)).toBe(true);

    // Alex is not a member of Sales: the file does not exist for him.
    const theirs = await fetch(`${t.server.url}/api/attachments/${a.id}`, { headers: { authorization: `Bearer ${alex}` } });
    expect(theirs.status).toBe(404);
    expect((await fetch(`${t.server.url}/api/attachments/${a.id}`)).status).toBe(401);
    for (const bad of ['..%2F..%2Fswitchboard.sqlite', 'att_zz', `${a.id}.json`]) {
      expect((await fetch(`${t.server.url}/api/attachments/${bad}`, { headers: { authorization: `Bearer ${sam}` } })).status).toBe(404);
    }
  });

  it('refuses uploads without a token, to conversations of other inboxes, of other types, lying types and oversize bodies', async () => {
    expect((await upload(null, PNG, 'image/png')).status).toBe(401);
    expect((await upload(alex, PNG, 'image/png')).status).toBe(404);
    const exe = await upload(sam, Buffer.from('MZ...'), 'application/x-msdownload', { name: 'tool.exe' });
    expect(exe.status).toBe(415);
    expect(((await exe.json()) as { error: { message: string } }).error.message).toMatch(/cannot be sent/);
    expect((await upload(sam, Buffer.from('<svg/>'), 'image/svg+xml')).status).toBe(415);
    expect((await upload(sam, Buffer.from('not a png at all'), 'image/png')).status).toBe(415);
    const big = await upload(sam, Buffer.alloc(ATTACHMENT_LIMITS.maxTotalBytes + 1, 1), 'text/plain', { name: 'big.txt' });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(/at most 5\.0 MB/);
    // Nothing half-written is left: only the files of earlier uploads, under their ids.
    expect(readdirSync(join(t.dataDir, 'attachments')).filter((f) => !SERVER_ATTACHMENT_ID.test(f))).toEqual([]);
  });

  it('counts a body that does not declare its length and stops it at the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${t.server.url}/api/attachments?conversationId=conv_sales_0003&name=big.txt`);
      const req = request(url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${sam}`, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 1);
      let sent = 0;
      const pump = (): void => {
        while (sent <= ATTACHMENT_LIMITS.maxTotalBytes + chunk.length) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    // Nothing half-written is left: only the files of earlier uploads, under their ids.
    expect(readdirSync(join(t.dataDir, 'attachments')).filter((f) => !SERVER_ATTACHMENT_ID.test(f))).toEqual([]);
  });

  it('message.send carries the server facts of uploaded files and refuses foreign, unknown, too many or too large sets', async () => {
    const a = await uploaded(sam);
    // The client claims another name and size: the message carries what the server measured.
    expect(await send(sam, 'att-m1', [{ ...a, size: 1, name: 'x.png' }])).toEqual({ ok: true });
    const c = await SyncClient.connect(t.server.url);
    await c.sync(sam, { clientId: 'reader' });
    const put = await c.until(() => c.entries().find((e) => e.op === 'put' && e.entity === 'message' && e.record.id === 'att-m1'), 'message put');
    expect(put.op === 'put' && put.record).toMatchObject({ attachments: [{ id: a.id, name: 'photo.png', size: PNG.length }] });
    c.close();

    expect(await send(sam, 'att-m2', [{ id: 'att_00000000000000000000000000000000', name: 'a.png', contentType: 'image/png', size: 3 }])).toMatchObject({ ok: false, code: 'invalid' });
    // Uploaded to another conversation: not attachable here.
    const other = await uploaded(sam, PNG, 'image/png', { conversationId: 'conv_sales_0005' });
    expect(await send(sam, 'att-m3', [other])).toMatchObject({ ok: false, code: 'invalid' });
    const many = await Promise.all(Array.from({ length: 10 }, async () => await uploaded(sam)));
    expect(await send(sam, 'att-m4', many)).toEqual({ ok: true });
    const halves = await Promise.all([0, 1].map(async () => await uploaded(sam, Buffer.alloc(3 * 1024 * 1024, 65), 'text/plain', { name: 'notes.txt' })));
    const tooBig = await send(sam, 'att-m5', halves);
    expect(tooBig).toMatchObject({ ok: false, code: 'invalid' });
    expect(tooBig.ok === false && tooBig.message).toMatch(/total 6\.0 MB/);
  });

  it('makes names safe for headers', () => {
    expect(safeFileName('C:\\Users\\me\\"evil";\r\n.pdf')).toBe('evil.pdf');
    expect(safeFileName('')).toBe('attachment');
  });
});
