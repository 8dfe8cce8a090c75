import { wholeHistory } from './fixtures/history-reads.ts';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_PATHS, TotalsAnswer } from '../../protocol/history.ts';
import type { ConversationListPage, ListCounts } from '../../protocol/ipc.ts';
import type { RunningServer } from '../../server/app.ts';
import { openClientCache } from './fixtures/client-cache.ts';
import { inProcessClient, injectInbound, MAYA, SAM, tempDir, waitFor, type CoreClient } from './fixtures/client-harness.ts';
import { seedOldConversation } from './fixtures/history-seed.ts';
import { json, serverExec, serverQuery } from './support/server-sql.ts';
import { databaseFor, startServerForTest } from './support/test-server.ts';

/**
 * Issue 13, "correct counts and lists with a partial cache": a real server and real client cores on the default
 * windowed first sync (on SQLite, and on PostgreSQL through the integration-pg project). Every step waits for
 * the condition it asserts; "at once" means before anything is asked of the server again.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SALES = { inboxId: 'inbox_sales', channelId: null } as const;
const SYNC_WAIT_MS = 60_000;
/** How long a condition that needs the server may take on a loaded machine (a hang fails, speed is not measured). */
const SERVER_WAIT_MS = 45_000;
const TEST_TIMEOUT_MS = 180_000;

/** `maxBatch`: records per snapshot frame (small: a snapshot spans many applied batches). */
async function demoServer(maxBatch?: number): Promise<{ srv: RunningServer; dir: string; logs: string[] }> {
  const serverDir = tempDir('sb-partial-server-');
  cleanups.push(serverDir.cleanup);
  const logs: string[] = [];
  const srv = await startServerForTest({
    dataDir: serverDir.dir,
    port: 0,
    demo: true,
    log: (l) => logs.push(l),
    delivery: { sentAfterMs: 10, deliveredAfterMs: 20 },
    ...(maxBatch ? { sync: { maxBatch } } : {}),
  });
  cleanups.push(() => srv.close());
  return { srv, dir: serverDir.dir, logs };
}

async function signedIn(url: string, who: typeof SAM): Promise<Awaited<ReturnType<typeof inProcessClient>> & { dir: string }> {
  const made = tempDir('sb-partial-client-');
  cleanups.push(made.cleanup);
  const client = await inProcessClient(made.dir);
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl: url, ...who });
  await waitFor(
    'the first sync to end',
    async () => {
      const state = await client.call('app.state', {});
      return state.syncProgress === null && state.connection.status === 'online';
    },
    SYNC_WAIT_MS,
  );
  return Object.assign(client, { dir: made.dir });
}

const tokens = new Map<string, Promise<string>>();

