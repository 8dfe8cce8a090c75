import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareListPositions, conversationFacts, countInto, emptyCounts, inView, isListed, sortKey } from '../../../protocol/conversation-views.ts';
import type { EntityOf } from '../../../protocol/domain.ts';
import type { ConversationCursor, FillCursor, MessageCursor, ScopedRecord } from '../../../protocol/history.ts';
import type { ConversationListQuery } from '../../../protocol/ipc-views.ts';
import { Rejection } from '../../../server/domain/errors.ts';
import { HistoryService } from '../../../server/domain/history-service.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { listQueryArb } from '../../support/list-query-arbitrary.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { CHATS, CONTACTS, USERS, WORDS, mayRead, plant, scopesIn, worldArb, type World } from './history-world.ts';

/**
 * Issue 13: a person never gets a record outside their scopes from the history API, and gets every record of
 * theirs the request covers — generated over people × memberships × conversations × queries, on both engines.
 */

const queryArb = listQueryArb({ inboxIds: ['i0', 'i1', 'i2', 'i_missing'], channelIds: ['ch_i0', 'ch_i2'], tags: ['vip', 'late'] });

const caseArb = fc.record({ world: worldArb, user: fc.constantFrom(...USERS), query: queryArb, word: fc.constantFrom(...WORDS), olderThan: fc.integer({ min: 0, max: 1001 }) });

async function refusal(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (err instanceof Rejection) return err.code;
    throw err;
  }
}

function expectReadable(w: World, user: string, records: ScopedRecord[]): void {
  for (const r of records) expect(mayRead(w, user, r), `${user} got ${r.entity} ${r.record.id} in ${r.scope}`).toBe(true);
}

/** What the rules of protocol/conversation-views.ts say a person's list holds, in order. */
function expectedList(w: World, user: string, q: ConversationListQuery): EntityOf<'conversation'>[] {
  const inboxes = new Set(w.members[user] ?? []);
  return w.conversations
    .filter((c) => inboxes.has(c.inboxId) && isListed(c) && inView(q, factsOf(w, user, c), user))
    .sort((a, b) => compareListPositions(q.sort, { key: sortKey(q.sort, a), id: a.id }, { key: sortKey(q.sort, b), id: b.id }));
}

function factsOf(w: World, user: string, c: EntityOf<'conversation'>) {
  const inbound = w.messages.filter((m) => m.conversationId === c.id && m.direction === 'in').map((m) => m.createdAt);
  const state = w.states.find((s) => s.conversationId === c.id && s.userId === user) ?? null;
  return conversationFacts(c, state, inbound.length ? Math.max(...inbound) : null, user);
}

