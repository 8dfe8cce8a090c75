import { afterEach, describe, expect, it } from 'vitest';
import { createClientCore } from '../../main/core/client-core.ts';
import { createIpcRouter } from '../../main/ipc-router.ts';
import type { ConnectionState, IpcMethod, IpcOutput, MessagesPage } from '../../protocol/ipc.ts';
import type { RunningServer } from '../../server/app.ts';
import { serverExec } from './support/server-sql.ts';
import { databaseFor, startServerForTest } from './support/test-server.ts';
import { SyncClient as RawSyncClient, signIn } from '../server/support/sync-client.ts';
import { MAYA, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';

/**
 * A real server on loopback and real client cores. Bad data is written straight into the server's
 * database — as an older server let it in — and the clients must neither stall nor stop sending.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(): Promise<{ server: RunningServer; dataDir: string; logs: string[] }> {
  const dir = tempDir('sb-recovery-server-');
  cleanups.push(() => dir.cleanup());
  const logs: string[] = [];
  const s = await startServerForTest({ dataDir: dir.dir, port: 0, demo: true, log: (l) => logs.push(l), delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  cleanups.push(() => s.close());
  return { server: s, dataDir: dir.dir, logs };
}

/** Writes into the running server's database from outside, as an admin command would (server-sql.ts). */
async function writeBehindTheServer(dataDir: string, sql: string, ...args: unknown[]): Promise<void> {
  await serverExec(await databaseFor(dataDir), sql, ...args);
}

async function client(serverUrl: string, who: { email: string; password: string }) {
  const dir = tempDir('sb-recovery-client-');
  const logs: string[] = [];
  // The default windowed first sync: the resync rule holds against a partial cache too (issue 13).
  const core = await createClientCore({ dataDir: dir.dir, defaultServerUrl: serverUrl, log: (l) => logs.push(l) });
  cleanups.push(() => dir.cleanup());
  cleanups.push(() => core.close());
  const router = createIpcRouter(core.handlers);
  const connections: ConnectionState[] = [];
  core.events.on('connection', (c) => connections.push(c));
  const call = async <M extends IpcMethod>(method: M, input: unknown): Promise<IpcOutput<M>> => {
    const r = await router.call(method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.value as IpcOutput<M>;
  };
  await call('session.signIn', { serverUrl, ...who });
  await waitFor('the first sync', async () => (await call('sidebar.get', {})).inboxes.length > 0 && (await call('app.state', {})).syncProgress === null);
  return { call, logs, connections };
}

describe('a client that receives what it cannot read', () => {
  it('reports it, gets a fresh snapshot of that inbox, stays online and its outbox still delivers', async () => {
    const t = await server();
    const sam = await client(t.server.url, SAM);
    const conversationId = 'conv_sales_0001';

    // An entry whose record no client can read (an id outside the grammar), in a scope Sam holds.
    const record = {
      id: 'bad id:1',
      conversationId,
      direction: 'in',
      authorType: 'contact',
      authorId: null,
      body: 'from an older server',
      attachments: [],
      status: 'delivered',
      statusReason: null,
      providerId: null,
      createdAt: Date.now(),
    };
    await writeBehindTheServer(
      t.dataDir,
      "INSERT INTO changes (scope, entity, op, entity_id, record) VALUES ('inbox:inbox_sales', 'message', 'put', ?, ?)",
      record.id,
      JSON.stringify(record),
    );

    await waitFor('the resync the client asked for', () => t.logs.some((l) => /asked to resync inbox:inbox_sales/.test(l)));
    expect(sam.logs.some((l) => l.includes('could not read changes entries.0.record.id'))).toBe(true);
    expect(sam.connections.at(-1)).toMatchObject({ status: 'online', lastError: expect.stringMatching(/could not be read/) });

    const { messageId } = await sam.call('actions.sendMessage', { conversationId, body: 'Still reaching you' });
    const page = await waitFor('the reply delivered', async () => {
      const p: MessagesPage = await sam.call('messages.list', { conversationId });
      return p.items.some((m) => m.id === messageId && m.displayStatus === 'delivered') ? p : undefined;
    });
    expect(page.items.some((m) => m.id === record.id)).toBe(false);
    expect(sam.connections.at(-1)).toMatchObject({ status: 'online', pendingCount: 0 });
  });

  it('a chat stored with an id outside the grammar is left out: its members connect, sync and send', async () => {
    const t = await server();
    const chat = { id: 'x:0969eb', kind: 'team', name: 'Poisoned', memberIds: ['user_maya', 'user_sam'], lastMessageAt: null, createdBy: 'user_maya' };
    await writeBehindTheServer(t.dataDir, 'INSERT INTO chats (id, data) VALUES (?, ?)', chat.id, JSON.stringify(chat));
    for (const userId of chat.memberIds) await writeBehindTheServer(t.dataDir, 'INSERT INTO chat_members (chat_id, user_id) VALUES (?, ?)', chat.id, userId);
    await writeBehindTheServer(
      t.dataDir,
      "INSERT INTO changes (scope, entity, op, entity_id, record) VALUES ('chat:x:0969eb', 'chat', 'put', ?, ?)",
      chat.id,
      JSON.stringify(chat),
    );

    // The server offers no scope it cannot name, and every frame it sends passes the protocol schema.
    const raw = await RawSyncClient.connect(t.server.url);
    cleanups.push(() => raw.close());
    const welcome = await raw.sync(await signIn(t.server.url, SAM));
    expect(welcome.scopes).toContain('chat:chat_floor_leads');
    expect(welcome.scopes.some((s) => s.includes('0969eb'))).toBe(false);
    expect(raw.invalid).toEqual([]);

    for (const who of [SAM, MAYA]) {
      const member = await client(t.server.url, who);
      expect(member.connections.at(-1)?.status).toBe('online');
      // The first sync is under way once an inbox is there; the chats' snapshots may still be coming.
      await waitFor('the chat to sync', async () => (await member.call('sidebar.get', {})).chats.some((c) => c.id === 'chat_floor_leads'));
      const { messageId } = await member.call('actions.sendChatMessage', { chatId: 'chat_floor_leads', body: `hello from ${who.email}` });
      await waitFor('the chat message acknowledged', () => member.connections.at(-1)?.pendingCount === 0);
      const sidebar = await member.call('sidebar.get', {});
      expect(sidebar.chats.map((c) => c.id)).toContain('chat_floor_leads');
      expect(sidebar.chats.map((c) => c.id)).not.toContain('x:0969eb');
      expect(messageId).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });
});
