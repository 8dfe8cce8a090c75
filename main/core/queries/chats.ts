import type { ChatDetail, ChatMessagesPage, ChatMessageView, Person, PreviousConversation } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { outboxState } from '../outbox.ts';
import { formatAddress } from './rows.ts';
import { permissions } from '../../../protocol/permissions.ts';
import type { Role } from '../../../protocol/domain.ts';

/**
 * Unread messages of a chat for me: others' messages after my read mark, or
 * after my own last message in it (writing in a chat means I read it).
 */
export const CHAT_UNREAD_SQL = `(SELECT count(*) FROM chat_messages m WHERE m.chat_id = c.id AND m.author_id <> @me
   AND m.created_at > max(
     coalesce((SELECT read_at FROM chat_user_state s WHERE s.chat_id = c.id AND s.user_id = @me), -1),
     coalesce((SELECT max(created_at) FROM chat_messages WHERE chat_id = c.id AND author_id = @me), -1)))`;

/** Active people of my organisation other than me: whom I can start a chat with. */
export function peopleList(cache: CacheDb): Person[] {
  return (
    cache.db
      .prepare("SELECT id, name, avatar_color FROM users WHERE status = 'active' AND id <> ? ORDER BY name COLLATE NOCASE")
      .all(cache.userId) as { id: string; name: string; avatar_color: string }[]
  ).map((u) => ({ id: u.id, name: u.name, avatarColor: u.avatar_color }));
}

export function directChatWith(cache: CacheDb, userId: string): string | null {
  const ids = cache.db
    .prepare(
      `SELECT id FROM chats WHERE kind = 'direct' AND json_array_length(member_ids) = 2
         AND EXISTS (SELECT 1 FROM json_each(member_ids) WHERE value = @me)
         AND EXISTS (SELECT 1 FROM json_each(member_ids) WHERE value = @other)`,
    )
    .pluck()
    .all({ me: cache.userId, other: userId }) as string[];
  return ids[0] ?? null;
}

export function chatDetail(cache: CacheDb, chatId: string): ChatDetail | null {
  const row = cache.db.prepare('SELECT id, kind, name, member_ids, created_by FROM chats WHERE id = ?').get(chatId) as
    | { id: string; kind: 'direct' | 'team'; name: string; member_ids: string; created_by: string | null }
    | undefined;
  if (!row) return null;
  const memberIds = JSON.parse(row.member_ids) as string[];
  const users = new Map(
    (cache.db.prepare(`SELECT id, name, avatar_color FROM users WHERE id IN (SELECT value FROM json_each(?))`).all(row.member_ids) as {
      id: string;
      name: string;
      avatar_color: string;
    }[]).map((u) => [u.id, u]),
  );
  const members: Person[] = memberIds.map((id) => {
    const u = users.get(id);
    return { id, name: u?.name ?? 'Former colleague', avatarColor: u?.avatar_color ?? '#64748b' };
  });
  const me = cache.userId;
  const myRole = cache.db.prepare('SELECT role FROM users WHERE id = ?').pluck().get(me) as Role | undefined;
  const createdBy = row.created_by;
  const other = members.find((m) => m.id !== me);
  return {
    id: row.id,
    kind: row.kind,
    name: row.kind === 'direct' ? (other?.name ?? row.name) : row.name,
    members,
    createdBy,
    canRename: row.kind === 'team',
    canManageMembers: row.kind === 'team' && permissions.manageTeamChat(myRole, createdBy, me),
  };
}

interface ChatMessageRow {
  id: string;
  chat_id: string;
  author_id: string;
  body: string;
  created_at: number;
  author_name: string | null;
  o_id: number | null;
  o_state: 'pending' | 'failed' | null;
  o_code: string | null;
  o_message: string | null;
}

/** A chat's messages, oldest first; messages still in the outbox are listed after the server's. */
export function chatMessagesPage(cache: CacheDb, chatId: string, before: number | null, limit: number): ChatMessagesPage {
  const rows = cache.db
    .prepare(
      `SELECT m.id, m.chat_id, m.author_id, m.body, m.created_at, u.name AS author_name, NULL AS o_id, NULL AS o_state, NULL AS o_code, NULL AS o_message
       FROM chat_messages m LEFT JOIN users u ON u.id = m.author_id
       WHERE m.chat_id = @chatId AND m.created_at < @before
       ORDER BY m.created_at DESC, m.rowid DESC LIMIT @limit`,
    )
    .all({ chatId, before: before ?? Number.MAX_SAFE_INTEGER, limit: limit + 1 }) as ChatMessageRow[];
  const hasMore = rows.length > limit;
  const items: ChatMessageView[] = rows
    .slice(0, limit)
    .reverse()
    .map((r) => view(cache, r));
  if (before === null) {
    // Sends not yet acknowledged (no server row yet): shown at the end, marked pending or failed.
    const known = new Set(items.map((i) => i.id));
    const pending = cache.db
      .prepare(
        `SELECT o.mutation_id AS o_id, o.state AS o_state, o.error_code AS o_code, o.error_message AS o_message, o.mutation, o.taken_at
         FROM outbox o WHERE o.name = 'chat.send' ORDER BY o.mutation_id`,
      )
      .all() as { o_id: number; o_state: 'pending' | 'failed'; o_code: string | null; o_message: string | null; mutation: string; taken_at: number }[];
    for (const p of pending) {
      const m = JSON.parse(p.mutation) as { args: { chatId: string; messageId: string; body: string } };
      if (m.args.chatId !== chatId || known.has(m.args.messageId)) continue;
      items.push(
        view(cache, {
          id: m.args.messageId,
          chat_id: chatId,
          author_id: cache.userId,
          body: m.args.body,
          created_at: p.taken_at,
          author_name: null,
          o_id: p.o_id,
          o_state: p.o_state,
          o_code: p.o_code,
          o_message: p.o_message,
        }),
      );
    }
  }
  return { items, hasMore };
}

function view(cache: CacheDb, r: ChatMessageRow): ChatMessageView {
  const mine = r.author_id === cache.userId;
  return {
    id: r.id,
    chatId: r.chat_id,
    authorId: r.author_id,
    authorName: mine ? 'You' : (r.author_name ?? 'Former colleague'),
    body: r.body,
    createdAt: r.created_at,
    mine,
    outbox: r.o_id === null ? null : outboxState({ mutation_id: r.o_id, state: r.o_state ?? 'pending', error_code: r.o_code, error_message: r.o_message }),
  };
}

/** SPEC (11): previous messages of private numbers moved into this inbox, newest first. */
export function previousConversations(cache: CacheDb, inboxId: string): PreviousConversation[] {
  return (
    cache.db
      .prepare(
        `SELECT p.*, ct.name AS contact_name FROM previous_conversations p LEFT JOIN contacts ct ON ct.id = p.contact_id
         WHERE p.inbox_id = ? ORDER BY p.last_message_at DESC`,
      )
      .all(inboxId) as {
      id: string;
      inbox_id: string;
      channel_id: string;
      customer_address: string;
      created_at: number;
      last_message_at: number | null;
      preview: string;
      contact_name: string | null;
    }[]
  ).map((r) => ({
    id: r.id,
    inboxId: r.inbox_id,
    channelId: r.channel_id,
    title: r.contact_name ?? formatAddress(r.customer_address),
    customerAddress: r.customer_address,
    createdAt: r.created_at,
    lastMessageAt: r.last_message_at,
    preview: r.preview,
  }));
}
