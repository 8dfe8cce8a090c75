import { wholeHistory } from './fixtures/history-reads.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import type { ContactDetail, ConversationDetail, ConversationListPage, HistorySettingsView, ListCounts, MessagesPage, SearchResults } from '../../protocol/ipc.ts';
import { startServerForTest, databaseFor } from './support/test-server.ts';
import { json, serverQuery } from './support/server-sql.ts';
import { openClientCache } from './fixtures/client-cache.ts';
import { inProcessClient, MAYA, SAM, tempDir, waitFor, type CoreClient } from './fixtures/client-harness.ts';
import { seedOldConversation } from './fixtures/history-seed.ts';

/**
 * Issue 13 against a real server on loopback: a windowed first sync leaves old history on the server, and the
 * client core fetches it when it is needed, without disturbing the outbox or the scope rules.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DAY = 86_400_000;

async function demoServer(demoSize?: number): Promise<{ srv: RunningServer; dir: string }> {
  const serverDir = tempDir('sb-hist-server-');
  cleanups.push(serverDir.cleanup);
  const srv = await startServerForTest({
    dataDir: serverDir.dir,
    port: 0,
    demo: true,
    ...(demoSize ? { demoSize } : {}),
    log: () => {},
    delivery: { sentAfterMs: 10, deliveredAfterMs: 20 },
  });
  cleanups.push(() => srv.close());
  return { srv, dir: serverDir.dir };
}

async function signedIn(url: string, who: typeof SAM, dataDir?: string): Promise<CoreClient & { dir: string }> {
  let dir = dataDir;
  if (!dir) {
    const made = tempDir('sb-hist-client-');
    cleanups.push(made.cleanup);
    dir = made.dir;
  }
  const client = await inProcessClient(dir);
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl: url, ...who });
  await waitFor('the first sync to end', async () => (await client.call('app.state', {})).syncProgress === null && (await client.call('app.state', {})).connection.status === 'online', 60_000);
  return Object.assign(client, { dir });
}

/** The server's stored messages with this body (read behind its back, on either engine). */
async function serverMessagesWithBody(serverDir: string, body: string, since: number): Promise<number> {
  const rows = await serverQuery<{ data: unknown }>(await databaseFor(serverDir), 'SELECT data FROM messages WHERE created_at >= ?', since);
  return rows.map((r) => json<{ body: string }>(r.data)).filter((m) => m.body === body).length;
}

