import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortKey } from '../../protocol/conversation-views.ts';
import type { ChatMessagesPage, ContactDetail, ConversationListItem, ConversationListPage, ConversationListQuery, MessagesPage, SearchResults } from '../../protocol/ipc.ts';
import type { MessagesThroughPage } from '../../protocol/history.ts';
import type { RunningServer } from '../../server/app.ts';
import { inProcessClient, MAYA, tempDir, waitFor, type CoreClient } from './fixtures/client-harness.ts';
import { seedOldChatMessages, seedOldContact, seedOldConversation, seedOldRows, type OldConversation, type OldRow } from './fixtures/history-seed.ts';
import { startServerForTest } from './support/test-server.ts';

/**
 * Issue 13, the gaps of history on demand, against a real server on loopback (SQLite here, PostgreSQL in the
 * integration-pg project): a search hit far back in uncached history opens at the hit; a contact the device does
 * not hold is fetched; an oldest-first list pages exactly as the server lists it; a chat scrolls back page by
 * page; and offline each of these says it is not available instead of waiting.
 */
const DAY = 86_400_000;
/** Generous: the sign-ins and the seeds run on a loaded two-core machine (a limit, never a measurement). */
const SLOW = 240_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function demoServer(): Promise<{ srv: RunningServer; dir: string; close: () => Promise<void> }> {
  const made = tempDir('sb-on-demand-server-');
  cleanups.push(made.cleanup);
  const srv = await startServerForTest({ dataDir: made.dir, port: 0, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => (closed ??= srv.close());
  cleanups.push(close);
  return { srv, dir: made.dir, close };
}

/** A client core signed in as Maya; `window: false` syncs everything (the reference for what the server holds). */
async function signedIn(url: string, window = true): Promise<CoreClient> {
  const dir = tempDir('sb-on-demand-client-');
  cleanups.push(dir.cleanup);
  const client = await inProcessClient(dir.dir, window ? {} : { syncWindow: null });
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl: url, ...MAYA });
  await waitFor(
    'the first sync to end',
    async () => {
      const state = await client.call('app.state', {});
      return state.syncProgress === null && state.connection.status === 'online';
    },
    120_000,
  );
  return client;
}

/** Walks a conversation's history back to its start through messages.list, as the pane does on scrolling. */
async function wholeHistory(client: CoreClient, conversationId: string): Promise<string[]> {
  let page: MessagesPage = await client.call('messages.list', { conversationId, before: null, limit: 200 });
  const ids = page.items.map((m) => m.id);
  for (let i = 0; page.hasMore && i < 100; i++) {
    const oldest = page.items[0] ?? null;
    if (!oldest) break;
    page = await client.call('messages.list', { conversationId, before: oldest.createdAt, limit: 200 });
    ids.unshift(...page.items.map((m) => m.id).filter((id) => !ids.includes(id)));
  }
  return ids;
}

/** Every row of a list, read in pages in order from a cache that holds them all. */
async function wholeList(client: CoreClient, query: ConversationListQuery): Promise<ConversationListItem[]> {
  const rows: ConversationListItem[] = [];
  for (let offset = 0; ; offset += 200) {
    const page: ConversationListPage = await client.call('conversations.list', { query, offset, limit: 200 });
    rows.push(...page.items);
    if (offset + 200 >= page.total) return rows;
  }
}

/**
 * A list as its order sees it: each position's sort key, and which rows it holds. Rows with the same key are
 * in index order in a cache (its filter columns, then insertion) and by id on the server, so the positions are
 * compared by key and the rows as a set: a row skipped, repeated or out of place still shows.
 */
function listShape(query: ConversationListQuery, rows: readonly (ConversationListItem | undefined)[]): { keys: (number | null | undefined)[]; ids: string[] } {
  return {
    keys: rows.map((r) => (r ? sortKey(query.sort, r) : undefined)),
    ids: rows.map((r) => r?.id ?? '(missing)').sort(),
  };
}