async function checkCase(storage: Storage, w: World, user: string, query: ConversationListQuery, word: string, olderThan: number): Promise<void> {
  const history = new HistoryService((fn) => storage.transaction(fn, { kind: 'read' }));
  const active = w.disabled !== user;
  const inboxes = new Set(active ? (w.members[user] ?? []) : []);
  const visible = (c: { inboxId: string }) => inboxes.has(c.inboxId);

  // Messages of every conversation, and of one that does not exist: the invisible ones answer like the missing one.
  for (const c of [...w.conversations, { id: 'c_missing', inboxId: 'nowhere' }]) {
    const ask = history.messages(user, { conversationId: c.id, before: null, limit: 2 });
    if (!active) {
      expect(await refusal(ask)).toBe('forbidden');
      continue;
    }
    if (!visible(c)) {
      expect(await refusal(ask)).toBe('not_found');
      const inside = w.messages.find((m) => m.conversationId === c.id)?.id ?? 'm_missing';
      expect(await refusal(history.messagesThrough(user, { conversationId: c.id, before: null, messageId: inside }))).toBe('not_found');
      continue;
    }
    const got: string[] = [];
    let before: MessageCursor | null = null;
    for (let page = 0; page < 10; page++) {
      const a = await history.messages(user, { conversationId: c.id, before, limit: 2 });
      expectReadable(w, user, a.records);
      got.push(...a.records.filter((r) => r.entity === 'message').map((r) => r.record.id));
      if (!a.next) break;
      before = a.next;
    }
    const want = w.messages.filter((m) => m.conversationId === c.id).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    expect(got).toEqual(want.map((m) => m.id));
    // Through its oldest message: the whole run at once, nothing older left; never a message of another conversation.
    const oldest = want[want.length - 1];
    if (!oldest) continue;
    const through = await history.messagesThrough(user, { conversationId: c.id, before: null, messageId: oldest.id });
    expectReadable(w, user, through.records);
    expect(through.records.filter((r) => r.entity === 'message').map((r) => r.record.id)).toEqual(want.map((m) => m.id));
    expect({ reach: through.reach, next: through.next }).toEqual({ reach: 'through', next: null });
    const elsewhere = w.messages.find((m) => m.conversationId !== c.id);
    if (elsewhere) expect(await refusal(history.messagesThrough(user, { conversationId: c.id, before: null, messageId: elsewhere.id }))).toBe('not_found');
  }
  if (!active) {
    expect(await refusal(history.totals(user, { query }))).toBe('forbidden');
    return;
  }

  for (const chat of CHATS) {
    const ask = history.chatMessages(user, { chatId: chat, before: null, limit: 200 });
    if (!(w.chatMembers[chat] ?? []).includes(user)) expect(await refusal(ask)).toBe('not_found');
    else expect((await ask).records.map((r) => r.record.id).sort()).toEqual(w.chatMessages.filter((m) => m.chatId === chat).map((m) => m.id).sort());
  }

  // A list, paged three at a time, and its totals.
  const namesUnseen = (query.channelId !== null && !inboxes.has(query.channelId.slice(3))) || (query.channelId === null && query.inboxId !== null && !inboxes.has(query.inboxId));
  if (namesUnseen) {
    expect(await refusal(history.conversations(user, { query, after: null, limit: 3 }))).toBe('not_found');
    expect(await refusal(history.totals(user, { query }))).toBe('not_found');
  } else {
    const rows: string[] = [];
    let after: ConversationCursor | null = null;
    for (let page = 0; page < 30; page++) {
      const a = await history.conversations(user, { query, after, limit: 3 });
      expectReadable(w, user, a.records);
      rows.push(...a.records.filter((r) => r.entity === 'conversation').map((r) => r.record.id));
      if (!a.next) break;
      after = a.next;
    }
    const q = query.channelId !== null ? { ...query, inboxId: null } : query;
    expect(rows).toEqual(expectedList(w, user, q).map((c) => c.id));
    const totals = await history.totals(user, { query });
    const counts = emptyCounts();
    const scope = query.channelId !== null ? { inboxId: null, channelId: query.channelId } : { inboxId: query.inboxId, channelId: null };
    for (const c of w.conversations) if (visible(c) && isListed(c)) countInto(counts, scope, factsOf(w, user, c), user);
    expect(totals).toMatchObject({ total: expectedList(w, user, q).length, counts });
  }

  // Contacts: one's own private contacts and the shared ones; another person's private contact is not there.
  for (const contact of CONTACTS) {
    const ask = history.contactConversations(user, { contactId: contact.id, limit: 200 });
    if (contact.ownerId !== null && contact.ownerId !== user) {
      expect(await refusal(ask)).toBe('not_found');
      continue;
    }
    const a = await ask;
    expectReadable(w, user, a.records);
    const want = w.conversations.filter((c) => c.contactId === contact.id && visible(c)).map((c) => c.id).sort();
    expect(a.records.filter((r) => r.entity === 'conversation').map((r) => r.record.id).sort()).toEqual(want);
  }

  // The fill, to its end.
  const filled: string[] = [];
  let cursor: FillCursor | null = null;
  for (let page = 0; page < 40; page++) {
    const a = await history.fill(user, { after: cursor, limit: 3, olderThan });
    expectReadable(w, user, a.records);
    filled.push(...a.records.filter((r) => r.entity === 'message' || r.entity === 'chatMessage').map((r) => r.record.id));
    if (!a.next) break;
    cursor = a.next;
  }
  const chats = new Set<string>(CHATS.filter((c) => (w.chatMembers[c] ?? []).includes(user)));
  const wantFill = [
    ...w.messages.filter((m) => m.createdAt < olderThan && inboxes.has(w.conversations.find((c) => c.id === m.conversationId)!.inboxId)).map((m) => m.id),
    ...w.chatMessages.filter((m) => m.createdAt < olderThan && chats.has(m.chatId)).map((m) => m.id),
  ];
  expect(filled.sort()).toEqual(wantFill.sort());

  // Search: exactly the visible messages with the word, and the contacts one may see.
  const found = await history.search(user, { text: `${word}!`, limit: 50 });
  for (const hit of found.hits) {
    const r = { scope: hit.scope, entity: hit.entity, record: hit.record } as ScopedRecord;
    expect(mayRead(w, user, r)).toBe(true);
  }
  const wantMessages = w.messages.filter((m) => m.body.split(' ').includes(word) && visible(w.conversations.find((c) => c.id === m.conversationId)!));
  expect(found.hits.filter((h) => h.entity === 'message').map((h) => h.record.id).sort()).toEqual(wantMessages.map((m) => m.id).sort());
  const wantContacts = word === 'parcel' ? CONTACTS.filter((c) => c.ownerId === null || c.ownerId === user).map((c) => c.id) : [];
  expect(found.hits.filter((h) => h.entity === 'contact').map((h) => h.record.id).sort()).toEqual(wantContacts);
  expect([...scopesIn(w, user)].length).toBeGreaterThan(0);
}

function describeEngine(name: string, open: () => Promise<Storage>, numRuns: number): void {
  it(`${name}: a person gets every record of theirs a request covers and nothing outside their scopes`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ world, user, query, word, olderThan }) => {
        const storage = await open();
        try {
          await storage.transaction((tx) => plant(tx, world));
          await checkCase(storage, world, user, query, word, olderThan);
        } finally {
          await storage.close();
        }
      }),
      { numRuns },
    );
  }, 120_000);
}

describe('history API scopes (issue 13)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  describeEngine('sqlite', async () => openSqliteStorage({ file: ':memory:' }), 60);
  describeEngine('postgres', () => openPostgresStorage({ url: db.url, schema: uniqueSchema(), poolSize: 2 }), 12);
});
