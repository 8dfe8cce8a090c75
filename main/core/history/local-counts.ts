import { countInto, emptyCounts, inView, type ConversationFacts } from '../../../protocol/conversation-views.ts';
import type { ConversationListQuery, ListCounts } from '../../../protocol/ipc.ts';
import type { CachedFacts, ConversationMoves } from '../cache/conversation-moves.ts';
import type { ViewTotals } from './history-marks.ts';

type Counted = { total: number; counts: ListCounts };
type CountKey = 'open' | 'closed' | 'me' | 'others' | 'unassigned' | 'withMe';
const COUNT_KEYS: readonly CountKey[] = ['open', 'closed', 'me', 'others', 'unassigned', 'withMe'];

/**
 * Counts that move at once (issue 13). A view's totals come from the server (view-totals.ts) and are asked
 * again after changes; meanwhile every local change moves them: the conversations that applied sync changes
 * moved between views (cache/conversation-moves.ts, each with the log seq that carried it — counted only while
 * the stored answer was read below it) and the effects of the outbox (pending or refused actions: the row as
 * shown against its server truth in conversation_base — counted until the action settles). The delta of each
 * is worked out with the lists' own view rules (protocol/conversation-views.ts).
 *
 * A row the cache did not hold before a change is outside the window. The window holds every open conversation,
 * so such a row was closed, unless the conversation is newer than the answer (a new one): a reopened old
 * conversation leaves the closed count and joins the open ones; one that stays closed moves nothing.
 */
export class LocalCounts {
  constructor(
    private readonly moves: ConversationMoves,
    private readonly me: string,
  ) {}

  /** The server's totals of `q` with every local change it does not know of yet. */
  adjust(q: ConversationListQuery, server: ViewTotals): ViewTotals {
    const delta: Counted = { total: 0, counts: emptyCounts() };
    for (const m of this.moves.since(server.head)) {
      const before = m.before ?? (m.after ? beforeOutsideWindow(m.after, server.at) : null);
      this.add(delta, q, before, -1);
      this.add(delta, q, m.after, +1);
    }
    for (const o of this.moves.pending()) {
      this.add(delta, q, o.truth, -1);
      this.add(delta, q, o.shown, +1);
    }
    if (delta.total === 0 && COUNT_KEYS.every((k) => delta.counts[k] === 0)) return server;
    const counts = server.counts ? { ...server.counts } : null;
    if (counts) for (const key of COUNT_KEYS) counts[key] = Math.max(0, counts[key] + delta.counts[key]);
    return { ...server, total: Math.max(0, server.total + delta.total), counts };
  }

  /** Where the outbox stands when a server answer is asked for (see `settledSince`). */
  outboxMark(): string {
    return this.moves.outboxMark();
  }

  /**
   * Whether no action was on its way to the server since `mark`. An answer read while one was may or may not
   * count it, and the outbox's effect (or, once answered, the change it brings) would count it again; such an
   * answer is not kept (view-totals.ts), and the action's result, a change, has the views asked again.
   */
  settledSince(mark: string): boolean {
    return mark.startsWith('idle:') && this.moves.outboxMark() === mark;
  }

  /** Moves every kept view's answer has seen are no longer needed. */
  forgetThrough(head: number): void {
    this.moves.forgetThrough(head);
  }

  private add(into: Counted, q: ConversationListQuery, facts: ConversationFacts | null, sign: 1 | -1): void {
    if (!facts) return;
    if (inView(q, facts, this.me)) into.total += sign;
    const one = emptyCounts();
    countInto(one, { inboxId: q.inboxId, channelId: q.channelId }, facts, this.me);
    for (const key of COUNT_KEYS) into.counts[key] += sign * one[key];
  }
}

/** What an uncached conversation was when the server counted it (see LocalCounts): nothing, or closed. */
function beforeOutsideWindow(after: CachedFacts, answeredAt: number): CachedFacts | null {
  if (after.createdAt >= answeredAt) return null;
  return after.status === 'closed' ? after : { ...after, status: 'closed' };
}
