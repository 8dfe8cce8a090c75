import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Message } from '../../../../protocol/domain.ts';
import { HistoryWriter, type FetchedRecord, type FetchMark } from '../../../../main/core/history/history-writer.ts';
import { changes, conversation, count, harness, INBOX, ME, message, put, seedWorkspace, userState, type Harness } from '../fixtures.ts';

const IDS = ['m1', 'm2', 'm3', 'm4'] as const;

type Op =
  | { kind: 'live'; id: (typeof IDS)[number] }
  | { kind: 'delete'; id: (typeof IDS)[number] }
  | { kind: 'begin' }
  | { kind: 'finish'; pick: number }
  | { kind: 'lose' };

// Losing the scope ends what can happen in it, so it comes rarely.
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('live' as const), id: fc.constantFrom(...IDS) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...IDS) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('begin' as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('lose' as const) }), weight: 1 },
);

function hold(h: Harness): void {
  h.cache.db.prepare('INSERT OR IGNORE INTO held_scopes (scope) VALUES (?)').run(INBOX);
}

function cachedBodies(h: Harness): Map<string, string> {
  const rows = h.cache.db.prepare('SELECT id, body FROM messages').all() as { id: string; body: string }[];
  return new Map(rows.map((r) => [r.id, r.body]));
}

/**
 * A model server holding messages of one conversation outside the window, changed by a live stream the cache
 * applies at once, while history fetches read it at some moment and are written later, in any order.
 */
function run(ops: readonly Op[]): void {
  const h = harness();
  try {
    seedWorkspace(h);
    hold(h);
    h.applier.apply(changes([put(h.seq(), INBOX, 'conversation', conversation('c1'))]));
    const writer = new HistoryWriter(h.cache, h.applier);
    // The server: every message exists at version 0, none cached (older than the window).
    const server = new Map<string, Message>(IDS.map((id, i) => [id, message(id, 'c1', { body: `${id} v0`, createdAt: 100 + i })]));
    let version = 0;
    let lost = false;
    const pending: { mark: FetchMark; records: FetchedRecord[] }[] = [];
    for (const o of ops) {
      switch (o.kind) {
        case 'live': {
          if (lost) break;
          const next = message(o.id, 'c1', { body: `${o.id} v${++version}`, createdAt: 100 + IDS.indexOf(o.id) });
          server.set(o.id, next);
          h.applier.apply(changes([put(h.seq(), INBOX, 'message', next)]));
          break;
        }
        case 'delete':
          if (lost || !server.has(o.id)) break;
          server.delete(o.id);
          h.applier.apply(changes([{ seq: h.seq(), scope: INBOX, op: 'delete', entity: 'message', id: o.id }]));
          break;
        case 'begin':
          pending.push({ mark: writer.begin(), records: [...server.values()].map((record) => ({ scope: INBOX, entity: 'message', record })) });
          break;
        case 'finish': {
          if (pending.length === 0) break;
          const [fetch] = pending.splice(o.pick % pending.length, 1);
          writer.write(fetch!.mark, fetch!.records);
          break;
        }
        case 'lose':
          if (lost) break;
          lost = true;
          h.applier.apply({ type: 'scopeLost', scope: INBOX });
          break;
      }
      const cached = cachedBodies(h);
      if (lost) {
        expect(cached.size).toBe(0);
        continue;
      }
      // Whatever the cache holds is the server's current version: never an older copy, never a deleted record.
      for (const [id, body] of cached) expect(body).toBe(server.get(id)?.body);
    }
    // Every fetch that ends also lets its tombstones go once nothing older is in flight.
    for (const fetch of pending.splice(0)) writer.write(fetch.mark, fetch.records);
    writer.release(writer.begin());
    expect(count(h, 'SELECT count(*) FROM history_tombstones')).toBe(0);
    if (lost) expect(count(h, 'SELECT count(*) FROM messages')).toBe(0);
  } finally {
    h.cleanup();
  }
}

describe('HistoryWriter', () => {
  test.prop([fc.array(op, { maxLength: 30 })], { numRuns: 40 })(
    'fetched records never overwrite newer cached ones, never bring a deleted record back, and leave nothing of a lost scope',
    (ops) => run(ops),
    60_000,
  );

  test('a read that began before a delete does not bring the record back; one that began after may', () => {
    run([{ kind: 'begin' }, { kind: 'delete', id: 'm1' }, { kind: 'finish', pick: 0 }]);
    const h = harness();
    try {
      seedWorkspace(h);
      hold(h);
      h.applier.apply(changes([put(h.seq(), INBOX, 'conversation', conversation('c1'))]));
      const writer = new HistoryWriter(h.cache, h.applier);
      const old = message('m9', 'c1', { body: 'old copy' });
      const early = writer.begin();
      h.applier.apply(changes([put(h.seq(), INBOX, 'message', { ...old, body: 'newer copy' })]));
      expect(writer.write(early, [{ scope: INBOX, entity: 'message', record: old }]).written).toBe(0);
      expect(cachedBodies(h).get('m9')).toBe('newer copy');
      h.applier.apply(changes([{ seq: h.seq(), scope: INBOX, op: 'delete', entity: 'message', id: 'm9' }]));
      const late = writer.begin();
      expect(writer.write(late, [{ scope: INBOX, entity: 'message', record: old }]).written).toBe(1);
      // A scope the person does not hold is never written, even for a record that is not cached.
      expect(writer.write(writer.begin(), [{ scope: 'inbox:inbox_z', entity: 'message', record: message('m8', 'c1') }]).written).toBe(0);
    } finally {
      h.cleanup();
    }
  });
});

describe('fetched rows and the person’s own state (issue 13)', () => {
  test.prop([fc.boolean(), fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }), fc.integer({ min: 1, max: 5000 }), fc.boolean()], { numRuns: 25 })(
    'a fetched row keeps the read mark and archive flag that came with it, and the server’s newest inbound time decides unread',
    (archived, readAt, inboundAt, stateFirst) => {
      const h = harness();
      try {
        seedWorkspace(h);
        hold(h);
        h.cache.db.prepare('INSERT OR IGNORE INTO held_scopes (scope) VALUES (?)').run(`user:${ME}`);
        const writer = new HistoryWriter(h.cache, h.applier);
        const rows: string[][] = [];
        writer.onRows = (ids) => rows.push(ids);
        const conv: FetchedRecord = { scope: INBOX, entity: 'conversation', record: conversation('old1', { status: 'closed', closedAt: 10, lastMessageAt: 6000 }) };
        const state: FetchedRecord = { scope: `user:${ME}`, entity: 'conversationUserState', record: userState('old1', { archived, readAt }) };
        const last: FetchedRecord = { scope: INBOX, entity: 'message', record: message('mo', 'old1', { direction: 'out', createdAt: 6000 }) };
        writer.write(writer.begin(), stateFirst ? [state, conv, last] : [conv, last, state]);
        const row = () => h.cache.db.prepare('SELECT archived, read_at, unread FROM conversations WHERE id = ?').get('old1') as { archived: number; read_at: number | null; unread: number };
        // A state before its conversation is an orphan and is not kept; after it, it is.
        expect(row()).toEqual(stateFirst ? { archived: 0, read_at: null, unread: 0 } : { archived: archived ? 1 : 0, read_at: readAt, unread: 0 });
        expect(rows).toEqual([['old1']]);
        writer.mergeInbound([{ id: 'old1', lastInboundAt: inboundAt }]);
        const mark = stateFirst ? null : readAt;
        expect(row().unread).toBe(inboundAt > (mark ?? -1) ? 1 : 0);
      } finally {
        h.cleanup();
      }
    },
  );
});
