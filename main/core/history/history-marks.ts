import type Database from 'better-sqlite3-multiple-ciphers';
import type { ListCounts } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';

export type HistoryKind = 'conversation' | 'chat';

export interface ViewTotals {
  total: number;
  counts: ListCounts | null;
  head: number;
  at: number;
}

export interface ListPaging {
  /** The server's keyset cursor (opaque JSON) after the last row fetched; null: from the start. */
  after: unknown;
  /** How many of the list's rows, from its start, the server has sent up to the cursor (all of them cached: settled). */
  rows: number;
  done: boolean;
}

/** history_views.list_after holds `{ cursor, rows }`; a bare cursor (written before rows were counted) starts over. */
function listAfter(text: string | null): { cursor: unknown; rows: number } | null {
  const value = json(text) as { cursor?: unknown; rows?: unknown } | null;
  if (value === null || typeof value !== 'object' || !('cursor' in value) || typeof value.rows !== 'number') return null;
  return { cursor: value.cursor ?? null, rows: value.rows };
}

export interface FillState {
  budgetDays: number;
  /** The server's fill cursor (opaque JSON); null: from the window's edge. */
  after: unknown;
  /** Oldest activity time the fill has brought in (null: nothing yet). */
  reached: number | null;
  done: boolean;
  rows: number;
}

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The bookkeeping of what the cache holds whole (cache migration 12, history-tables.ts). Plain reads and writes; callers choose the transaction. */
export class HistoryMarks {
  private readonly s: Record<string, Database.Statement>;

  constructor(private readonly cache: CacheDb) {
    const p = (sql: string): Database.Statement => cache.db.prepare(sql);
    this.s = {
      complete: p('SELECT EXISTS (SELECT 1 FROM history_complete WHERE kind = ? AND id = ?)').pluck(),
      // Only while the row is there: a mark outliving its conversation would pass a later window for whole.
      markConversation: p(`INSERT OR IGNORE INTO history_complete (kind, id) SELECT 'conversation', id FROM conversations WHERE id = ?`),
      markChat: p(`INSERT OR IGNORE INTO history_complete (kind, id) SELECT 'chat', id FROM chats WHERE id = ?`),
      view: p('SELECT * FROM history_views WHERE view = ?'),
      setTotals: p(`INSERT INTO history_views (view, total, counts, totals_head, totals_at) VALUES (@view, @total, @counts, @head, @at)
                    ON CONFLICT(view) DO UPDATE SET total = excluded.total, counts = excluded.counts,
                      totals_head = excluded.totals_head, totals_at = excluded.totals_at
                    WHERE history_views.totals_head IS NULL OR history_views.totals_head <= excluded.totals_head`),
      setPaging: p(`INSERT INTO history_views (view, list_after, list_done) VALUES (@view, @after, @done)
                    ON CONFLICT(view) DO UPDATE SET list_after = excluded.list_after, list_done = excluded.list_done`),
      fill: p('SELECT * FROM history_fill WHERE id = 1'),
      fillStep: p('UPDATE history_fill SET after = @after, reached = coalesce(@reached, reached), done = @done, rows = rows + @rows WHERE id = 1'),
      budget: p('UPDATE history_fill SET budget_days = ?, done = CASE WHEN ? > budget_days THEN 0 ELSE done END WHERE id = 1'),
    };
  }

  isComplete(kind: HistoryKind, id: string): boolean {
    return this.s.complete!.get(kind, id) === 1;
  }

  markComplete(kind: HistoryKind, id: string): void {
    (kind === 'conversation' ? this.s.markConversation! : this.s.markChat!).run(id);
  }

  totals(view: string): ViewTotals | null {
    const r = this.s.view!.get(view) as { total: number | null; counts: string | null; totals_head: number; totals_at: number } | undefined;
    if (!r || r.total === null) return null;
    return { total: r.total, counts: json(r.counts) as ListCounts | null, head: r.totals_head, at: r.totals_at };
  }

  /** Kept only if no answer read at a later log head was stored first (answers may arrive out of order). */
  setTotals(view: string, totals: ViewTotals): void {
    this.s.setTotals!.run({ view, total: totals.total, counts: totals.counts ? JSON.stringify(totals.counts) : null, head: totals.head, at: totals.at });
  }

  paging(view: string): ListPaging {
    const r = this.s.view!.get(view) as { list_after: string | null; list_done: number } | undefined;
    const stored = listAfter(r?.list_after ?? null);
    // Nothing stored, or a bare cursor without its count (an older cache): the list pages from its start.
    if (!stored) return { after: null, rows: 0, done: false };
    return { after: stored.cursor, rows: stored.rows, done: r?.list_done === 1 };
  }

  setPaging(view: string, paging: ListPaging): void {
    this.s.setPaging!.run({ view, after: JSON.stringify({ cursor: paging.after, rows: paging.rows }), done: paging.done ? 1 : 0 });
  }

  fill(): FillState {
    const r = this.s.fill!.get() as { budget_days: number; after: string | null; reached: number | null; done: number; rows: number };
    return { budgetDays: r.budget_days, after: json(r.after), reached: r.reached, done: r.done === 1, rows: r.rows };
  }

  fillStep(step: { after: unknown; reached: number | null; done: boolean; rows: number }): void {
    this.s.fillStep!.run({ after: step.after === null ? null : JSON.stringify(step.after), reached: step.reached, done: step.done ? 1 : 0, rows: step.rows });
  }

  /** A longer budget reopens a finished fill (it continues from its cursor); a shorter one keeps what is cached. */
  setBudget(days: number): void {
    this.s.budget!.run(days, days);
  }
}
