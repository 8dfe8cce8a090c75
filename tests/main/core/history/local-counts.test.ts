import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect } from 'vitest';
import type { Mutation } from '../../../../protocol/mutations.ts';
import { LocalCounts } from '../../../../main/core/history/local-counts.ts';
import type { ViewTotals } from '../../../../main/core/history/history-marks.ts';
import { ConversationListQueries } from '../../../../main/core/queries/conversation-list.ts';
import { listQueryArb } from '../../../support/list-query-arbitrary.ts';
import { changes, conversation, harness, INBOX, ME, message, OTHER, put, seedWorkspace, userState, type Harness } from '../fixtures.ts';

let h: Harness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const IDS = ['c1', 'c2', 'c3', 'c4'];
const assignee = fc.constantFrom(null, ME, OTHER);

/** A change the server sends (seq'd) or an action of the person's (through the outbox, optimistic). */
const step = fc.oneof(
  fc.record({ kind: fc.constant('assign' as const), id: fc.constantFrom(...IDS), to: assignee, local: fc.boolean() }),
  fc.record({ kind: fc.constant('status' as const), id: fc.constantFrom(...IDS), closed: fc.boolean(), local: fc.boolean() }),
  fc.record({ kind: fc.constant('archive' as const), id: fc.constantFrom(...IDS), archived: fc.boolean(), local: fc.boolean() }),
  fc.record({ kind: fc.constant('inbound' as const), id: fc.constantFrom(...IDS), local: fc.constant(false) }),
  fc.record({ kind: fc.constant('read' as const), id: fc.constantFrom(...IDS), local: fc.boolean() }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

describe('local counts', () => {
  /**
   * With everything cached, the server's totals read before the changes plus the local deltas must equal what
   * the cache itself counts after them (optimistic effects included): the cache is then the truth.
   */
  test.prop([fc.array(step, { maxLength: 12 }), listQueryArb({ inboxIds: ['inbox_a'], channelIds: ['ch_a'], tags: ['vip'] })], { numRuns: 60 })(
    'server totals + local moves = the whole cache’s own count after any changes',
    (steps, q) => {
      h?.cleanup();
      h = harness();
      const w = h;
      seedWorkspace(w);
      const convs = new Map(IDS.map((id, i) => [id, conversation(id, { createdAt: 1000 + i, tags: i % 2 ? ['vip'] : [] })]));
      w.applier.apply(changes([...convs.values()].map((c) => put(w.seq(), INBOX, 'conversation', c))));
      const lists = new ConversationListQueries(w.cache);
      const head = w.cache.cursor ?? 0;
      const server: ViewTotals = { total: lists.page(q, 0, 1).total, counts: lists.counts(q.inboxId, q.channelId), head, at: 2_000_000 };
      const local = new LocalCounts(w.applier.moves, ME);
      let clock = 5000;
      for (const s of steps) apply(w, convs, s, ++clock);
      const adjusted = local.adjust(q, server);
      expect(adjusted.total).toBe(lists.page(q, 0, 1).total);
      const { source: _source, ...own } = lists.counts(q.inboxId, q.channelId);
      expect(adjusted.counts).toEqual(own);
    },
  );
});

function apply(w: Harness, convs: Map<string, ReturnType<typeof conversation>>, s: Step, at: number): void {
  const c = convs.get(s.id)!;
  if (s.local) {
    const mutation: Mutation =
      s.kind === 'assign'
        ? { name: 'conversation.assign', args: { conversationId: s.id, assigneeId: s.to } }
        : s.kind === 'status'
          ? { name: 'conversation.setStatus', args: { conversationId: s.id, status: s.closed ? 'closed' : 'open' } }
          : s.kind === 'archive'
            ? { name: 'conversation.setArchived', args: { conversationId: s.id, archived: s.archived } }
            : { name: 'conversation.markRead', args: { conversationId: s.id, readAt: at } };
    w.outbox.enqueue(mutation);
    return;
  }
  switch (s.kind) {
    case 'assign':
      convs.set(s.id, { ...c, assigneeId: s.to });
      break;
    case 'status':
      convs.set(s.id, { ...c, status: s.closed ? 'closed' : 'open', closedAt: s.closed ? at : null });
      break;
    case 'archive':
      w.applier.apply(changes([put(w.seq(), `user:${ME}`, 'conversationUserState', userState(s.id, { archived: s.archived }))]));
      return;
    case 'read':
      w.applier.apply(changes([put(w.seq(), `user:${ME}`, 'conversationUserState', userState(s.id, { readAt: at }))]));
      return;
    case 'inbound':
      w.applier.apply(changes([put(w.seq(), INBOX, 'message', message(`m${at}`, s.id, { direction: 'in', createdAt: at }))]));
      return;
  }
  w.applier.apply(changes([put(w.seq(), INBOX, 'conversation', convs.get(s.id)!)]));
}
