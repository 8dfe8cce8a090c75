import type { ChatMessagesPage, MessagesPage } from '../../../protocol/ipc.ts';
import { HISTORY_LIMITS, type MessageCursor } from '../../../protocol/history.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { chatMessagesPage } from '../queries/chats.ts';
import { messagesPage } from '../queries/messages.ts';
import type { HistoryKind } from './history-marks.ts';
import type { HistoryContext } from './history-context.ts';

type FetchOutcome = 'ok' | 'unreachable' | 'refused';

/** A server page is worth its round trip: a few screens at once, so scrolling asks rarely. */
const FETCH_PAGE = 100;

const OLDEST: Record<HistoryKind, string> = {
  conversation: 'SELECT created_at AS createdAt, id FROM messages WHERE conversation_id = ? AND local = 0 ORDER BY created_at, id LIMIT 1',
  chat: 'SELECT created_at AS createdAt, id FROM chat_messages WHERE chat_id = ? ORDER BY created_at, id LIMIT 1',
};
const CACHED: Record<HistoryKind, string> = {
  conversation: 'SELECT 1 FROM conversations WHERE id = ?',
  chat: 'SELECT 1 FROM chats WHERE id = ?',
};

/**
 * History on demand for one conversation or chat: a page read from the cache, and when the cache runs out
 * before the page is full and the older history is not known to be cached, a page fetched from the server
 * (older than the oldest cached message) and written into the cache first. Offline, the cached part is
 * answered with `notAvailableOffline` instead of waiting for a server that cannot answer.
 */
export class OlderMessages {
  /** One fetch per conversation / chat at a time; a second ask waits for the first. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly ctx: HistoryContext) {}

  async conversationPage(conversationId: string, before: number | null, limit: number): Promise<MessagesPage> {
    return this.page('conversation', conversationId, () => messagesPage(this.ctx.cache, conversationId, before, limit), limit);
  }

  async chatPage(chatId: string, before: number | null, limit: number): Promise<ChatMessagesPage> {
    return this.page('chat', chatId, () => chatMessagesPage(this.ctx.cache, chatId, before, limit), limit);
  }

  private async page<P extends { items: unknown[]; hasMore: boolean; notAvailableOffline?: boolean }>(
    kind: HistoryKind,
    id: string,
    read: () => P,
    limit: number,
  ): Promise<P> {
    const local = read();
    if (local.hasMore || !this.mayHaveOlder(kind, id)) return local;
    if (!this.ctx.online()) return { ...local, notAvailableOffline: true };
    const fetched = await this.fetchOlder(kind, id, Math.max(limit, FETCH_PAGE));
    if (fetched === 'unreachable') return { ...local, notAvailableOffline: true };
    // Refused (no longer the person's, or a server without history): what is cached is all there is to show.
    if (fetched === 'refused') return local;
    const again = read();
    // Still short after a page from the server and not known whole: there is more to ask for on the next scroll.
    return { ...again, hasMore: again.hasMore || this.mayHaveOlder(kind, id) };
  }

  /** Whether older messages may exist beyond the cache (the conversation / chat is cached and not marked whole). */
  mayHaveOlder(kind: HistoryKind, id: string): boolean {
    const db = this.ctx.cache.db;
    if (db.prepare(CACHED[kind]).get(id) === undefined) return false;
    return !this.ctx.marks.isComplete(kind, id);
  }

  /** Fetches one server page older than the oldest cached message; 'unreachable' when the server did not answer. */
  fetchOlder(kind: HistoryKind, id: string, limit: number): Promise<FetchOutcome> {
    const running = this.inFlight.get(`${kind}:${id}`);
    if (running) return running.then(() => 'ok' as const);
    return this.exclusive(kind, id, () => this.fetchOnce(kind, id, Math.min(limit, HISTORY_LIMITS.messagesPage)));
  }

  /**
   * Runs a fetch that extends one conversation's (or chat's) cached run, after any other running for it: two
   * fetches reading the same oldest message would write overlapping runs. It counts as on demand (the fill waits).
   */
  exclusive<T>(kind: HistoryKind, id: string, fn: () => Promise<T>): Promise<T> {
    const key = `${kind}:${id}`;
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const job = previous.then(() => this.ctx.onDemand(fn));
    const settled = job.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(key, settled);
    void settled.then(() => {
      if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
    });
    return job;
  }

  private async fetchOnce(kind: HistoryKind, id: string, limit: number): Promise<FetchOutcome> {
    const { cache, writer, marks, link } = this.ctx;
    const before = oldestCached(cache, kind, id);
    const mark = writer.begin();
    let answer;
    try {
      answer =
        kind === 'conversation'
          ? await this.ctx.api.messages(link(), { conversationId: id, before, limit })
          : await this.ctx.api.chatMessages(link(), { chatId: id, before, limit });
    } catch (err) {
      writer.release(mark);
      return this.ctx.failed(err, `older messages of ${kind} ${id}`);
    }
    if (!cache.db.open) return 'ok';
    const { changed } = writer.write(mark, answer.records, () => {
      if (answer.next === null) marks.markComplete(kind, id);
    });
    this.ctx.emitChanged(changed);
    return 'ok';
  }
}

function oldestCached(cache: CacheDb, kind: HistoryKind, id: string): MessageCursor | null {
  return (cache.db.prepare(OLDEST[kind]).get(id) as MessageCursor | undefined) ?? null;
}
