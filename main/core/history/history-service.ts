import { existsSync, statSync } from 'node:fs';
import { FIRST_LIST_QUERY } from '../../../protocol/history.ts';
import { DEFAULT_HISTORY_BUDGET_DAYS, HISTORY_BUDGET_CHOICES, type ChangedViews, type HistorySettingsView } from '../../../protocol/ipc.ts';
import type { DataFrame, FrameApplier } from '../cache/apply-frame.ts';
import { CACHE_FILE_SUFFIXES, type CacheDb } from '../cache/cache-file.ts';
import type { ConversationListQueries } from '../queries/conversation-list.ts';
import { BackgroundFill, type FillGate } from './background-fill.ts';
import { ContactConversations } from './contact-conversations.ts';
import { historyApi, type HistoryApi, type HistoryLink } from './history-api.ts';
import { HistoryContext } from './history-context.ts';
import { HistoryMarks } from './history-marks.ts';
import { HistoryWriter } from './history-writer.ts';
import { ListPages } from './list-pages.ts';
import { LocalCounts } from './local-counts.ts';
import { MergedSearch } from './merged-search.ts';
import { MessagesThrough } from './messages-through.ts';
import { OlderMessages } from './older-messages.ts';
import { UnreadCheck } from './unread-check.ts';
import { ViewTotalsService } from './view-totals.ts';

export interface HistoryServiceOptions {
  cache: CacheDb;
  applier: FrameApplier;
  lists: ConversationListQueries;
  link: () => HistoryLink;
  online: () => boolean;
  /** The core asks for a window (false: the whole snapshot, as before issue 13). */
  windowed: boolean;
  /** A sync is bringing snapshots now (the window is not whole yet). */
  syncing: () => boolean;
  /** Scopes the current sync is snapshotting (their records may be fetched before the scope is whole). */
  owedScopes: () => ReadonlySet<string>;
  /** Whether the fill may run now (no first sync running, the outbox empty, the link up). */
  fillGate: FillGate;
  emitChanged: (views: ChangedViews) => void;
  log: (line: string) => void;
  /** Tests and the bench: another transport for the same API. */
  api?: HistoryApi;
}

/**
 * Everything of one session that works with a partial cache (issue 13): history on demand for conversations,
 * chats, lists and contacts; view totals from the server; merged search; the background fill and its budget.
 */
export class HistoryService {
  readonly ctx: HistoryContext;
  readonly messages: OlderMessages;
  readonly through: MessagesThrough;
  readonly lists: ListPages;
  readonly totals: ViewTotalsService;
  readonly contacts: ContactConversations;
  readonly search: MergedSearch;
  readonly fill: BackgroundFill;
  readonly unread: UnreadCheck;

  private readonly windowed: boolean;

  constructor(o: HistoryServiceOptions) {
    this.windowed = o.windowed;
    const writer = new HistoryWriter(o.cache, o.applier, o.owedScopes);
    this.ctx = new HistoryContext(o.cache, writer, new HistoryMarks(o.cache), o.api ?? historyApi, o.link, o.online, o.syncing, o.emitChanged, o.log);
    this.messages = new OlderMessages(this.ctx);
    this.through = new MessagesThrough(this.ctx, this.messages);
    this.totals = new ViewTotalsService(this.ctx, new LocalCounts(o.applier.moves, o.cache.userId));
    this.lists = new ListPages(this.ctx, o.lists, this.totals, o.windowed);
    this.contacts = new ContactConversations(this.ctx);
    this.search = new MergedSearch(this.ctx);
    this.fill = new BackgroundFill(this.ctx, o.fillGate);
    this.unread = new UnreadCheck(this.ctx);
    writer.onRows = (ids) => void this.unread.rowsWritten(ids);
  }

  /** Asks the server for the first list's totals now (a windowed first sync); whether they are stored. */
  async prefetchFirstTotals(): Promise<boolean> {
    if (!this.windowed) return false;
    return (await this.totals.prefetch(FIRST_LIST_QUERY)) !== null;
  }

  /** A sync batch or a local action changed these views. */
  changed(views: ChangedViews): void {
    if (views.conversationList) this.totals.listsChanged();
  }

  /** After each applied sync batch; `syncEnded`: the snapshots owed at the welcome are all in. */
  afterBatch(frames: readonly DataFrame[], syncEnded: boolean): void {
    if (frames.some((f) => f.type === 'windowDone')) this.windowDone();
    else if (syncEnded && !this.windowed) this.fullSyncDone();
    if (syncEnded) this.totals.listsChanged();
    this.fill.poke();
  }

  /** A window was completed (first sync, or scopes gained later): lists page from their start again, and the fill may go on. */
  windowDone(): void {
    this.lists.resetPaging();
    void this.unread.windowDone();
    this.fill.poke();
  }

  /** A sync without a window (the full snapshot): everything it brought is whole, and there is nothing to fill. */
  fullSyncDone(): void {
    const db = this.ctx.cache.db;
    this.ctx.cache.write(() => {
      db.prepare(`INSERT OR IGNORE INTO history_complete (kind, id) SELECT 'conversation', id FROM conversations`).run();
      db.prepare(`INSERT OR IGNORE INTO history_complete (kind, id) SELECT 'chat', id FROM chats`).run();
      db.prepare('UPDATE history_fill SET done = 1, after = NULL WHERE id = 1').run();
    });
  }

  settings(): HistorySettingsView {
    const fill = this.ctx.marks.fill();
    return {
      budgetDays: fill.budgetDays || DEFAULT_HISTORY_BUDGET_DAYS,
      choices: HISTORY_BUDGET_CHOICES,
      cacheBytes: cacheBytes(this.ctx.cache.path),
      fill: { done: fill.done, reachedAt: fill.reached, rows: fill.rows },
    };
  }

  setBudget(days: number): HistorySettingsView {
    this.ctx.cache.write(() => this.ctx.marks.setBudget(days));
    this.fill.poke();
    return this.settings();
  }

  stop(): void {
    this.totals.stop();
    this.fill.stop();
  }
}

/** The cache's size on disk: the database file and its write-ahead log. */
function cacheBytes(path: string): number {
  let total = 0;
  for (const suffix of CACHE_FILE_SUFFIXES) {
    const file = `${path}${suffix}`;
    if (existsSync(file)) total += statSync(file).size;
  }
  return total;
}
