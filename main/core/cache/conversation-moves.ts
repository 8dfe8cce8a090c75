import type Database from 'better-sqlite3-multiple-ciphers';
import type { ConversationFacts } from '../../../protocol/conversation-views.ts';
import type { ChangeEntry, ChangesFrame } from '../../../protocol/sync.ts';
import type { CacheDb } from './cache-file.ts';

/** A conversation's list facts as the cache holds them, with its creation time (server clock). */
export interface CachedFacts extends ConversationFacts {
  createdAt: number;
}

/**
 * How one applied change moved a conversation between views (issue 13): its server-truth facts before and
 * after, and the log position that carried it. `before` null: the cache did not hold the row (outside the
 * window, or new); `after` null: the row went.
 */
export interface ConversationMove {
  id: string;
  seq: number;
  before: CachedFacts | null;
  after: CachedFacts | null;
}

/** A conversation with a pending or refused outbox entry: server truth (its conversation_base copy) and what is shown. */
export interface OptimisticMove {
  id: string;
  truth: CachedFacts;
  shown: CachedFacts;
}

interface FactsRow {
  id: string;
  inbox_id: string;
  channel_id: string;
  status: 'open' | 'closed';
  assignee_id: string | null;
  tags: string;
  archived: number;
  unread: number;
  with_me: number;
  created_at: number;
}

const FACTS = 'c.id, c.inbox_id, c.channel_id, c.status, c.assignee_id, c.tags, c.archived, c.unread, c.with_me, c.created_at';

function toFacts(r: FactsRow): CachedFacts {
  return {
    inboxId: r.inbox_id,
    channelId: r.channel_id,
    status: r.status,
    assigneeId: r.assignee_id,
    tags: JSON.parse(r.tags) as string[],
    archived: r.archived === 1,
    unread: r.unread === 1,
    withMe: r.with_me === 1,
    createdAt: r.created_at,
  };
}

const sameFacts = (a: CachedFacts | null, b: CachedFacts | null): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Moves kept at most: a long catch-up is superseded by the server's next answer anyway. */
const KEPT_MOVES = 5_000;

/**
 * Records, around each applied sync batch, which conversations changed view (the applier calls `before` after
 * rewinding the optimistic layer and `after` before replaying it, so both sides are server truth). Snapshots
 * are not recorded: they bring what the server's totals already count. Kept in memory only: after a restart
 * the views' totals are asked afresh.
 */
export class ConversationMoves {
  private readonly moves: ConversationMove[] = [];
  private readonly facts: Database.Statement<[string], FactsRow>;
  private readonly messageConv: Database.Statement<[string], string>;
  private readonly stateConv: Database.Statement<[string], string>;
  private readonly optimistic: Database.Statement<[], FactsRow & { b_status: 'open' | 'closed'; b_assignee_id: string | null; b_archived: number; b_unread: number; b_with_me: number }>;

  constructor(private readonly cache: CacheDb) {
    const db = cache.db;
    this.facts = db.prepare<[string], FactsRow>(`SELECT ${FACTS} FROM conversations c WHERE c.id = ?`);
    this.messageConv = db.prepare<[string], string>('SELECT conversation_id FROM messages WHERE id = ?').pluck();
    this.stateConv = db.prepare<[string], string>('SELECT conversation_id FROM conversation_user_state WHERE id = ?').pluck();
    this.optimistic = db.prepare(
      `SELECT ${FACTS}, b.status AS b_status, b.assignee_id AS b_assignee_id, b.archived AS b_archived, b.unread AS b_unread, b.with_me AS b_with_me
       FROM conversation_base b JOIN conversations c ON c.id = b.conversation_id`,
    );
  }

  /** The conversations these frames may move, each with the newest seq that touches it, and their facts now. */
  before(frames: readonly { type: string }[]): Map<string, { seq: number; facts: CachedFacts | null }> {
    const touched = new Map<string, { seq: number; facts: CachedFacts | null }>();
    for (const frame of frames) {
      if (frame.type !== 'changes') continue;
      for (const e of (frame as ChangesFrame).entries) {
        const id = this.conversationOf(e);
        if (id === null) continue;
        const seen = touched.get(id);
        if (seen) seen.seq = Math.max(seen.seq, e.seq);
        else touched.set(id, { seq: e.seq, facts: this.read(id) });
      }
    }
    return touched;
  }

  /** Notes the moves of the conversations `before` returned, now that the frames are applied. */
  after(touched: Map<string, { seq: number; facts: CachedFacts | null }>): void {
    for (const [id, { seq, facts }] of touched) {
      const now = this.read(id);
      if (!sameFacts(facts, now)) this.moves.push({ id, seq, before: facts, after: now });
    }
    if (this.moves.length > KEPT_MOVES) this.moves.splice(0, this.moves.length - KEPT_MOVES);
  }

  /** Moves the server's answer read at `head` does not know of yet. */
  since(head: number): ConversationMove[] {
    return this.moves.filter((m) => m.seq > head);
  }

  /** Every view's totals were read at or after `head`: older moves are known to the server. */
  forgetThrough(head: number): void {
    const keep = this.moves.filter((m) => m.seq > head);
    this.moves.splice(0, this.moves.length, ...keep);
  }

  /**
   * Where the outbox stands: the next action's id, and whether an action waits for the server's answer (a
   * failed one never reached the server's truth, so it does not wait). Two equal marks with nothing waiting
   * mean no action reached the server in between.
   */
  outboxMark(): string {
    if (!this.cache.db.open) return 'closed';
    const waiting = this.cache.db.prepare("SELECT 1 FROM outbox WHERE state = 'pending' LIMIT 1").get() !== undefined;
    return waiting ? 'waiting' : `idle:${this.cache.getMeta('nextMutationId') ?? '1'}`;
  }

  /** What the outbox's effects show on top of server truth, per conversation. */
  pending(): OptimisticMove[] {
    if (!this.cache.db.open) return [];
    return this.optimistic.all().map((r) => {
      const shown = toFacts(r);
      const truth = { ...shown, status: r.b_status, assigneeId: r.b_assignee_id, archived: r.b_archived === 1, unread: r.b_unread === 1, withMe: r.b_with_me === 1 };
      return { id: r.id, truth, shown };
    });
  }

  private read(id: string): CachedFacts | null {
    const row = this.facts.get(id);
    return row ? toFacts(row) : null;
  }

  private conversationOf(e: ChangeEntry): string | null {
    if (e.op === 'put') {
      switch (e.entity) {
        case 'conversation':
          return e.record.id;
        case 'message':
          return e.record.direction === 'in' ? e.record.conversationId : null;
        case 'conversationUserState':
          return e.record.userId === this.cache.userId ? e.record.conversationId : null;
        default:
          return null;
      }
    }
    switch (e.entity) {
      case 'conversation':
        return e.id;
      case 'message':
        return this.messageConv.get(e.id) ?? null;
      case 'conversationUserState':
        return this.stateConv.get(e.id) ?? null;
      default:
        return null;
    }
  }
}
