import { FillCursor, type ScopedRecord } from '../../../protocol/history.ts';
import type { HistoryContext } from './history-context.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Small pages: each is one short write transaction, so the UI's reads never wait long behind one. */
export const FILL_PAGE = 200;
/** Breathing room between pages, and the wait while something more important runs. */
const YIELD_MS = 20;
const PAUSED_POLL_MS = 250;
/** After a page the server did not answer (busy, refusing), the fill tries again this much later. */
const RETRY_MS = 5_000;
/** Chat messages begin where the fill's messages part was told to start, at the newest id. */
const NEWEST_ID = 'z'.repeat(64);

const COMPLETE_CONVERSATIONS_SINCE = `INSERT OR IGNORE INTO history_complete (kind, id) SELECT 'conversation', id FROM conversations WHERE created_at > ?`;
const COMPLETE_CHATS = `INSERT OR IGNORE INTO history_complete (kind, id) SELECT 'chat', id FROM chats`;

/** What the fill keeps in history_fill.after across restarts: where it started and where it is. */
interface FillPosition {
  olderThan: number;
  cursor: FillCursor | null;
}

export interface FillGate {
  /** Work the fill must not compete with: a sync still running, the outbox sending, the link down. */
  mayRun(): boolean;
}

/**
 * Fills history beyond the window at low priority, newest first, up to the device's budget (history_fill):
 * small pages, a pause between them, paused while the gate says so or a fetch someone waits for is running,
 * and resumable from the stored cursor after a restart. It starts below the newest message the cache holds
 * (server time, so no clock skew), because everything newer came in through sync. Each page is written in one
 * transaction together with the cursor, so a page is never half kept nor fetched twice.
 */
export class BackgroundFill {
  private running: Promise<void> | null = null;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly ctx: HistoryContext,
    private readonly gate: FillGate,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the fill unless it runs or is done; safe to call often (after each batch, on each link). */
  poke(): void {
    if (this.running || this.stopped || this.ctx.marks.fill().done) return;
    this.running = this.loop()
      .catch((err: unknown) => this.ctx.log(`history: background fill stopped: ${err instanceof Error ? err.stack : String(err)}`))
      .finally(() => {
        this.running = null;
      });
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
  }

  /** Resolves when the current run ends (tests, the bench). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.ctx.cache.db.open) {
      if (!this.gate.mayRun() || this.ctx.onDemandRunning) {
        if (!this.ctx.online()) return;
        await Promise.race([this.ctx.idle().then(() => sleep(YIELD_MS)), sleep(PAUSED_POLL_MS)]);
        continue;
      }
      const state = this.ctx.marks.fill();
      if (state.done) return;
      // A failed page (server unreachable, or refusing) ends this run; the next sync batch or link starts another.
      if ((await this.step(state.budgetDays, this.position(state.after))) === 'failed') {
        if (!this.stopped && !this.retry) {
          this.retry = setTimeout(() => {
            this.retry = null;
            this.poke();
          }, RETRY_MS);
          this.retry.unref?.();
        }
        return;
      }
      await sleep(YIELD_MS);
    }
  }

  private position(stored: unknown): FillPosition {
    const parsed = stored as Partial<FillPosition> | null;
    if (parsed && typeof parsed.olderThan === 'number') {
      const cursor = FillCursor.safeParse(parsed.cursor);
      return { olderThan: parsed.olderThan, cursor: cursor.success ? cursor.data : null };
    }
    const newest = this.ctx.cache.db
      .prepare('SELECT max(t) FROM (SELECT max(created_at) AS t FROM messages WHERE local = 0 UNION ALL SELECT max(created_at) FROM chat_messages)')
      .pluck()
      .get() as number | null;
    return { olderThan: (newest ?? this.now()) + 1, cursor: null };
  }

  private async step(budgetDays: number, at: FillPosition): Promise<'ok' | 'failed'> {
    const { writer, marks, cache } = this.ctx;
    const cutoff = this.now() - budgetDays * DAY_MS;
    const mark = writer.begin();
    let answer;
    try {
      answer = await this.ctx.api.fill(this.ctx.link(), { after: at.cursor, limit: FILL_PAGE, olderThan: at.olderThan });
    } catch (err) {
      writer.release(mark);
      this.ctx.failed(err, 'background fill');
      return 'failed';
    }
    if (this.stopped || !cache.db.open) return 'ok';
    const part = at.cursor?.part ?? 'messages';
    const { kept, reached, pastBudget } = withinBudget(answer.records, cutoff);
    let next: FillCursor | null = answer.next;
    if (pastBudget) {
      // Past the budget: the messages part jumps to the chats' part; the chats' part ends the fill.
      next = part === 'messages' ? { part: 'chatMessages', createdAt: at.olderThan, id: NEWEST_ID } : null;
    }
    const done = next === null;
    // A part that ran to its end (not cut by the budget) brought everything of its kind.
    const messagesWhole = part === 'messages' && !pastBudget && next?.part !== 'messages';
    const chatsWhole = part === 'chatMessages' && !pastBudget && next === null;
    const { written } = writer.write(mark, kept, (rows) => {
      if (messagesWhole) cache.db.prepare(COMPLETE_CONVERSATIONS_SINCE).run(-1);
      else if (part === 'messages') {
        // Every message of a conversation created since the oldest time fetched (or the budget) is now cached;
        // strictly after, since messages of that very millisecond may still be on the next page.
        const since = pastBudget ? cutoff - 1 : reached;
        if (since !== null) cache.db.prepare(COMPLETE_CONVERSATIONS_SINCE).run(since);
      }
      if (chatsWhole) cache.db.prepare(COMPLETE_CHATS).run();
      marks.fillStep({ after: done ? null : { olderThan: at.olderThan, cursor: next }, reached: part === 'messages' ? reached : null, done, rows });
    });
    // Quietly: a fill page changes nothing a person is looking at but the lists' older rows.
    if (written > 0) this.ctx.emitChanged({ sidebar: false, conversationList: true, conversations: [] });
    return 'ok';
  }
}

/** The records of a fill page inside the budget, the oldest time kept, and whether the page crossed the budget. */
function withinBudget(records: readonly ScopedRecord[], cutoff: number): { kept: ScopedRecord[]; reached: number | null; pastBudget: boolean } {
  const keptConversations = new Set<string>();
  const keptMessages = new Set<string>();
  let reached: number | null = null;
  let pastBudget = false;
  for (const r of records) {
    if (r.entity !== 'message' && r.entity !== 'chatMessage') continue;
    if (r.record.createdAt < cutoff) {
      pastBudget = true;
      continue;
    }
    reached = reached === null ? r.record.createdAt : Math.min(reached, r.record.createdAt);
    keptMessages.add(r.record.id);
    if (r.entity === 'message') keptConversations.add(r.record.conversationId);
  }
  const kept = records.filter((r) => {
    if (r.entity === 'message' || r.entity === 'chatMessage') return keptMessages.has(r.record.id);
    if (r.entity === 'conversation') return keptConversations.has(r.record.id);
    if (r.entity === 'survey') return keptMessages.has(r.record.messageId);
    return true;
  });
  return { kept, reached, pastBudget };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
