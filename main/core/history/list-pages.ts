import type { ConversationListPage, ConversationListQuery, ListCounts } from '../../../protocol/ipc.ts';
import { HISTORY_LIMITS } from '../../../protocol/history.ts';
import type { ConversationListQueries } from '../queries/conversation-list.ts';
import type { HistoryContext } from './history-context.ts';
import { viewKey, type ViewTotalsService } from './view-totals.ts';

/** Server pages fetched for one list request at most (a jump to the far end of a long list fills over several asks). */
const MAX_PAGES_PER_ASK = 5;

/** Paging also depends on the order; totals do not. */
const pagingKey = (q: ConversationListQuery): string => `${viewKey(q)}|${q.sort}`;

/**
 * The window holds a list's newest rows, which in an oldest-first order are its end, not its start: such a list
 * is shown only as far as the server's rows have settled (sent in order up to the paging cursor), never from
 * the cached rows past them, between which uncached ones belong.
 */
const oldestFirst = (q: ConversationListQuery): boolean => q.sort === 'oldestConversations' || q.sort === 'oldestMessages';

/**
 * The conversation lists with a partial cache: rows come from the cache; the total is the server's (so the list
 * is as long as it really is); a page past the cached rows fetches the view's next rows from the server (keyset
 * cursor kept per view in history_views) and writes them into the cache before answering. Offline, the cached
 * rows and counts are answered, labelled.
 */
export class ListPages {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: HistoryContext,
    private readonly lists: ConversationListQueries,
    private readonly totals: ViewTotalsService,
    /** false: the core syncs everything (no window), so the cache's own counts are whole and no server is asked. */
    private readonly windowed: boolean,
  ) {}

  async page(q: ConversationListQuery, offset: number, limit: number): Promise<ConversationListPage> {
    let local = this.lists.page(q, offset, limit);
    if (!this.windowed) return { ...local, totalSource: 'cache' };
    if (!this.ctx.online()) {
      const more = !this.ctx.marks.paging(pagingKey(q)).done && this.ctx.marks.totals(viewKey(q)) !== null;
      if (more && oldestFirst(q) && this.knownLonger(q, local.total)) local = this.settledOnly(q, local, offset);
      const short = local.items.length < limit;
      return { ...local, totalSource: 'cache', notAvailableOffline: more && short && this.knownLonger(q, local.total) };
    }
    const server = await this.totals.totals(q);
    const partial = server !== null && server.total > local.total;
    // While the window arrives, the rows past it are on their way through sync: paging would fetch them twice.
    if (partial && !this.ctx.syncing() && offset + limit > this.reached(q, local.total)) {
      await this.fetchUntil(q, offset + limit);
      local = this.lists.page(q, offset, limit);
    }
    if (partial && oldestFirst(q)) local = this.settledOnly(q, local, offset);
    if (!server) return { ...local, totalSource: 'cache' };
    // The cache may already hold rows the server's answer predates (a change applied after it was read).
    return { ...local, total: Math.max(server.total, local.total), totalSource: 'server' };
  }

  async counts(inboxId: string | null, channelId: string | null): Promise<ListCounts> {
    const server = this.windowed && this.ctx.online() ? await this.totals.counts(inboxId, channelId) : null;
    if (server) return { ...server, source: 'server' };
    return { ...this.lists.counts(inboxId, channelId), source: 'cache' };
  }

  /** Views forget where their paging got to: scopes gained later (a new inbox) bring rows before the cursors. */
  resetPaging(): void {
    this.ctx.cache.db.prepare('UPDATE history_views SET list_after = NULL, list_done = 0').run();
  }

  /** How far from its start the cache holds the list without gaps. */
  private reached(q: ConversationListQuery, cached: number): number {
    return oldestFirst(q) ? this.ctx.marks.paging(pagingKey(q)).rows : cached;
  }

  /** An oldest-first page cut to the settled rows (the next ask fetches on from the cursor). */
  private settledOnly(q: ConversationListQuery, page: ConversationListPage, offset: number): ConversationListPage {
    const paging = this.ctx.marks.paging(pagingKey(q));
    if (paging.done) return page;
    return { ...page, items: page.items.slice(0, Math.max(0, paging.rows - offset)) };
  }

  private knownLonger(q: ConversationListQuery, cached: number): boolean {
    const stored = this.ctx.marks.totals(viewKey(q));
    return stored !== null && stored.total > cached;
  }

  private fetchUntil(q: ConversationListQuery, wanted: number): Promise<void> {
    const key = pagingKey(q);
    const running = this.inFlight.get(key);
    if (running) return running;
    const job = this.ctx.onDemand(() => this.fetchPages(q, key, wanted)).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  private async fetchPages(q: ConversationListQuery, key: string, wanted: number): Promise<void> {
    const { marks, writer } = this.ctx;
    for (let i = 0; i < MAX_PAGES_PER_ASK; i++) {
      const paging = marks.paging(key);
      if (paging.done || this.reached(q, this.lists.page(q, 0, 1).total) >= wanted) return;
      const mark = writer.begin();
      let answer;
      try {
        answer = await this.ctx.api.conversations(this.ctx.link(), {
          query: q,
          after: paging.after as never,
          limit: HISTORY_LIMITS.conversationsPage,
        });
      } catch (err) {
        writer.release(mark);
        this.ctx.failed(err, 'conversation list page');
        return;
      }
      if (!this.ctx.cache.db.open) return;
      const rows = paging.rows + answer.records.filter((r) => r.entity === 'conversation').length;
      const { changed } = writer.write(mark, answer.records, () => marks.setPaging(key, { after: answer.next, rows, done: answer.next === null }));
      this.ctx.emitChanged(changed);
    }
  }
}
