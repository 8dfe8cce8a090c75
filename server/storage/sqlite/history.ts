import type Database from 'better-sqlite3-multiple-ciphers';
import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import type { ConversationFactsRow, ConversationListScan, HistoryStorage } from '../history-storage.ts';
import { conversationTally } from './conversation-tally.ts';
import { ENTITY_TABLES } from './entity-tables.ts';
import type { SyncTx } from './serialised.ts';

type HistoryMethods = Pick<SyncTx, keyof HistoryStorage>;
type DataRow = { data: string };

const parseAll = <T>(rows: unknown[]): T[] => (rows as DataRow[]).map((r) => JSON.parse(r.data) as T);
const ids = (list: readonly string[]): string => JSON.stringify(list);
/** Newest first, strictly before (at, id); `null` → from the newest. */
const beforeParams = (before: { at: number; id: string } | null): [number, string] => (before ? [before.at, before.id] : [Number.MAX_SAFE_INTEGER, '']);
const BEFORE_ANY = (column: string): string => `(${column} < ? OR (${column} = ? AND (? = '' OR id < ?)))`;

/**
 * The list orders' columns (migration 15): conv_key / rmk / lmk are protocol/conversation-views.ts sortKey
 * (lmk keeps "no messages" as -1, below every time, which is where the oldest-messages order puts them).
 */
const LIST_COLUMN = { recentConversations: 'conv_key', oldestConversations: 'conv_key', recentMessages: 'rmk', oldestMessages: 'lmk' } as const;
const DESCENDING = new Set(['recentConversations', 'recentMessages']);

