import { afterEach, describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../../protocol/domain.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { SnapshotFrame } from '../../../protocol/sync.ts';
import { FrameApplier } from '../../../main/core/cache/apply-frame.ts';
import { openCache, type CacheDb } from '../../../main/core/cache/cache-file.ts';
import { SearchQueries } from '../../../main/core/queries/search.ts';
import { changes, channel, contact, conversation, inbox, INBOX, ME, message, OTHER, put, tempDir, user, userState, TEST_CACHE_KEY } from './fixtures.ts';

const ORG: Scope = 'org:org_1';
const MINE: Scope = `user:${ME}`;
const SERVER = 'http://127.0.0.1:1';


const ORG_RECORDS: EntityRecord[] = [
  { entity: 'user', record: user(ME, 'Me Myself') },
  { entity: 'user', record: user(OTHER, 'Olga Other') },
  { entity: 'contact', record: contact('k1', { name: 'Jürgen Öst', phones: ['+442071838750'], company: 'Alpine Club', email: 'jurgen@example.com' }) },
  { entity: 'contact', record: contact('k2', { name: 'Priya Raman', phones: ['+14155550177', '+14155550188'], notes: 'Prefers WhatsApp' }) },
];
const INBOX_RECORDS: EntityRecord[] = [
  { entity: 'inbox', record: inbox('inbox_a', { name: 'Sales' }) },
  { entity: 'channel', record: channel('ch_a', 'inbox_a') },
  { entity: 'inboxMember', record: { id: `inbox_a:${ME}`, inboxId: 'inbox_a', userId: ME } },
  { entity: 'conversation', record: conversation('c1', { customerAddress: '+14155550123', lastMessageAt: 3000 }) },
  { entity: 'conversation', record: conversation('c2', { customerAddress: '+442071838750', contactId: 'k1', lastMessageAt: 5000 }) },
  { entity: 'message', record: message('m1', 'c1', { body: 'Is the Ridgeline backpack available in green?', createdAt: 2000 }) },
  { entity: 'message', record: message('m2', 'c2', { body: 'My tent pole snapped on the first night', createdAt: 4000 }) },
  { entity: 'message', record: message('m3', 'c2', { body: 'Could you send a replacement pole?', createdAt: 5000 }) },
];
const MY_RECORDS: EntityRecord[] = [{ entity: 'conversationUserState', record: userState('c1', { readAt: 2500 }) }];
const CURSOR = 40;

/** A scope's snapshot as the server pages it: `size` records per frame, reset first, done last. */
function snapshotFrames(scope: Scope, records: EntityRecord[], size = 3): SnapshotFrame[] {
  const frames: SnapshotFrame[] = [];
  for (let i = 0; i < records.length || i === 0; i += size) {
    const last = i + size >= records.length;
    frames.push({ type: 'snapshot', scope, reset: i === 0, done: last, records: records.slice(i, i + size), cursor: CURSOR });
  }
  return frames;
}

const firstSync = (): SnapshotFrame[] => [
  ...snapshotFrames(ORG, ORG_RECORDS),
  ...snapshotFrames(INBOX, INBOX_RECORDS),
  ...snapshotFrames(MINE, MY_RECORDS),
];
/** What ends every catch-up: the frame that tells the client it is caught up. */
const caughtUp = (cursor = CURSOR) => changes([], cursor);

interface Client {
  dir: string;
  cache: CacheDb;
  applier: FrameApplier;
  reopen: () => void;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function client(): Client {
  const { dir, cleanup } = tempDir();
  const c: Client = {
    dir,
    cache: openCache(dir, SERVER, ME, TEST_CACHE_KEY),
    applier: undefined as unknown as FrameApplier,
    reopen: () => {
      c.cache.close();
      c.cache = openCache(dir, SERVER, ME, TEST_CACHE_KEY);
      c.applier = new FrameApplier(c.cache);
    },
  };
  c.applier = new FrameApplier(c.cache);
  cleanups.push(() => {
    c.cache.close();
    cleanup();
  });
  return c;
}

/** The same records written as changes frames: the row-by-row path every search test already covers. */
function rowByRowClient(): Client {
  const c = client();
  let seq = 0;
  const entries = [
    ...ORG_RECORDS.map((r) => put(++seq, ORG, r.entity, r.record as never)),
    ...INBOX_RECORDS.map((r) => put(++seq, INBOX, r.entity, r.record as never)),
    ...MY_RECORDS.map((r) => put(++seq, MINE, r.entity, r.record as never)),
  ];
  c.applier.apply(changes(entries, CURSOR));
  return c;
}

const search = (c: Client, text: string) => new SearchQueries(c.cache).search(text, 20);
const ids = (c: Client, text: string) => {
  const r = search(c, text);
  return { messages: r.messages.map((m) => m.messageId), contacts: r.contacts.map((k) => k.id), conversations: r.conversations.map((v) => v.conversationId) };
};
const all = (c: Client, sql: string): unknown[] => c.cache.db.prepare(sql).all();
const ftsTriggers = (c: Client): unknown[] => all(c, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%' ORDER BY name");

/** Throws unless every index holds exactly what its content table says (rank 1: compare with the content). */
function expectIndexesExact(c: Client): void {
  c.cache.db.exec(`
    INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);
    INSERT INTO conversations_fts (conversations_fts, rank) VALUES ('integrity-check', 1);
    INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check');
  `);
}

const QUERIES = ['pole', 'ridgel', 'jurgen', 'alpine', 'whatsapp', '+1 415 555 0177', '4155550123', '4155550188', '2071838750', 'priya'];

describe('first sync: full-text indexes built once after the snapshot', () => {
  it('settles every unread flag once at the end of a first sync, as the row-by-row path would', () => {
    const reference = rowByRowClient();
    const c = client();
    for (const f of firstSync()) c.applier.apply(f);
    const views = c.applier.apply(caughtUp());
    const flags = (x: Client) => all(x, 'SELECT id, unread FROM conversations ORDER BY id');
    expect(flags(c)).toEqual(flags(reference));
    // c1 was read after its last inbound message; c2 never was.
    expect(flags(c)).toEqual([{ id: 'c1', unread: 0 }, { id: 'c2', unread: 1 }]);
    // Every view is told to refresh, since lists and counts changed all at once.
    expect(views).toMatchObject({ sidebar: true, conversationList: true });
    // Once caught up, an empty changes frame changes nothing.
    expect(c.applier.apply(changes([], CURSOR))).toMatchObject({ sidebar: false, conversationList: false });
  });

  it('defers indexing while the snapshot fills an empty cache, then searches exactly as the row-by-row path', () => {
    const reference = rowByRowClient();
    const c = client();
    const frames = firstSync();
    for (const f of frames) c.applier.apply(f);
    expect(c.cache.fts.deferred).toBe(true);
    expect(ftsTriggers(c)).toEqual([]);
    // Not indexed yet: search misses, and finds nothing wrong.
    expect(search(c, 'pole').messages).toEqual([]);

    c.applier.apply(caughtUp());
    expect(c.cache.fts.deferred).toBe(false);
    expect(ftsTriggers(c)).toEqual(ftsTriggers(reference));
    expect(ftsTriggers(c)).toHaveLength(9);
    expectIndexesExact(c);
    for (const q of QUERIES) expect(search(c, q), q).toEqual(search(reference, q));
    expect(ids(c, 'pole').messages).toEqual(['m3', 'm2']);
    expect(ids(c, 'jurgen')).toMatchObject({ contacts: ['k1'], conversations: ['c2'] });
    expect(ids(c, '4155550123').conversations).toEqual(['c1']);
    // Phone numbers are indexed as digits, exactly as the triggers index them.
    expect(all(c, 'SELECT rowid, * FROM contacts_fts ORDER BY rowid')).toEqual(all(reference, 'SELECT rowid, * FROM contacts_fts ORDER BY rowid'));
    expect(all(c, "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH 'phones:14155550188'")).toHaveLength(1);
  });

  it('builds the indexes and restores the triggers on open after a snapshot that never finished', () => {
    const c = client();
    const frames = firstSync();
    // Killed after the org snapshot and half of the inbox one (up to message m1).
    for (const f of frames.slice(0, 4)) c.applier.apply(f);
    expect(c.cache.fts.deferred).toBe(true);
    c.reopen();
    expect(c.cache.fts.deferred).toBe(false);
    expect(ftsTriggers(c)).toHaveLength(9);
    expectIndexesExact(c);
    expect(ids(c, 'jurgen').contacts).toEqual(['k1']);
    expect(ids(c, 'ridgeline').messages).toEqual(['m1']);

    // The server starts the unfinished scope over; the rest of the sync lands and is searchable.
    for (const f of frames.slice(2)) c.applier.apply(f);
    c.applier.apply(caughtUp());
    expect(c.cache.fts.deferred).toBe(false);
    expectIndexesExact(c);
    expect(ids(c, 'pole').messages).toEqual(['m3', 'm2']);
    expect(ids(c, 'ridgeline').messages).toEqual(['m1']);
  });

  it('never matches rows a reset dropped while indexing is deferred again', () => {
    const c = client();
    // Killed inside the very first scope: after the reopen there is still no cursor and no held scope.
    for (const f of snapshotFrames(INBOX, INBOX_RECORDS).slice(0, 2)) c.applier.apply(f);
    c.reopen();
    expect(ids(c, 'ridgeline').messages).toEqual(['m1']);
    // The re-sent snapshot defers again; m1 is gone and m5 takes its rowid. An index entry left from
    // before the reset would now match m5 for "ridgeline".
    c.applier.apply({
      type: 'snapshot', scope: INBOX, reset: true, done: false, cursor: CURSOR,
      records: [INBOX_RECORDS[3] as EntityRecord, { entity: 'message', record: message('m5', 'c1', { body: 'Where is my kayak order?' }) }],
    });
    expect(c.cache.fts.deferred).toBe(true);
    expect(c.cache.db.prepare("SELECT rowid FROM messages WHERE id = 'm5'").pluck().get()).toBe(1);
    expect(search(c, 'ridgeline').messages).toEqual([]);
    expect(search(c, 'kayak').messages).toEqual([]);
    expect(search(c, '4155550123').conversations).toEqual([]);
    c.applier.apply({ type: 'snapshot', scope: INBOX, reset: false, done: true, cursor: CURSOR, records: [] });
    c.applier.apply(caughtUp());
    expectIndexesExact(c);
    expect(ids(c, 'ridgeline').messages).toEqual([]);
    expect(ids(c, 'kayak').messages).toEqual(['m5']);
    expect(ids(c, '4155550123').conversations).toEqual(['c1']);
  });

  it('indexes catch-up after the snapshot row by row', () => {
    const c = client();
    for (const f of firstSync()) c.applier.apply(f);
    c.applier.apply(changes([put(CURSOR + 1, INBOX, 'message', message('m4', 'c1', { body: 'Do you ship to Canada?', createdAt: 6000 }))]));
    expect(c.cache.fts.deferred).toBe(false);
    expect(ids(c, 'canada').messages).toEqual(['m4']);
    c.applier.apply(changes([put(CURSOR + 2, INBOX, 'message', message('m4', 'c1', { body: 'Do you ship to Norway?', createdAt: 6000 }))]));
    c.applier.apply(changes([put(CURSOR + 3, ORG, 'contact', contact('k3', { name: 'Tomasz Wiśniewski', phones: ['+48221234567'] }))]));
    expect(ids(c, 'canada').messages).toEqual([]);
    expect(ids(c, 'norway').messages).toEqual(['m4']);
    expect(ids(c, 'wisniewski').contacts).toEqual(['k3']);
    expect(all(c, "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH 'phones:48221234567'")).toHaveLength(1);
    expectIndexesExact(c);
  });

  it('keeps row-by-row indexing for a scope gained later (snapshot into a cache that holds data)', () => {
    const c = client();
    for (const f of firstSync()) c.applier.apply(f);
    c.applier.apply(caughtUp());
    const other: Scope = 'inbox:inbox_b';
    c.applier.apply({
      type: 'snapshot', scope: other, reset: true, done: false, cursor: CURSOR + 5,
      records: [
        { entity: 'conversation', record: conversation('c9', { inboxId: 'inbox_b', customerAddress: '+15035550999' }) },
        { entity: 'message', record: message('m9', 'c9', { body: 'Where is my kayak order?' }) },
      ],
    });
    expect(c.cache.fts.deferred).toBe(false);
    expect(ids(c, 'kayak').messages).toEqual(['m9']);
    expect(ids(c, '5035550999').conversations).toEqual(['c9']);
  });

  it('drops a lost scope from search, after the deferred snapshot and during it', () => {
    const after = client();
    for (const f of firstSync()) after.applier.apply(f);
    after.applier.apply(caughtUp());
    after.applier.apply({ type: 'scopeLost', scope: INBOX });
    expect(ids(after, 'pole').messages).toEqual([]);
    expect(ids(after, '4155550123').conversations).toEqual([]);
    expectIndexesExact(after);

    const during = client();
    for (const f of firstSync()) during.applier.apply(f);
    during.applier.apply({ type: 'scopeLost', scope: INBOX });
    during.applier.apply({ type: 'scopeLost', scope: ORG });
    during.applier.apply(caughtUp());
    expectIndexesExact(during);
    expect(ids(during, 'pole').messages).toEqual([]);
    expect(ids(during, 'ridgeline').messages).toEqual([]);
    expect(ids(during, '4155550123').conversations).toEqual([]);
    expect(ids(during, 'jurgen').contacts).toEqual([]);
    expect(all(during, 'SELECT rowid FROM contacts_fts')).toEqual([]);
  });
});
