import type Database from 'better-sqlite3-multiple-ciphers';
import type { ConversationTallyRow, ConversationTallyScan } from '../history-storage.ts';

type TallySql = Omit<ConversationTallyRow, 'archived' | 'unread' | 'withMe' | 'tagged' | 'listed'> & Record<'archived' | 'unread' | 'withMe' | 'tagged' | 'listed', number>;

/**
 * history-storage.ts conversationTally on SQLite: one grouped scan of the inboxes' conversations (index
 * conversations_inbox) with the person's state (conversation_user_states_conversation); the newest inbound
 * message is looked up (messages_conversation) only when the view filters on unread.
 */
export function conversationTally(stmt: (sql: string) => Database.Statement, userId: string, scan: ConversationTallyScan): ConversationTallyRow[] {
  if (scan.inboxIds.length === 0) return [];
  const unread = scan.unread
    ? `coalesce((SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') > coalesce(json_extract(s.data, '$.readAt'), -1), 0)`
    : '0';
  const rows = stmt(
    `SELECT c.inbox_id AS inboxId, c.channel_id AS channelId, c.status AS status,
       CASE WHEN json_extract(c.data, '$.assigneeId') IS NULL THEN 'none' WHEN json_extract(c.data, '$.assigneeId') = @me THEN 'me' ELSE 'other' END AS assignee,
       coalesce(json_extract(s.data, '$.archived'), 0) AS archived,
       ${unread} AS unread,
       EXISTS (SELECT 1 FROM json_each(c.data, '$.participantIds') WHERE value = @me) AS withMe,
       (@tag IS NULL OR EXISTS (SELECT 1 FROM json_each(c.data, '$.tags') WHERE value = @tag)) AS tagged,
       coalesce(json_extract(c.data, '$.previousOfChannelId'), '') = '' AS listed,
       count(*) AS n
     FROM conversations c
     LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = @me
     WHERE c.inbox_id IN (SELECT value FROM json_each(@inboxIds)) ${scan.channelId === null ? '' : 'AND c.channel_id = @channelId'}
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  ).all({
    me: userId,
    tag: scan.tag,
    inboxIds: JSON.stringify(scan.inboxIds),
    ...(scan.channelId === null ? {} : { channelId: scan.channelId }),
  }) as TallySql[];
  return rows.map((r) => ({ ...r, archived: r.archived !== 0, unread: r.unread !== 0, withMe: r.withMe !== 0, tagged: r.tagged !== 0, listed: r.listed !== 0 }));
}