describe('history on demand: the gaps', () => {
  let server: Awaited<ReturnType<typeof demoServer>>;
  let full: CoreClient;
  let near: OldConversation;
  let far: OldConversation;
  let contactConversations: string[];
  let chatOld: string[];

  beforeAll(async () => {
    server = await demoServer();
    // 1,600 messages 400 days back; the word is in the 101st, so 1,500 messages lie from it to the newest.
    near = await seedOldConversation(server.dir, { id: 'conv_reach_near', messages: 1_600, ageDays: 400, word: 'zebracorn', wordAt: 100 });
    // 2,250 from the hit to the newest: past HISTORY_LIMITS.messagesReach.
    far = await seedOldConversation(server.dir, { id: 'conv_reach_far', messages: 2_300, ageDays: 600, word: 'quokkaplan', wordAt: 50 });
    contactConversations = await seedOldContact(server.dir, { id: 'contact_old_only', name: 'Olive Oldfield', conversations: 3, ageDays: 300 });
    chatOld = await seedOldChatMessages(server.dir, { chatId: 'chat_floor_leads', authors: ['user_sam', 'user_alex', 'user_maya'], count: 250, ageDays: 200 });
    await seedOldRows(server.dir, generatedRows());
    full = await signedIn(server.srv.url, false);
  }, SLOW);

  it('a search hit 1,500 messages back opens at the hit: the run down to it is fetched and kept, the rest pages on', { timeout: SLOW }, async () => {
    const maya = await signedIn(server.srv.url);
    expect(await maya.call('conversation.get', { id: near.id })).toBeNull();
    const found: SearchResults = await maya.call('search.query', { text: 'zebracorn', limit: 20 });
    const hit = found.messages.find((m) => m.messageId === near.messageIds[100]);
    expect(hit?.fromServer).toBe(true);

    const page: MessagesThroughPage = await maya.call('messages.through', { conversationId: near.id, messageId: hit!.messageId });
    expect({ found: page.found, around: page.around, hasMore: page.hasMore }).toEqual({ found: true, around: false, hasMore: true });
    expect(page.items.map((m) => m.id)).toEqual(near.messageIds.slice(100));
    expect((await maya.call('conversation.get', { id: near.id }))?.conversation.id).toBe(near.id);

    // Kept as one run: scrolling back goes on below the hit to the start, with nothing skipped or twice.
    expect(await wholeHistory(maya, near.id)).toEqual(near.messageIds);
    // Asked again, it is answered from the device.
    const again: MessagesThroughPage = await maya.call('messages.through', { conversationId: near.id, messageId: hit!.messageId });
    expect(again.items.map((m) => m.id)).toEqual(near.messageIds.slice(100));
    expect(again.hasMore).toBe(true);
  });

  it('a hit further back than the reach shows the page around it, and the device keeps none of it', { timeout: SLOW }, async () => {
    const maya = await signedIn(server.srv.url);
    const found: SearchResults = await maya.call('search.query', { text: 'quokkaplan', limit: 20 });
    expect(found.messages.map((m) => m.messageId)).toContain(far.messageIds[50]);
    const page: MessagesThroughPage = await maya.call('messages.through', { conversationId: far.id, messageId: far.messageIds[50] });
    expect({ found: page.found, around: page.around }).toEqual({ found: true, around: true });
    // A hundred from the hit on, and the fifty older than it (all there are).
    expect(page.items.map((m) => m.id)).toEqual(far.messageIds.slice(0, 150));
    // The cache's run still starts at the newest message: opening the conversation shows the newest page.
    const newest: MessagesPage = await maya.call('messages.list', { conversationId: far.id, before: null, limit: 50 });
    expect(newest.items.map((m) => m.id)).toEqual(far.messageIds.slice(-50));
    expect(newest.hasMore).toBe(true);
  });

  it('the contact panel of a contact the device does not hold fetches it with its conversations', { timeout: SLOW }, async () => {
    const maya = await signedIn(server.srv.url);
    const reference: ContactDetail | null = await full.call('contact.get', { id: 'contact_old_only' });
    expect(reference?.history.map((h) => h.conversationId).sort()).toEqual([...contactConversations].sort());
    const panel: ContactDetail | null = await maya.call('contact.get', { id: 'contact_old_only' });
    expect(panel?.contact).toEqual(reference?.contact);
    expect(panel?.history.map((h) => h.conversationId)).toEqual(reference?.history.map((h) => h.conversationId));
    expect(panel?.historyNotAvailableOffline).toBeUndefined();
    // One the server does not know either is no contact at all.
    expect(await maya.call('contact.get', { id: 'contact_nobody_has' })).toBeNull();
  });

  it('an oldest-first list past the cached rows pages exactly as the server lists it', { timeout: SLOW * 2 }, async () => {
    const queries: ConversationListQuery[] = [];
    for (const inboxId of [null, 'inbox_sales'])
      for (const sort of ['oldestConversations', 'oldestMessages'] as const) queries.push(listQuery({ inboxId, folder: 'closed', sort }));
    const reference = new Map<ConversationListQuery, ConversationListItem[]>();
    for (const q of queries) reference.set(q, await wholeList(full, q));
    // The list reaches past what any window or page holds, so paging crosses the cached rows and server pages.
    expect(reference.get(queries[0]!)!.length).toBeGreaterThan(450);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...queries),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        async (query, pageSize, backwards) => {
          const maya = await signedIn(server.srv.url);
          const want = reference.get(query)!;
          const first: ConversationListPage = await maya.call('conversations.list', { query, offset: 0, limit: pageSize });
          expect(first.total).toBe(want.length);
          const offsets = Array.from({ length: Math.ceil(want.length / pageSize) }, (_, i) => i * pageSize);
          if (backwards) offsets.reverse();
          const got = new Array<ConversationListItem | undefined>(want.length);
          for (const offset of offsets) {
            const page: ConversationListPage = await maya.call('conversations.list', { query, offset, limit: pageSize });
            page.items.forEach((c, i) => (got[offset + i] = c));
          }
          expect(listShape(query, got)).toEqual(listShape(query, want));
          await maya.close();
        },
      ),
      { numRuns: 4 },
    );
  });

  it('a chat scrolls back page by page past the window to its first message', { timeout: SLOW }, async () => {
    const maya = await signedIn(server.srv.url);
    let page: ChatMessagesPage = await maya.call('chat.messages', { chatId: 'chat_floor_leads', before: null, limit: 100 });
    const ids = page.items.map((m) => m.id);
    for (let i = 0; page.hasMore && i < 50; i++) {
      page = await maya.call('chat.messages', { chatId: 'chat_floor_leads', before: page.items[0]!.createdAt, limit: 100 });
      ids.unshift(...page.items.map((m) => m.id));
    }
    expect(page.hasMore).toBe(false);
    expect(new Set(ids).size).toBe(ids.length);
    const reference: ChatMessagesPage = await full.call('chat.messages', { chatId: 'chat_floor_leads', before: null, limit: 200 });
    let whole = reference;
    const all = reference.items.map((m) => m.id);
    while (whole.hasMore) {
      whole = await full.call('chat.messages', { chatId: 'chat_floor_leads', before: whole.items[0]!.createdAt, limit: 200 });
      all.unshift(...whole.items.map((m) => m.id));
    }
    expect(ids).toEqual(all);
    expect(ids.slice(0, chatOld.length)).toEqual(chatOld);
  });
});