/** What the server itself answers for a view's totals right now, as this person (one session per server and person). */
async function serverCounts(url: string, who: typeof SAM, scope: { inboxId: string | null; channelId: string | null }): Promise<ListCounts> {
  const key = `${url} ${who.email}`;
  if (!tokens.has(key)) {
    const signIn = fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
    tokens.set(key, signIn.then(async (r) => ((await r.json()) as { token: string }).token));
  }
  const token = await tokens.get(key)!;
  const res = await fetch(`${url}${HISTORY_PATHS.totals}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: { ...scope, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null } }),
  });
  return TotalsAnswer.parse(await res.json()).counts;
}

const countsOf = async (c: CoreClient): Promise<ListCounts> => c.call('conversations.counts', SALES);
type Counts = Omit<ListCounts, 'source'>;
const plain = (c: ListCounts): Counts => ({ open: c.open, closed: c.closed, me: c.me, others: c.others, unassigned: c.unassigned, withMe: c.withMe });
const same = (a: object, b: object): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Waits until the client's counts are the server's (and, where given, these fields have these values). */
async function agreesWithServer(c: CoreClient, url: string, who: typeof SAM, want: Partial<Counts> = {}): Promise<Counts> {
  return waitFor('the counts to agree with the server', async () => {
    const [mine, server] = await Promise.all([countsOf(c), serverCounts(url, who, SALES)]);
    const ok = mine.source === 'server' && same(plain(mine), plain(server)) && Object.entries(want).every(([k, v]) => server[k as keyof Counts] === v);
    return ok ? plain(server) : undefined;
  }, SERVER_WAIT_MS);
}

/** The end of Sales' closed list (newest message first), as when scrolled to the bottom: past the window, so fetched from the server. */
async function oldestClosed(c: CoreClient): Promise<ConversationListPage> {
  const query = { inboxId: 'inbox_sales', folder: 'closed' };
  const { total }: ConversationListPage = await c.call('conversations.list', { query, offset: 0, limit: 1 });
  return c.call('conversations.list', { query, offset: Math.max(0, total - 20), limit: 20 });
}

describe('a partial cache keeps the outbox and the scope rules (issue 13)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a reply to a conversation whose history is not cached goes exactly once; the server says it is unread', async () => {
    const { srv, dir: serverDir } = await demoServer();
    // Messages alternate customer / agent and end with the agent's: the row's last message alone cannot tell unread.
    const old = await seedOldConversation(serverDir, { id: 'conv_partial_reply', messages: 40, ageDays: 200 });
    const sam = await signedIn(srv.url, SAM);
    expect(await sam.call('conversation.get', { id: old.id })).toBeNull();

    const listed = await waitFor('the old conversation listed, unread', async () => {
      const item = (await oldestClosed(sam)).items.find((i) => i.id === old.id);
      return item?.unread ? item : undefined;
    }, SERVER_WAIT_MS);
    expect(listed.unread).toBe(true);

    const body = 'Replying without the history on this device';
    const sentFrom = Date.now() - 60_000;
    const { messageId } = await sam.call('actions.sendMessage', { conversationId: old.id, body });
    await waitFor('the reply confirmed', async () => (await sam.call('app.state', {})).connection.pendingCount === 0, SERVER_WAIT_MS);
    const history = await wholeHistory(sam, old.id);
    expect(history.filter((m) => m.id === messageId)).toHaveLength(1);
    expect(history.filter((m) => old.messageIds.includes(m.id)).map((m) => m.id)).toEqual(old.messageIds);
    const stored = await serverQuery<{ data: unknown }>(await databaseFor(serverDir), 'SELECT data FROM messages WHERE created_at >= ?', sentFrom);
    expect(stored.map((r) => json<{ body: string }>(r.data)).filter((m) => m.body === body)).toHaveLength(1);
  });

  it('a scope lost while its history is loading leaves nothing of it', async () => {
    const { srv, dir: serverDir } = await demoServer();
    const old = await seedOldConversation(serverDir, { id: 'conv_partial_lost', messages: 150, ageDays: 300 });
    const maya = await signedIn(srv.url, MAYA);
    const sam = await signedIn(srv.url, SAM);
    await waitFor('the old conversation listed', async () => (await oldestClosed(sam)).items.some((i) => i.id === old.id), SERVER_WAIT_MS);

    const loading = Promise.allSettled([
      wholeHistory(sam, old.id),
      sam.call('conversations.list', { query: { inboxId: 'inbox_sales', folder: 'closed', sort: 'oldestMessages' }, offset: 0, limit: 200 }),
      sam.call('search.query', { text: 'thread', limit: 50 }),
    ]);
    await maya.call('actions.setInboxMember', { inboxId: 'inbox_sales', userId: 'user_sam', member: false });
    await loading;
    await waitFor('Sales to leave Sam’s sidebar', async () => !(await sam.call('sidebar.get', {})).inboxes.some((i) => i.id === 'inbox_sales'), SERVER_WAIT_MS);
    // Anything still in flight is refused or dropped: ask once more, then look inside the cache.
    await Promise.allSettled([wholeHistory(sam, old.id)]);
    await sam.close();
    const db = await openClientCache({ serverDir, clientDir: sam.dir, serverUrl: srv.url, userId: 'user_sam' });
    try {
      const left = (table: string): number => db.prepare(`SELECT count(*) FROM ${table} WHERE scope = 'inbox:inbox_sales'`).pluck().get() as number;
      expect({ conversations: left('conversations'), messages: left('messages') }).toEqual({ conversations: 0, messages: 0 });
    } finally {
      db.close();
    }
  });
});

describe('counts and lists with a partial cache (issue 13)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('counts move at once on assign and close, and agree with the server after', async () => {
    const { srv } = await demoServer();
    const sam = await signedIn(srv.url, SAM);
    const start = await agreesWithServer(sam, srv.url, SAM);
    const list = (assignment: string): Promise<ConversationListPage> =>
      sam.call('conversations.list', { query: { inboxId: 'inbox_sales', assignment }, offset: 0, limit: 1 });
    const unassigned = (await list('unassigned')).items[0];
    const target = unassigned ?? (await list('others')).items[0]!;
    const from = unassigned ? 'unassigned' : 'others';

    await sam.call('actions.assign', { conversationId: target.id, assigneeId: 'user_sam' });
    // Asked before any server answer: the outbox's effect alone moves them.
    const assigned = plain(await countsOf(sam));
    expect(assigned).toMatchObject({ open: start.open, closed: start.closed, me: start.me + 1, [from]: start[from] - 1 });
    await agreesWithServer(sam, srv.url, SAM, { me: start.me + 1, [from]: start[from] - 1 });

    await sam.call('actions.setStatus', { conversationId: target.id, status: 'closed' });
    const closed = plain(await countsOf(sam));
    expect(closed).toMatchObject({ open: start.open - 1, closed: start.closed + 1, me: start.me, [from]: start[from] - 1 });
    await agreesWithServer(sam, srv.url, SAM, { open: start.open - 1, closed: start.closed + 1, me: start.me });
  });

  it('a resync keeps the scope’s rows visible until its new snapshot is whole', async () => {
    // Small frames, so the fresh snapshot of Sales is applied over many batches, each seen below.
    const { srv, dir: serverDir, logs } = await demoServer(5);
    const sam = await signedIn(srv.url, SAM);
    const db = await openClientCache({ serverDir, clientDir: sam.dir, serverUrl: srv.url, userId: 'user_sam' });
    cleanups.push(() => {
      db.close();
    });
    const salesRows = (d: Database.Database): number => d.prepare(`SELECT count(*) FROM conversations WHERE scope = 'inbox:inbox_sales'`).pluck().get() as number;
    const stale = (d: Database.Database): string[] => JSON.parse((d.prepare(`SELECT value FROM meta WHERE key = 'staleScopes'`).pluck().get() as string | undefined) ?? '[]') as string[];
    const before = salesRows(db);
    expect(before).toBeGreaterThan(0);
    // After every applied batch (each commits before its `changed` event), the Sales rows are counted.
    const seen: number[] = [];
    sam.core.events.on('changed', () => seen.push(salesRows(db)));

    // An entry no client can read makes the client ask for a fresh snapshot of Sales (the resync rule).
    const record = { id: 'bad id:2', conversationId: 'conv_sales_0001', direction: 'in', authorType: 'contact', authorId: null, body: 'unreadable', attachments: [], status: 'delivered', statusReason: null, providerId: null, createdAt: Date.now() };
    await serverExec(await databaseFor(serverDir), "INSERT INTO changes (scope, entity, op, entity_id, record) VALUES ('inbox:inbox_sales', 'message', 'put', ?, ?)", record.id, JSON.stringify(record));
    await waitFor('the resync asked for', () => logs.some((l) => /asked to resync inbox:inbox_sales/.test(l)), SERVER_WAIT_MS);
    await waitFor('the fresh snapshot whole', () => !stale(db).includes('inbox:inbox_sales') && seen.length > 0, SYNC_WAIT_MS);
    // Never fewer rows on the way than at the end: the old ones stayed until the new snapshot was whole.
    const after = salesRows(db);
    expect(after).toBeGreaterThan(0);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(after);
    await agreesWithServer(sam, srv.url, SAM);
  });

  it('a message into a conversation outside the window brings its row in, and the counts follow', async () => {
    const { srv, dir: serverDir } = await demoServer();
    const old = await seedOldConversation(serverDir, { id: 'conv_partial_back', messages: 6, ageDays: 120 });
    const sam = await signedIn(srv.url, SAM);
    expect(await sam.call('conversation.get', { id: old.id })).toBeNull();
    const start = await agreesWithServer(sam, srv.url, SAM);

    const { conversationId } = await injectInbound(srv.url, { channelId: 'ch_sales_sms', from: '+14155550987', body: 'Back again about the old order' });
    await waitFor('the conversation listed', async () => {
      const list: ConversationListPage = await sam.call('conversations.list', { query: { inboxId: 'inbox_sales', folder: 'open' }, offset: 0, limit: 200 });
      return list.items.some((i) => i.id === conversationId && i.unread);
    }, SERVER_WAIT_MS);
    await agreesWithServer(sam, srv.url, SAM, { open: start.open + 1 });
  });
});