describe('history on demand', () => {
  it('finds a word only the uncached history holds (from the server), opens that conversation, pages all of it, and a reply goes out exactly once', async () => {
    const { srv, dir: serverDir } = await demoServer();
    const old = await seedOldConversation(serverDir, { id: 'conv_old_thread', messages: 130, ageDays: 400, word: 'zebracorn', wordAt: 2 });
    const sam = await signedIn(srv.url, SAM);

    // Not in the window: closed 400 days ago.
    expect(await sam.call('conversation.get', { id: old.id })).toBeNull();
    const found: SearchResults = await sam.call('search.query', { text: 'zebracorn', limit: 20 });
    expect(found.server).toBe('included');
    expect(found.messages.map((m) => [m.messageId, m.fromServer])).toEqual([[old.messageIds[2], true]]);

    // Found on the server, it opens like any conversation; the reply and the history fetch run together.
    expect((await sam.call('conversation.get', { id: old.id }))?.conversation.id).toBe(old.id);
    const body = 'Picking this up again after a year';
    const sentFrom = Date.now() - 60_000;
    const [history] = await Promise.all([wholeHistory(sam, old.id), sam.call('actions.sendMessage', { conversationId: old.id, body })]);
    expect(history.filter((m) => old.messageIds.includes(m.id)).map((m) => m.id)).toEqual(old.messageIds);

    await waitFor('the reply to be sent', async () => {
      const page: MessagesPage = await sam.call('messages.list', { conversationId: old.id, before: null, limit: 5 });
      const mine = page.items.find((m) => m.body === body);
      return mine && mine.outbox === null && mine.displayStatus !== 'pending';
    });
    expect(await serverMessagesWithBody(serverDir, body, sentFrom)).toBe(1);
    // Read again from the server's side after a reconnect would re-send anything still pending: nothing is.
    expect((await sam.call('app.state', {})).connection.pendingCount).toBe(0);
    const again = await wholeHistory(sam, old.id);
    expect(again.filter((m) => m.body === body)).toHaveLength(1);
    expect(again.length).toBe(old.messageIds.length + 1);
  });

  it('a scope lost while its history is loading leaves nothing of that scope behind', async () => {
    const { srv, dir: serverDir } = await demoServer(600);
    const old = await seedOldConversation(serverDir, { id: 'conv_old_lost', messages: 150, ageDays: 300, word: 'quokkaplan', wordAt: 5 });
    const maya = await signedIn(srv.url, MAYA);
    const sam = await signedIn(srv.url, SAM);
    await sam.call('search.query', { text: 'quokkaplan', limit: 5 });

    // History of Sales loading on every path at once, while Maya takes Sam out of Sales.
    const loading = Promise.allSettled([
      wholeHistory(sam, old.id),
      sam.call('conversations.list', { query: { inboxId: 'inbox_sales', folder: 'closed' }, offset: 0, limit: 200 }),
      sam.call('conversations.list', { query: { inboxId: 'inbox_sales', folder: 'closed' }, offset: 200, limit: 200 }),
      sam.call('search.query', { text: 'order', limit: 50 }),
    ]);
    await maya.call('actions.setInboxMember', { inboxId: 'inbox_sales', userId: 'user_sam', member: false });
    await loading;
    await waitFor('Sales to leave Sam’s sidebar', async () => !(await sam.call('sidebar.get', {})).inboxes.some((i) => i.id === 'inbox_sales'));
    // Whatever was still in flight has answered by now; ask once more on every path (the server refuses them).
    await Promise.allSettled([wholeHistory(sam, old.id), sam.call('search.query', { text: 'quokkaplan', limit: 5 })]);
    await sam.close();
    const db = await openClientCache({ serverDir, clientDir: sam.dir, serverUrl: srv.url, userId: 'user_sam' });
    try {
      const left = (table: string): number => db.prepare(`SELECT count(*) FROM ${table} WHERE scope = 'inbox:inbox_sales'`).pluck().get() as number;
      expect({ conversations: left('conversations'), messages: left('messages') }).toEqual({ conversations: 0, messages: 0 });
      expect(db.prepare(`SELECT count(*) FROM messages WHERE conversation_id = ?`).pluck().get(old.id)).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('counts and lists with a partial cache', () => {
  it('view totals come from the server and match a full copy; scrolling past the cached rows fetches them', { timeout: 240_000 }, async () => {
    const { srv } = await demoServer(1_500);
    const windowed = await signedIn(srv.url, MAYA);
    const full = await inProcessFullClient(srv.url);
    for (const [inboxId, channelId] of [[null, null], ['inbox_sales', null], ['inbox_support', 'ch_support_wa']] as const) {
      const counts: ListCounts = await windowed.call('conversations.counts', { inboxId, channelId });
      const whole: ListCounts = await full.call('conversations.counts', { inboxId, channelId });
      expect(counts.source).toBe('server');
      expect({ ...counts, source: undefined }).toEqual({ ...whole, source: undefined });
    }
    // Kept current by changes: a colleague closes an open conversation, and the server's counts follow.
    const before: ListCounts = await windowed.call('conversations.counts', { inboxId: null, channelId: null });
    const sam = await signedIn(srv.url, SAM);
    const open: ConversationListPage = await sam.call('conversations.list', { query: { inboxId: 'inbox_sales' }, offset: 0, limit: 1 });
    await sam.call('actions.setStatus', { conversationId: open.items[0]!.id, status: 'closed' });
    await waitFor('the counts to follow the close', async () => {
      const now: ListCounts = await windowed.call('conversations.counts', { inboxId: null, channelId: null });
      return now.source === 'server' && now.open === before.open - 1 && now.closed === before.closed + 1;
    });

    const closed = { folder: 'closed' as const };
    const first: ConversationListPage = await windowed.call('conversations.list', { query: closed, offset: 0, limit: 50 });
    const wholeFirst: ConversationListPage = await full.call('conversations.list', { query: closed, offset: 0, limit: 50 });
    expect(first.totalSource).toBe('server');
    expect(first.total).toBe(wholeFirst.total);
    // Far past the window (closed within 30 days): fetched from the server page by page.
    const deep: ConversationListPage = await windowed.call('conversations.list', { query: closed, offset: 600, limit: 50 });
    const wholeDeep: ConversationListPage = await full.call('conversations.list', { query: closed, offset: 600, limit: 50 });
    expect(deep.items.map((c) => c.id)).toEqual(wholeDeep.items.map((c) => c.id));

    // The contact panel of a conversation paged in asks the server for the contact's other conversations.
    const opened = await Promise.all(deep.items.map((c) => windowed.call('conversation.get', { id: c.id }) as Promise<ConversationDetail | null>));
    const withContact = opened.find((d) => d?.contact);
    expect(withContact).toBeDefined();
    const contactId = withContact!.contact!.id;
    const whole: ContactDetail | null = await full.call('contact.get', { id: contactId });
    const panel: ContactDetail | null = await windowed.call('contact.get', { id: contactId });
    expect(panel?.history.map((h) => h.conversationId)).toContain(withContact!.conversation.id);
    expect(panel?.history.map((h) => h.conversationId).sort()).toEqual(whole?.history.map((h) => h.conversationId).sort());
  });
});

describe('background fill', () => {
  it('fills history to the budget at low priority, resumes after a restart, and stops at the budget', { timeout: 240_000 }, async () => {
    const { srv, dir: serverDir } = await demoServer(2_000);
    const clientDir = tempDir('sb-hist-fill-');
    cleanups.push(clientDir.cleanup);
    const first = await signedIn(srv.url, MAYA, clientDir.dir);
    const started: HistorySettingsView = await waitFor('the fill to begin', async () => {
      const s: HistorySettingsView = await first.call('history.settings', {});
      return s.fill.rows > 0 ? s : undefined;
    });
    expect(started.budgetDays).toBe(90);
    await first.close();
    // What a restart resumes from: the fill's position is on disk with the rows it counted.
    const stored = await openClientCache({ serverDir, clientDir: clientDir.dir, serverUrl: srv.url, userId: 'user_maya' });
    try {
      const row = stored.prepare('SELECT after, rows, done FROM history_fill').get() as { after: string | null; rows: number; done: number };
      expect(row.done).toBe(0);
      expect(JSON.parse(row.after ?? 'null')).toMatchObject({ olderThan: expect.any(Number), cursor: { part: 'messages' } });
      expect(row.rows).toBeGreaterThanOrEqual(started.fill.rows);
    } finally {
      stored.close();
    }

    const second = await signedIn(srv.url, MAYA, clientDir.dir);
    const resumed: HistorySettingsView = await second.call('history.settings', {});
    expect(resumed.fill.rows).toBeGreaterThanOrEqual(started.fill.rows);
    const done: HistorySettingsView = await waitFor('the fill to reach the budget', async () => {
      const s: HistorySettingsView = await second.call('history.settings', {});
      return s.fill.done ? s : undefined;
    }, 60_000);
    expect(done.cacheBytes).toBeGreaterThan(0);
    await second.close();

    const cutoff = Date.now() - 90 * DAY;
    const where = await databaseFor(serverDir);
    const serverRecent = await serverQuery<{ id: string }>(where, "SELECT id FROM messages WHERE created_at >= ? AND id LIKE 'msg_big_%'", cutoff + DAY);
    const db = await openClientCache({ serverDir, clientDir: clientDir.dir, serverUrl: srv.url, userId: 'user_maya' });
    try {
      const cached = new Set(db.prepare('SELECT id FROM messages').pluck().all() as string[]);
      // Everything inside the budget is on the device…
      expect(serverRecent.filter((m) => !cached.has(m.id))).toEqual([]);
      // …and nothing older came with the fill: only the window's open conversations reach further back.
      const beyond = db
        .prepare(`SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.created_at < ? AND c.status = 'closed'`)
        .pluck()
        .get(cutoff - DAY) as number;
      expect(beyond).toBe(0);
    } finally {
      db.close();
    }
  });
});

/** A client core that asks for the whole snapshot (no window), as before issue 13: the reference for counts. */
async function inProcessFullClient(url: string): Promise<CoreClient> {
  const dir = tempDir('sb-hist-full-');
  cleanups.push(dir.cleanup);
  const client = await inProcessClient(dir.dir, { syncWindow: null });
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl: url, ...MAYA });
  await waitFor('the full sync to end', async () => (await client.call('app.state', {})).syncProgress === null, 60_000);
  return client;
}
