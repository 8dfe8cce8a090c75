import type { Message } from '../../../protocol/domain.ts';
import type { MessageCursor, MessagesThroughAnswer, MessagesThroughPage } from '../../../protocol/history.ts';
import { messagesFromMessage, messagesPage, messageViews } from '../queries/messages.ts';
import type { HistoryContext } from './history-context.ts';
import type { OlderMessages } from './older-messages.ts';

/** What the pane shows when the message cannot be reached: the newest page, as when the conversation is opened. */
const NEWEST_PAGE = 50;

const OLDEST_CACHED = 'SELECT created_at AS createdAt, id FROM messages WHERE conversation_id = ? AND local = 0 ORDER BY created_at, id LIMIT 1';

/**
 * A conversation opened at one message (issue 13: a server search hit far back in uncached history). When the
 * message is not cached, the server sends everything below the cache's oldest message down to it, written as
 * one run with the rest (older-messages.ts extends it further back as one scrolls); when more than
 * HISTORY_LIMITS.messagesReach lie between, the page around the message is shown without being kept, so the
 * cache never holds a piece from the middle of a history. Offline: the newest page, `notAvailableOffline`.
 */
export class MessagesThrough {
  constructor(
    private readonly ctx: HistoryContext,
    private readonly older: OlderMessages,
  ) {}

  async page(conversationId: string, messageId: string): Promise<MessagesThroughPage> {
    const cached = messagesFromMessage(this.ctx.cache, conversationId, messageId);
    if (cached) return this.answer(conversationId, cached);
    if (!this.ctx.online()) return this.notReached(conversationId, true);
    let around: Message[] | null = null;
    const outcome = await this.older.exclusive('conversation', conversationId, async () => {
      const answer = await this.fetch(conversationId, messageId);
      if (answer === 'unreachable' || answer === 'refused') return answer;
      around = answer;
      return 'ok';
    });
    if (outcome === 'unreachable') return this.notReached(conversationId, true);
    if (around) return { items: messageViews(this.ctx.cache, conversationId, around), hasMore: false, found: true, around: true };
    const reached = messagesFromMessage(this.ctx.cache, conversationId, messageId);
    return reached ? this.answer(conversationId, reached) : this.notReached(conversationId, false);
  }

  /** Fetches and keeps the run down to the message; returns the messages around it instead when it is too far. */
  private async fetch(conversationId: string, messageId: string): Promise<Message[] | null | 'unreachable' | 'refused'> {
    const { cache, writer, marks } = this.ctx;
    const before = (cache.db.prepare(OLDEST_CACHED).get(conversationId) as MessageCursor | undefined) ?? null;
    const mark = writer.begin();
    let answer: MessagesThroughAnswer;
    try {
      answer = await this.ctx.api.messagesThrough(this.ctx.link(), { conversationId, before, messageId });
    } catch (err) {
      writer.release(mark);
      return this.ctx.failed(err, `messages of conversation ${conversationId} through ${messageId}`);
    }
    if (!cache.db.open) return null;
    // Around: only the conversation's row and contact are kept; the messages are shown, not cached.
    const kept = answer.reach === 'through' ? answer.records : answer.records.filter((r) => r.entity === 'conversation' || r.entity === 'contact');
    const { changed } = writer.write(mark, kept, () => {
      if (answer.reach === 'through' && answer.next === null) marks.markComplete('conversation', conversationId);
    });
    this.ctx.emitChanged(changed);
    if (answer.reach === 'through') return null;
    return answer.records.flatMap((r) => (r.entity === 'message' ? [r.record] : []));
  }

  private answer(conversationId: string, page: { items: MessagesThroughPage['items']; hasMore: boolean }): MessagesThroughPage {
    return { ...page, hasMore: page.hasMore || this.older.mayHaveOlder('conversation', conversationId), found: true, around: false };
  }

  private notReached(conversationId: string, offline: boolean): MessagesThroughPage {
    const newest = messagesPage(this.ctx.cache, conversationId, null, NEWEST_PAGE);
    return { ...newest, found: false, around: false, ...(offline ? { notAvailableOffline: true } : {}) };
  }
}
