import type { Attachment, Message } from '../../../protocol/domain.ts';
import type { MessagesPage, MessageView } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { outboxState } from '../outbox.ts';
import { formatAddress } from './rows.ts';
import { surveysOfMessages } from './surveys.ts';

interface MessageRow {
  id: string;
  conversation_id: string;
  direction: Message['direction'];
  author_type: Message['authorType'];
  author_id: string | null;
  body: string;
  attachments: string;
  status: Message['status'];
  status_reason: string | null;
  provider_id: string | null;
  created_at: number;
  user_name: string | null;
  o_id: number | null;
  o_state: 'pending' | 'failed' | null;
  o_code: string | null;
  o_message: string | null;
}

const MESSAGE_ROWS = `SELECT m.*, u.name AS user_name, o.mutation_id AS o_id, o.state AS o_state, o.error_code AS o_code, o.error_message AS o_message
       FROM messages m
       LEFT JOIN users u ON m.author_type = 'user' AND u.id = m.author_id
       LEFT JOIN outbox o ON o.message_id = m.id`;

/** A conversation's messages, oldest first, newest page unless `before` is given. */
export function messagesPage(cache: CacheDb, conversationId: string, before: number | null, limit: number): MessagesPage {
  const rows = cache.db
    .prepare(`${MESSAGE_ROWS} WHERE m.conversation_id = @conversationId AND m.created_at < @before ORDER BY m.created_at DESC, m.rowid DESC LIMIT @limit`)
    .all({ conversationId, before: before ?? Number.MAX_SAFE_INTEGER, limit: limit + 1 }) as MessageRow[];
  const hasMore = rows.length > limit;
  return { items: views(cache, conversationId, rows.slice(0, limit).reverse()), hasMore };
}

/**
 * A conversation's cached messages from one message on (it and everything newer), oldest first; `hasMore`: older
 * ones are cached. Null when that message is not cached (issue 13: a search hit in uncached history).
 */
export function messagesFromMessage(cache: CacheDb, conversationId: string, messageId: string): MessagesPage | null {
  const db = cache.db;
  const at = db.prepare('SELECT created_at FROM messages WHERE id = ? AND conversation_id = ?').pluck().get(messageId, conversationId) as number | undefined;
  if (at === undefined) return null;
  const rows = db.prepare(`${MESSAGE_ROWS} WHERE m.conversation_id = ? AND m.created_at >= ? ORDER BY m.created_at, m.rowid`).all(conversationId, at) as MessageRow[];
  const hasMore = db.prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND created_at < ? LIMIT 1').get(conversationId, at) !== undefined;
  return { items: views(cache, conversationId, rows), hasMore };
}

/** Messages read from the server and not kept (the page around a search hit), shown like cached ones. */
export function messageViews(cache: CacheDb, conversationId: string, messages: readonly Message[]): MessageView[] {
  const names = cache.db.prepare('SELECT name FROM users WHERE id = ?').pluck();
  const rows = [...messages]
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    .map((m): MessageRow => ({
      id: m.id,
      conversation_id: m.conversationId,
      direction: m.direction,
      author_type: m.authorType,
      author_id: m.authorId,
      body: m.body,
      attachments: JSON.stringify(m.attachments),
      status: m.status,
      status_reason: m.statusReason,
      provider_id: m.providerId,
      created_at: m.createdAt,
      user_name: m.authorType === 'user' && m.authorId ? ((names.get(m.authorId) as string | undefined) ?? null) : null,
      o_id: null,
      o_state: null,
      o_code: null,
      o_message: null,
    }));
  return views(cache, conversationId, rows);
}

function views(cache: CacheDb, conversationId: string, rows: readonly MessageRow[]): MessageView[] {
  const conv = cache.db
    .prepare(`SELECT c.customer_address, ct.name FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?`)
    .get(conversationId) as { customer_address: string; name: string | null } | undefined;
  const customer = conv ? (conv.name ?? formatAddress(conv.customer_address)) : 'Customer';
  const surveys = surveysOfMessages(cache, conversationId);
  return rows.map((r) => ({ ...toView(r, customer), survey: surveys.get(r.id) ?? null }));
}

function toView(r: MessageRow, customer: string): MessageView {
  const outbox = r.o_id !== null && r.o_state !== null
    ? outboxState({ mutation_id: r.o_id, state: r.o_state, error_code: r.o_code, error_message: r.o_message })
    : null;
  return {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction,
    authorType: r.author_type,
    authorId: r.author_id,
    body: r.body,
    attachments: JSON.parse(r.attachments) as Attachment[],
    status: r.status,
    statusReason: r.status_reason,
    providerId: r.provider_id,
    createdAt: r.created_at,
    authorName: r.author_type === 'user' ? (r.user_name ?? 'Teammate') : r.author_type === 'contact' ? customer : r.direction === 'out' ? 'Automatic reply' : 'Switchboard',
    outbox,
    displayStatus: outbox ? outbox.state : r.status,
  };
}
