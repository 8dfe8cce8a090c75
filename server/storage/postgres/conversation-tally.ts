import type { ConversationTallyRow, ConversationTallyScan } from '../history-storage.ts';
import type { Query } from './pool.ts';

/**
 * history-storage.ts conversationTally on PostgreSQL: one grouped scan of the inboxes' conversations with the
 * person's state; the newest inbound message is looked up only when the view filters on unread.
 */
export async function conversationTally(q: Query, userId: string, scan: ConversationTallyScan): Promise<ConversationTallyRow[]> {
  if (scan.inboxIds.length === 0) return [];
  const unread = scan.unread
    ? `coalesce((SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') > coalesce((s.data->>'readAt')::bigint, -1), false)`
    : 'false';
  const { rows } = await q<ConversationTallyRow & Record<string, unknown>>(
    `SELECT c.inbox_id AS "inboxId", c.channel_id AS "channelId", c.status AS status,
       CASE WHEN c.data->>'assigneeId' IS NULL THEN 'none' WHEN c.data->>'assigneeId' = $1 THEN 'me' ELSE 'other' END AS assignee,
       coalesce((s.data->>'archived')::boolean, false) AS archived,
       ${unread} AS unread,
       coalesce(c.data->'participantIds' ? $1, false) AS "withMe",
       ($3::text IS NULL OR coalesce(c.data->'tags' ? $3::text, false)) AS tagged,
       coalesce(c.data->>'previousOfChannelId', '') = '' AS listed,
       count(*)::int AS n
     FROM conversations c
     LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = $1
     WHERE c.inbox_id = ANY($2::text[]) AND ($4::text IS NULL OR c.channel_id = $4)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    [userId, [...scan.inboxIds], scan.tag, scan.channelId],
  );
  return rows;
}