describe('offline, what the device does not hold says so', () => {
  it('a hit not kept, a contact not kept and older chat messages answer "not available offline" at once', { timeout: SLOW }, async () => {
    const server = await demoServer();
    const thread = await seedOldConversation(server.dir, { id: 'conv_offline_thread', messages: 300, ageDays: 300, word: 'platypode', wordAt: 5 });
    await seedOldContact(server.dir, { id: 'contact_offline_only', name: 'Otto Offline', conversations: 2, ageDays: 250 });
    await seedOldChatMessages(server.dir, { chatId: 'chat_maya_sam', authors: ['user_sam', 'user_maya'], count: 120, ageDays: 200 });
    const maya = await signedIn(server.srv.url);
    await server.close();
    await waitFor('the client to notice the server is gone', async () => (await maya.call('app.state', {})).connection.status !== 'online', 60_000);

    const page: MessagesThroughPage = await maya.call('messages.through', { conversationId: thread.id, messageId: thread.messageIds[5] });
    expect({ found: page.found, notAvailableOffline: page.notAvailableOffline }).toEqual({ found: false, notAvailableOffline: true });
    await expect(maya.call('contact.get', { id: 'contact_offline_only' })).rejects.toThrow('unavailable: Not available offline');
    const chat: ChatMessagesPage = await maya.call('chat.messages', { chatId: 'chat_maya_sam', before: null, limit: 200 });
    expect(chat.notAvailableOffline).toBe(true);
    expect(chat.items.length).toBeGreaterThan(0);
  });
});

function listQuery(q: Partial<ConversationListQuery>): ConversationListQuery {
  return { inboxId: null, channelId: null, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null, ...q };
}

/**
 * Closed conversations 40 to 700 days old in both inboxes, generated: shared creation and message times (ties
 * the keyset must order by id) and conversations with no message (the oldest-messages order's "none" key).
 */
function generatedRows(): OldRow[] {
  const now = Date.now();
  const row = fc.record({
    inboxId: fc.constantFrom('inbox_sales' as const, 'inbox_support' as const),
    createdDay: fc.integer({ min: 40, max: 700 }),
    messageAfterDays: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
  });
  const rows = fc.sample(fc.array(row, { minLength: 480, maxLength: 480 }), { numRuns: 1, seed: 13 })[0]!;
  return rows.map((r, i) => {
    const createdAt = now - r.createdDay * DAY;
    return {
      id: `conv_gen_${String(i).padStart(3, '0')}`,
      inboxId: r.inboxId,
      createdAt,
      messageAt: r.messageAfterDays === null ? null : Math.min(createdAt + r.messageAfterDays * DAY, now - 35 * DAY),
    };
  });
}
