import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { startServerForTest } from './support/test-server.ts';
import { openClientCache } from './fixtures/client-cache.ts';
import { SERVER_ATTACHMENT_ID } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import type { ConversationListPage, MessagesPage } from '../../protocol/ipc.ts';
import { inProcessClient, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startDemo = (dataDir: string, port = 0): Promise<RunningServer> =>
  startServerForTest({ dataDir, port, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });

async function setup() {
  const serverDir = tempDir('sb-server-');
  const clientDir = tempDir('sb-client-');
  cleanups.push(serverDir.cleanup, clientDir.cleanup);
  const srv = await startDemo(serverDir.dir);
  const client = await inProcessClient(clientDir.dir);
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl: srv.url, ...SAM });
  const list = await waitFor('the first sync', async () => {
    const page: ConversationListPage = await client.call('conversations.list', { query: { channelId: 'ch_sales_web' }, offset: 0, limit: 1 });
    return page.items.length > 0 && (await client.call('app.state', {})).syncProgress === null ? page : undefined;
  });
  return { srv, serverDir, clientDir, client, conversationId: list.items[0]?.id as string };
}

describe('attachments from the client', () => {
  it('checks type and size before keeping or uploading anything', async () => {
    const { srv, serverDir, client, clientDir, conversationId } = await setup();
    cleanups.push(() => srv.close());
    const refuse = async (input: Record<string, unknown>, pattern: RegExp) => {
      await expect(client.call('attachments.stage', { conversationId, ...input })).rejects.toThrow(pattern);
    };
    await refuse({ name: 'tool.exe', contentType: 'application/x-msdownload', dataBase64: 'TVo=' }, /cannot be sent/);
    await refuse({ name: 'big.png', contentType: 'image/png', dataBase64: Buffer.alloc(5 * 1024 * 1024 + 1).toString('base64') }, /at most 5\.0 MB/);
    await refuse({ name: 'empty.txt', contentType: 'text/plain', dataBase64: '' }, /empty/);
    // A page cannot make main read files by path.
    await expect(client.call('attachments.stage', { conversationId, name: 'id_rsa', contentType: 'text/plain', path: '/etc/passwd' })).rejects.toThrow();
    const staged: Attachment = await client.call('attachments.stage', { conversationId, name: 'a.txt', contentType: '', dataBase64: Buffer.from('hi').toString('base64') });
    expect(staged).toMatchObject({ name: 'a.txt', contentType: 'text/plain', size: 2 });
    // More than 5 MB together, or more than 10 files, is refused before queueing.
    const four = Buffer.alloc(4 * 1024 * 1024, 65).toString('base64');
    const a: Attachment = await client.call('attachments.stage', { conversationId, name: 'x.txt', contentType: 'text/plain', dataBase64: four });
    const b: Attachment = await client.call('attachments.stage', { conversationId, name: 'y.txt', contentType: 'text/plain', dataBase64: four });
    await expect(client.call('actions.sendMessageWithAttachments', { conversationId, body: '', attachmentIds: [a.id, b.id] })).rejects.toThrow(/total 8\.0 MB/);
    const db = await openClientCache({ serverDir: serverDir.dir, clientDir: clientDir.dir, serverUrl: srv.url, userId: 'user_sam' });
    expect(db.prepare('SELECT count(*) FROM staged_attachments').pluck().get()).toBe(3);
    expect(db.prepare("SELECT count(*) FROM outbox WHERE name = 'message.send'").pluck().get()).toBe(0);
    db.close();
  });

  it('a reply with a photo taken offline is uploaded, then sent, once, in order, when the server returns', async () => {
    const { srv, serverDir, client, conversationId } = await setup();
    const { port } = srv;
    await srv.close();
    await waitFor('offline', async () => (await client.call('app.state', {})).connection.status !== 'online');

    const photo: Attachment = await client.call('attachments.stage', { conversationId, name: 'shelf.png', contentType: 'image/png', dataBase64: PNG.toString('base64') });
    expect(photo.id).toMatch(/^local-/);
    const { messageId } = await client.call('actions.sendMessageWithAttachments', { conversationId, body: 'Here it is', attachmentIds: [photo.id] });
    const after = (await client.call('actions.sendMessage', { conversationId, body: 'Anything else?' })).messageId as string;
    const queued: MessagesPage = await client.call('messages.list', { conversationId, limit: 200 });
    const pending = queued.items.find((m) => m.id === messageId);
    expect(pending).toMatchObject({ displayStatus: 'pending', attachments: [{ id: photo.id, name: 'shelf.png' }] });
    // The photo shows from the cache while offline.
    expect((await client.call('attachments.read', { id: photo.id })).dataBase64).toBe(PNG.toString('base64'));

    const again = await startDemo(serverDir.dir, port);
    cleanups.push(() => again.close());
    const sent = await waitFor('both replies acknowledged', async () => {
      const page: MessagesPage = await client.call('messages.list', { conversationId, limit: 200 });
      const mine = page.items.filter((m) => m.id === messageId || m.id === after);
      return mine.length === 2 && mine.every((m) => m.outbox === null && m.attachments.every((x) => SERVER_ATTACHMENT_ID.test(x.id))) ? mine : undefined;
    });
    expect(sent.map((m) => m.id)).toEqual([messageId, after]);
    const serverId = sent[0]?.attachments[0]?.id as string;
    expect(sent[0]?.attachments).toEqual([{ id: serverId, name: 'shelf.png', contentType: 'image/png', size: PNG.length }]);
    // Exactly one upload reached the server, and the file reads back through main.
    expect(readdirSync(join(serverDir.dir, 'attachments')).filter((f) => SERVER_ATTACHMENT_ID.test(f))).toEqual([serverId]);
    expect((await client.call('attachments.read', { id: serverId })).dataBase64).toBe(PNG.toString('base64'));
  });
});
