import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { startServerForTest } from './support/test-server.ts';
import { openClientCache } from './fixtures/client-cache.ts';
import { ServerFrame } from '../../protocol/sync.ts';
import type { ConversationListPage, MessagesPage, SidebarView } from '../../protocol/ipc.ts';
import { inProcessClient, injectInbound, MAYA, SAM, tempDir, waitFor, type CoreClient } from './fixtures/client-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(dataDir: string, port = 0): Promise<RunningServer> {
  const s = await startServerForTest({ dataDir, port, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  return s;
}

async function signedIn(serverUrl: string, who: { email: string; password: string }): Promise<CoreClient & { dataDir: string }> {
  const dir = tempDir('sb-client-');
  const client = await inProcessClient(dir.dir);
  cleanups.push(() => dir.cleanup());
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl, ...who });
  await waitFor('the first sync', async () => {
    const sidebar = await client.call('sidebar.get', {});
    const page = await client.call('conversations.list', { query: {}, offset: 0, limit: 1 });
    return sidebar.inboxes.length > 0 && page.items.length > 0 && (await client.call('app.state', {})).syncProgress === null;
  });
  return { ...client, dataDir: dir.dir };
}

/** A manager's client speaking the raw protocol (the IPC contract has no member management). */
async function managerMutation(serverUrl: string, mutation: unknown): Promise<unknown> {
  const res = await fetch(`${serverUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MAYA) });
  const { token } = (await res.json()) as { token: string };
  const ws = new WebSocket(`${serverUrl.replace('http', 'ws')}/sync`);
  try {
    return await new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token, clientId: 'manager-console', cursor: null, scopes: [] })));
      ws.on('message', (data) => {
        const frame = ServerFrame.parse(JSON.parse(data.toString()));
        if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'mutate', mutations: [{ id: 1, mutation }] }));
        if (frame.type === 'mutationResult') resolve(frame.result);
      });
    });
  } finally {
    ws.close();
  }
}

describe('client core against the real server', () => {
  it('an injected inbound message reaches the cache and a changed event names its conversation', async () => {
    const dir = tempDir('sb-server-');
    cleanups.push(() => dir.cleanup());
    const srv = await server(dir.dir);
    cleanups.push(() => srv.close());
    const sam = await signedIn(srv.url, SAM);
    expect((await sam.call('app.state', {})).connection.status).toBe('online');

    const { conversationId, messageId } = await injectInbound(srv.url, { channelId: 'ch_sales_sms', from: '+14155559876', body: 'Is the store open today?' });
    const page = await waitFor('the inbound message in the cache', async () => {
      const p: MessagesPage = await sam.call('messages.list', { conversationId });
      return p.items.some((m) => m.id === messageId) ? p : undefined;
    });
    expect(page.items.at(-1)).toMatchObject({ id: messageId, direction: 'in', body: 'Is the store open today?' });
    expect(sam.events.changed?.some((c) => c.conversations.includes(conversationId))).toBe(true);
    // The message may come first through history on demand (messages.list asks the server); its row comes by sync.
    const listed = await waitFor('the conversation in the unread list', async () => {
      const unread: ConversationListPage = await sam.call('conversations.list', { query: { read: 'unread' }, offset: 0, limit: 200 });
      return unread.items.find((i) => i.id === conversationId);
    });
    expect(listed).toMatchObject({ unread: true, preview: 'Is the store open today?' });

    await sam.call('actions.markRead', { conversationId });
    const after: ConversationListPage = await sam.call('conversations.list', { query: { read: 'unread' }, offset: 0, limit: 200 });
    expect(after.items.some((i) => i.id === conversationId)).toBe(false);
  });

  it('removing a member from an inbox purges that inbox from their cache', async () => {
    const dir = tempDir('sb-server-');
    cleanups.push(() => dir.cleanup());
    const srv = await server(dir.dir);
    cleanups.push(() => srv.close());
    const sam = await signedIn(srv.url, SAM);
    const before: ConversationListPage = await sam.call('conversations.list', { query: {}, offset: 0, limit: 5 });
    const someConversation = before.items[0]?.id as string;

    expect(await managerMutation(srv.url, { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_sam', member: false } })).toEqual({ ok: true });

    await waitFor('the sidebar without Sales', async () => ((await sam.call('sidebar.get', {})) as SidebarView).inboxes.length === 0);
    // Sam keeps only his private number's conversations (SPEC (3)): nothing of Sales is listed any more.
    const rest = (await sam.call('conversations.list', { query: {}, offset: 0, limit: 50 })) as ConversationListPage;
    expect(rest.items.every((c) => c.inboxId === 'private_user_sam')).toBe(true);
    expect((await sam.call('conversations.list', { query: { inboxId: 'inbox_sales' }, offset: 0, limit: 5 })).total).toBe(0);
    expect(await sam.call('conversation.get', { id: someConversation })).toBeNull();
    expect((await sam.call('messages.list', { conversationId: someConversation })).items).toEqual([]);
    const db = await openClientCache({ serverDir: dir.dir, clientDir: sam.dataDir, serverUrl: srv.url, userId: 'user_sam' });
    try {
      for (const table of ['inboxes', 'channels', 'inbox_members', 'conversations', 'messages']) {
        expect(db.prepare(`SELECT count(*) FROM ${table} WHERE scope = 'inbox:inbox_sales'`).pluck().get(), table).toBe(0);
      }
      expect(db.prepare("SELECT count(*) FROM held_scopes WHERE scope = 'inbox:inbox_sales'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('after a server restart mid-stream the client catches up from its cursor without gap or duplicate', async () => {
    const dir = tempDir('sb-server-');
    cleanups.push(() => dir.cleanup());
    let srv = await server(dir.dir);
    const port = srv.port;
    cleanups.push(() => srv.close());
    const sam = await signedIn(srv.url, SAM);
    const from = '+14155550777';
    const injected: string[] = [];
    let conversationId = '';
    for (let i = 0; i < 5; i++) {
      const r = await injectInbound(srv.url, { channelId: 'ch_sales_sms', from, body: `before restart ${i}` });
      conversationId = r.conversationId;
      injected.push(r.messageId);
    }
    await srv.close();
    await waitFor('the client to notice', async () => (await sam.call('app.state', {})).connection.status !== 'online');
    srv = await server(dir.dir, port);
    for (let i = 0; i < 5; i++) injected.push((await injectInbound(srv.url, { channelId: 'ch_sales_sms', from, body: `after restart ${i}` })).messageId);

    const page = await waitFor('all ten messages', async () => {
      const p: MessagesPage = await sam.call('messages.list', { conversationId, limit: 200 });
      return injected.every((id) => p.items.some((m) => m.id === id)) ? p : undefined;
    }, 30_000);
    const inbound = page.items.filter((m) => m.direction === 'in').map((m) => m.id);
    expect(inbound).toEqual(injected);
    expect(new Set(page.items.map((m) => m.id)).size).toBe(page.items.length);
    expect((await sam.call('app.state', {})).connection.status).toBe('online');
  });
});
