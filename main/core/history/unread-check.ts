import type Database from 'better-sqlite3-multiple-ciphers';
import { HISTORY_LIMITS } from '../../../protocol/history.ts';
import type { HistoryContext } from './history-context.ts';

/**
 * Unread flags of conversations the cache holds only part of (issue 13). A row fetched for a list, a contact or
 * a search hit comes with its last message only; when that is the agent's, a customer's message above it (and
 * so whether the person has read it) is not on the device. Such rows are asked of the server (server-unread.ts
 * via /api/history/unread) and its newest inbound time is merged into the cache, where the unread rule of the
 * lists and the sidebar applies as for any cached inbound message (HistoryWriter.mergeInbound).
 */
/** Rows asked about after a window, newest last message first (a few requests, whatever the workspace size). */
const AFTER_WINDOW = 2_000;

export class UnreadCheck {
  /** Rows the cache cannot judge: not whole, and no cached inbound message as new as their last message. */
  private readonly unsure: Database.Statement<[string], string>;
  private readonly newestUnsure: Database.Statement<[number], string>;

  constructor(private readonly ctx: HistoryContext) {
    this.unsure = ctx.cache.db
      .prepare<[string], string>(
        `SELECT id FROM conversations WHERE id IN (SELECT value FROM json_each(?))
           AND last_message_at IS NOT NULL AND (last_inbound_at IS NULL OR last_inbound_at < last_message_at)
           AND id NOT IN (SELECT id FROM history_complete WHERE kind = 'conversation')`,
      )
      .pluck();
    this.newestUnsure = ctx.cache.db
      .prepare<[number], string>(
        `SELECT id FROM conversations
         WHERE last_message_at IS NOT NULL AND (last_inbound_at IS NULL OR last_inbound_at < last_message_at)
           AND id NOT IN (SELECT id FROM history_complete WHERE kind = 'conversation')
         ORDER BY last_message_at DESC LIMIT ?`,
      )
      .pluck();
  }

  /** After a window: its rows carry their latest messages only, so the newest ones the cache cannot judge are asked about. */
  windowDone(): Promise<void> {
    if (!this.ctx.online() || !this.ctx.cache.db.open) return Promise.resolve();
    return this.rowsWritten(this.newestUnsure.all(AFTER_WINDOW));
  }

  /** Rows a history write added: those the cache cannot judge are asked about (in the background). */
  rowsWritten(conversationIds: readonly string[]): Promise<void> {
    if (!this.ctx.online() || !this.ctx.cache.db.open) return Promise.resolve();
    const ids = this.unsure.all(JSON.stringify(conversationIds));
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += HISTORY_LIMITS.conversationsPage) chunks.push(ids.slice(i, i + HISTORY_LIMITS.conversationsPage));
    return Promise.all(chunks.map((chunk) => this.ask(chunk))).then(() => undefined);
  }

  private async ask(conversationIds: string[]): Promise<void> {
    try {
      const answer = await this.ctx.api.unread(this.ctx.link(), { conversationIds });
      if (!this.ctx.cache.db.open) return;
      const inbound = answer.conversations.flatMap((c) => (c.lastInboundAt === null ? [] : [{ id: c.id, lastInboundAt: c.lastInboundAt }]));
      if (inbound.length === 0) return;
      const changed = this.ctx.writer.mergeInbound(inbound);
      this.ctx.emitChanged(changed);
    } catch (err) {
      // The row keeps the cache's own judgement; the next change to it brings its messages.
      this.ctx.failed(err, 'unread check');
    }
  }
}
