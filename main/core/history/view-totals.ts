import type { ConversationListQuery, ListCounts } from '../../../protocol/ipc.ts';
import type { HistoryContext } from './history-context.ts';
import type { ViewTotals } from './history-marks.ts';
import type { LocalCounts } from './local-counts.ts';

/** Totals do not depend on the order: one key per filter combination. */
export function viewKey(q: ConversationListQuery): string {
  return JSON.stringify([q.inboxId, q.channelId, q.folder, q.assignment, q.read, q.tag]);
}

/** The default list of a sidebar entry, whose totals answer carries that entry's counts. */
export function countsQuery(inboxId: string | null, channelId: string | null): ConversationListQuery {
  return { inboxId, channelId, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null };
}

/** Views whose totals are kept current: the ones asked for lately (a person looks at a handful). */
const KEPT_VIEWS = 24;
/** A burst of changes (a catch-up, a colleague closing ten conversations) is asked about once. */
const REASK_DEBOUNCE_MS = 300;
/**
 * How long a list or counts answer waits for a view's first server totals; a slower server answers later
 * (a `changed` event), and the list shows the cache's count meanwhile rather than waiting on it.
 */
const FIRST_ANSWER_WAIT_MS = 250;

/**
 * View totals from the server (over everything the person may see), stored in the cache (history_views) so a
 * restart shows the last known ones at once. A view is asked for the first time it is shown, and again,
 * debounced, after a sync batch or a local action touched the conversation lists. Answers read at an older log
 * head than the stored one are ignored (HistoryMarks.setTotals). What is answered is the stored totals with the
 * local changes the server had not seen when it read them (local-counts.ts), so counts move at once.
 */
export class ViewTotalsService {
  private readonly recent = new Map<string, ConversationListQuery>();
  /** Views whose stored totals may be behind a change seen since. */
  private readonly dirty = new Set<string>();
  private readonly asking = new Map<string, Promise<ViewTotals | null>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: HistoryContext,
    private readonly local: LocalCounts,
  ) {}

  /** The server's totals of a view (with the local changes since): stored ones when fresh, else asked now. Null when offline or unanswered. */
  async totals(q: ConversationListQuery): Promise<ViewTotals | null> {
    const totals = await this.serverTotals(q);
    return totals && this.local.adjust(q, totals);
  }

  private async serverTotals(q: ConversationListQuery): Promise<ViewTotals | null> {
    const key = viewKey(q);
    this.remember(key, q);
    const stored = this.ctx.marks.totals(key);
    if (!this.ctx.online()) return null;
    if (stored && !this.dirty.has(key)) return stored;
    // Stale but known: answer with it now and correct it when the server answers (emits a change).
    if (stored) {
      void this.ask(key, q);
      return stored;
    }
    const asked = this.ask(key, q);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), FIRST_ANSWER_WAIT_MS)));
    const first = await Promise.race([asked, late]).finally(() => clearTimeout(timer));
    if (first !== 'late') return first;
    void asked.then((totals) => {
      if (totals && !this.stopped) this.ctx.emitChanged({ sidebar: true, conversationList: true, conversations: [] });
    });
    return null;
  }

  /** Asks for a view's totals now, however fresh the stored ones, and waits for the answer (null: none came). */
  prefetch(q: ConversationListQuery): Promise<ViewTotals | null> {
    const key = viewKey(q);
    this.remember(key, q);
    if (!this.ctx.online()) return Promise.resolve(null);
    return this.ask(key, q);
  }

  async counts(inboxId: string | null, channelId: string | null): Promise<ListCounts | null> {
    return (await this.totals(countsQuery(inboxId, channelId)))?.counts ?? null;
  }

  /**
   * The lists changed (sync or a local action): every kept view is asked again, once the burst settles. Not
   * while a first sync brings snapshots (they change no server total; the sync's end asks once).
   */
  listsChanged(): void {
    for (const key of this.recent.keys()) this.dirty.add(key);
    if (this.timer || this.stopped || this.ctx.syncing()) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reaskDirty();
    }, REASK_DEBOUNCE_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Local moves every kept view's stored answer already counts are dropped. */
  private forgetSeenMoves(): void {
    const heads = [...this.recent.keys()].map((key) => this.ctx.marks.totals(key)?.head ?? 0);
    if (heads.length > 0) this.local.forgetThrough(Math.min(...heads));
  }

  private remember(key: string, q: ConversationListQuery): void {
    this.recent.delete(key);
    this.recent.set(key, q);
    while (this.recent.size > KEPT_VIEWS) this.recent.delete(this.recent.keys().next().value as string);
  }

  private async reaskDirty(): Promise<void> {
    if (!this.ctx.online()) return;
    const shown = (key: string): string => {
      const stored = this.ctx.marks.totals(key);
      const q = this.recent.get(key);
      return JSON.stringify(stored && q ? this.local.adjust(q, stored) : stored);
    };
    const before = new Map([...this.dirty].map((key) => [key, shown(key)]));
    await Promise.all([...this.dirty].map((key) => this.askAfterRunning(key)));
    if (this.stopped) return;
    const moved = [...before].some(([key, was]) => shown(key) !== was);
    if (moved) this.ctx.emitChanged({ sidebar: true, conversationList: true, conversations: [] });
  }

  /** An answer already on its way may have been read before the change: ask once more after it. */
  private async askAfterRunning(key: string): Promise<void> {
    const running = this.asking.get(key);
    if (running) await running;
    if (!this.stopped && this.dirty.has(key)) await this.ask(key, this.recent.get(key));
  }

  private ask(key: string, q: ConversationListQuery | undefined): Promise<ViewTotals | null> {
    if (!q) return Promise.resolve(null);
    const running = this.asking.get(key);
    if (running) return running;
    this.dirty.delete(key);
    const mark = this.local.outboxMark();
    const job = this.ctx.api
      .totals(this.ctx.link(), { query: q })
      .then((answer) => {
        if (this.stopped || !this.ctx.cache.db.open) return null;
        if (!this.local.settledSince(mark)) return this.ctx.marks.totals(key);
        const totals = { total: answer.total, counts: answer.counts, head: answer.head, at: Date.now() };
        this.ctx.marks.setTotals(key, totals);
        this.forgetSeenMoves();
        return this.ctx.marks.totals(key);
      })
      .catch((err: unknown) => {
        this.ctx.failed(err, 'view totals');
        // Asked again on the next change or page.
        this.dirty.add(key);
        return null;
      })
      .finally(() => this.asking.delete(key));
    this.asking.set(key, job);
    return job;
  }
}