/** The window and history reads (migration 15 columns and indexes) on SQLite. */
export function historyStatements(stmt: (sql: string) => Database.Statement): HistoryMethods {
  const facts = (rows: Array<{ data: string; state: string | null; last_inbound_at: number | null }>): ConversationFactsRow[] =>
    rows.map((r) => ({
      conversation: JSON.parse(r.data) as EntityOf<'conversation'>,
      state: r.state === null ? null : (JSON.parse(r.state) as EntityOf<'conversationUserState'>),
      lastInboundAt: r.last_inbound_at,
    }));

  return {
    getMany: <K extends EntityKind>(kind: K, wanted: readonly string[]) =>
      wanted.length === 0
        ? []
        : parseAll<EntityOf<K>>(stmt(`SELECT data FROM ${ENTITY_TABLES[kind].table} WHERE id IN (SELECT value FROM json_each(?))`).all(ids(wanted))),

    conversationsByActivity: (inboxId, status, since, before, limit) => {
      const [at, id] = beforeParams(before);
      return parseAll(
        stmt(
          `SELECT data FROM conversations INDEXED BY conversations_activity
           WHERE inbox_id = ? AND status = ? AND last_activity_at >= ? AND ${BEFORE_ANY('last_activity_at')}
           ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
        ).all(inboxId, status, since, at, at, id, id, limit),
      );
    },
    latestMessagesOf: (conversationIds, perConversation) => {
      const one = stmt('SELECT data FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT ?');
      return conversationIds.flatMap((c) => parseAll<EntityOf<'message'>>(one.all(c, perConversation)));
    },
    surveysOfConversations: (conversationIds) =>
      conversationIds.length === 0
        ? []
        : parseAll(stmt('SELECT data FROM surveys WHERE conversation_id IN (SELECT value FROM json_each(?))').all(ids(conversationIds))),
    windowUserStates: (userId, since, afterId, limit) =>
      parseAll(
        stmt(
          `SELECT s.data FROM conversation_user_states s JOIN conversations c ON c.id = s.conversation_id
           WHERE s.user_id = ? AND s.id > ? AND (c.status = 'open' OR c.last_activity_at >= ?) ORDER BY s.id LIMIT ?`,
        ).all(userId, afterId, since, limit),
      ),
    windowContactIds: (inboxIds, since) =>
      stmt(
        `SELECT DISTINCT contact_id FROM conversations
         WHERE inbox_id IN (SELECT value FROM json_each(?)) AND contact_id IS NOT NULL AND (status = 'open' OR last_activity_at >= ?)
         ORDER BY contact_id`,
      )
        .pluck()
        .all(ids(inboxIds), since) as string[],

    messagesBefore: (conversationId, before, limit) => {
      const [at, id] = beforeParams(before);
      return parseAll(
        stmt(
          `SELECT data FROM messages INDEXED BY messages_conversation_time WHERE conversation_id = ? AND ${BEFORE_ANY('created_at')}
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        ).all(conversationId, at, at, id, id, limit),
      );
    },
    messagesFrom: (conversationId, from, before, limit) => {
      const [at, id] = beforeParams(before);
      return parseAll(
        stmt(
          `SELECT data FROM messages INDEXED BY messages_conversation_time
           WHERE conversation_id = ? AND (created_at > ? OR (created_at = ? AND id >= ?)) AND ${BEFORE_ANY('created_at')}
           ORDER BY created_at, id LIMIT ?`,
        ).all(conversationId, from.at, from.at, from.id, at, at, id, id, limit),
      );
    },
    chatMessagesBefore: (chatId, before, limit) => {
      const [at, id] = beforeParams(before);
      return parseAll(
        stmt(
          `SELECT data FROM chat_messages WHERE chat_id = ? AND ${BEFORE_ANY('created_at')} ORDER BY created_at DESC, id DESC LIMIT ?`,
        ).all(chatId, at, at, id, id, limit),
      );
    },
    inboxMessagesBefore: (inboxId, olderThan, before, limit) => {
      const [at, id] = beforeParams(before);
      return parseAll(
        stmt(
          `SELECT data FROM messages INDEXED BY messages_inbox_time WHERE inbox_id = ? AND created_at < ? AND ${BEFORE_ANY('created_at')}
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        ).all(inboxId, olderThan, at, at, id, id, limit),
      );
    },
    chatMessagesOlderThan: (chatId, olderThan, before, limit) => {
      const [at, id] = beforeParams(before);
      return parseAll(
        stmt(
          `SELECT data FROM chat_messages WHERE chat_id = ? AND created_at < ? AND ${BEFORE_ANY('created_at')}
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        ).all(chatId, olderThan, at, at, id, id, limit),
      );
    },

    conversationList: (userId, scan: ConversationListScan) => {
      const column = LIST_COLUMN[scan.sort];
      const desc = DESCENDING.has(scan.sort);
      const key = scan.after ? (scan.after.key ?? -1) : null;
      const after = key === null ? '' : desc ? `AND (c.${column} < @key OR (c.${column} = @key AND c.id < @id))` : `AND (c.${column} > @key OR (c.${column} = @key AND c.id > @id))`;
      const dir = desc ? 'DESC' : 'ASC';
      const rows = stmt(
        `SELECT c.data, s.data AS state,
           (SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') AS last_inbound_at
         FROM conversations c INDEXED BY conversations_list_${column === 'conv_key' ? 'conv' : column}
         LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = @userId
         WHERE c.inbox_id = @inboxId AND c.status = @status ${scan.channelId === null ? '' : 'AND c.channel_id = @channelId'} ${after}
         ORDER BY c.${column} ${dir}, c.id ${dir} LIMIT @limit`,
      ).all({
        userId,
        inboxId: scan.inboxId,
        status: scan.status,
        limit: scan.limit,
        ...(scan.channelId === null ? {} : { channelId: scan.channelId }),
        ...(key === null ? {} : { key, id: scan.after?.id }),
      }) as Array<{ data: string; state: string | null; last_inbound_at: number | null }>;
      return facts(rows);
    },
    conversationTally: (userId, scan) => conversationTally(stmt, userId, scan),
    lastInboundOf: (conversationIds) =>
      stmt(
        `SELECT conversation_id AS conversationId, max(created_at) AS lastInboundAt FROM messages
         WHERE conversation_id IN (SELECT value FROM json_each(?)) AND direction = 'in' GROUP BY conversation_id`,
      ).all(ids(conversationIds)) as Array<{ conversationId: string; lastInboundAt: number }>,
    conversationsOfContact: (contactId, inboxIds, limit) =>
      parseAll(
        stmt(
          `SELECT data FROM conversations WHERE contact_id = ? AND inbox_id IN (SELECT value FROM json_each(?))
           ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
        ).all(contactId, ids(inboxIds), limit),
      ),

    searchMessages: (inboxIds, terms, limit) => {
      if (terms.length === 0 || inboxIds.length === 0) return [];
      // Each term quoted (no FTS5 syntax gets through) and taken as a prefix; newest first, so a common word
      // stops at the first `limit` visible matches instead of ranking every match.
      const match = terms.map((t) => `"${t.replaceAll('"', '""')}"*`).join(' AND ');
      const rows = stmt(
        `SELECT m.data AS message, c.data AS conversation FROM message_search f
         JOIN messages m ON m.rowid = f.rowid
         JOIN conversations c ON c.id = m.conversation_id
         WHERE message_search MATCH ? AND m.inbox_id IN (SELECT value FROM json_each(?))
         ORDER BY f.rowid DESC LIMIT ?`,
      ).all(match, ids(inboxIds), limit) as Array<{ message: string; conversation: string }>;
      return rows.map((r) => ({ message: JSON.parse(r.message) as EntityOf<'message'>, conversation: JSON.parse(r.conversation) as EntityOf<'conversation'> }));
    },
    searchContacts: (orgId, userId, text, limit) => {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // search_text (migration 16): name, email, company and phones; contacts_search covers the filter.
      return parseAll(
        stmt(
          `SELECT data FROM contacts WHERE id IN (
             SELECT id FROM contacts INDEXED BY contacts_search
             WHERE org_id = @orgId AND search_text LIKE @like ESCAPE '\\' AND (owner_id IS NULL OR owner_id = @userId)
             ORDER BY id LIMIT @limit)
           ORDER BY id`,
        ).all({ orgId, userId, like, limit }),
      );
    },
  };
}
