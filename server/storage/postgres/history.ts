import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import type { ConversationFactsRow, HistoryStorage } from '../history-storage.ts';
import { ENTITY_TABLES } from '../sqlite/entity-tables.ts';
import { conversationTally } from './conversation-tally.ts';
import type { Query } from './pool.ts';

type DataRow = { data: unknown };

/** Newest first, strictly before (at, id); `null` → from the newest. */
const beforeParams = (before: { at: number; id: string } | null): [number, string] => (before ? [before.at, before.id] : [Number.MAX_SAFE_INTEGER, '']);
/** Row comparison `(col, id) < ($n, $n+1)`; the '' id of "from the newest" sorts below every id, so the time alone decides. */
const before = (column: string, n: number): string => `(${column} < $${n} OR (${column} = $${n} AND $${n + 1}::text <> '' AND id < $${n + 1}))`;

/** Newest messages a search walks before it asks the full-text index instead. */
const SEARCH_WALK = 5000;

const LIST_COLUMN = { recentConversations: 'conv_key', oldestConversations: 'conv_key', recentMessages: 'rmk', oldestMessages: 'lmk' } as const;
const DESCENDING = new Set(['recentConversations', 'recentMessages']);

/** The window and history reads (PostgreSQL migration 6 columns and indexes). */
export function historyMethods(q: Query): HistoryStorage {
  const all = async <T>(sql: string, params: readonly unknown[]): Promise<T[]> => (await q<DataRow>(sql, params)).rows.map((r) => r.data as T);
  return {
    getMany: async <K extends EntityKind>(kind: K, ids: readonly string[]) =>
      ids.length === 0 ? [] : all<EntityOf<K>>(`SELECT data FROM ${ENTITY_TABLES[kind].table} WHERE id = ANY($1::text[])`, [[...ids]]),

    conversationsByActivity: (inboxId, status, since, b, limit) =>
      all(
        `SELECT data FROM conversations WHERE inbox_id = $1 AND status = $2 AND last_activity_at >= $3 AND ${before('last_activity_at', 4)}
         ORDER BY last_activity_at DESC, id DESC LIMIT $6`,
        [inboxId, status, since, ...beforeParams(b), limit],
      ),
    latestMessagesOf: (conversationIds, perConversation) =>
      conversationIds.length === 0
        ? Promise.resolve([])
        : all(
            `SELECT m.data FROM unnest($1::text[]) AS c(id)
             CROSS JOIN LATERAL (SELECT data FROM messages WHERE conversation_id = c.id ORDER BY created_at DESC, id DESC LIMIT $2) m`,
            [[...conversationIds], perConversation],
          ),
    surveysOfConversations: (conversationIds) =>
      conversationIds.length === 0 ? Promise.resolve([]) : all('SELECT data FROM surveys WHERE conversation_id = ANY($1::text[])', [[...conversationIds]]),
    windowUserStates: (userId, since, afterId, limit) =>
      all(
        `SELECT s.data FROM conversation_user_states s JOIN conversations c ON c.id = s.conversation_id
         WHERE s.user_id = $1 AND s.id > $2 AND (c.status = 'open' OR c.last_activity_at >= $3) ORDER BY s.id LIMIT $4`,
        [userId, afterId, since, limit],
      ),
    windowContactIds: async (inboxIds, since) =>
      (
        await q<{ id: string }>(
          `SELECT DISTINCT contact_id AS id FROM conversations
           WHERE inbox_id = ANY($1::text[]) AND contact_id IS NOT NULL AND (status = 'open' OR last_activity_at >= $2) ORDER BY 1`,
          [[...inboxIds], since],
        )
      ).rows.map((r) => r.id),

    messagesBefore: (conversationId, b, limit) =>
      all(`SELECT data FROM messages WHERE conversation_id = $1 AND ${before('created_at', 2)} ORDER BY created_at DESC, id DESC LIMIT $4`, [
        conversationId,
        ...beforeParams(b),
        limit,
      ]),
    messagesFrom: (conversationId, from, b, limit) =>
      all(
        `SELECT data FROM messages WHERE conversation_id = $1 AND (created_at, id) >= ($5::bigint, $6::text) AND ${before('created_at', 2)}
         ORDER BY created_at, id LIMIT $4`,
        [conversationId, ...beforeParams(b), limit, from.at, from.id],
      ),
    chatMessagesBefore: (chatId, b, limit) =>
      all(`SELECT data FROM chat_messages WHERE chat_id = $1 AND ${before('created_at', 2)} ORDER BY created_at DESC, id DESC LIMIT $4`, [
        chatId,
        ...beforeParams(b),
        limit,
      ]),
    inboxMessagesBefore: (inboxId, olderThan, b, limit) =>
      all(
        `SELECT data FROM messages WHERE inbox_id = $1 AND created_at < $5 AND ${before('created_at', 2)} ORDER BY created_at DESC, id DESC LIMIT $4`,
        [inboxId, ...beforeParams(b), limit, olderThan],
      ),
    chatMessagesOlderThan: (chatId, olderThan, b, limit) =>
      all(
        `SELECT data FROM chat_messages WHERE chat_id = $1 AND created_at < $5 AND ${before('created_at', 2)} ORDER BY created_at DESC, id DESC LIMIT $4`,
        [chatId, ...beforeParams(b), limit, olderThan],
      ),

    conversationList: async (userId, scan) => {
      const column = LIST_COLUMN[scan.sort];
      const desc = DESCENDING.has(scan.sort);
      const params: unknown[] = [userId, scan.inboxId, scan.status, scan.limit];
      const where: string[] = [];
      if (scan.channelId !== null) {
        params.push(scan.channelId);
        where.push(`c.channel_id = $${params.length}`);
      }
      if (scan.after) {
        params.push(scan.after.key ?? -1, scan.after.id);
        const k = `$${params.length - 1}`;
        const i = `$${params.length}`;
        where.push(desc ? `(c.${column} < ${k} OR (c.${column} = ${k} AND c.id < ${i}))` : `(c.${column} > ${k} OR (c.${column} = ${k} AND c.id > ${i}))`);
      }
      const dir = desc ? 'DESC' : 'ASC';
      const { rows } = await q<{ data: EntityOf<'conversation'>; state: EntityOf<'conversationUserState'> | null; last_inbound_at: number | null }>(
        `SELECT c.data, s.data AS state,
           (SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') AS last_inbound_at
         FROM conversations c
         LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = $1
         WHERE c.inbox_id = $2 AND c.status = $3 ${where.map((w) => `AND ${w}`).join(' ')}
         ORDER BY c.${column} ${dir}, c.id ${dir} LIMIT $4`,
        params,
      );
      return rows.map((r): ConversationFactsRow => ({ conversation: r.data, state: r.state, lastInboundAt: r.last_inbound_at }));
    },
    conversationTally: (userId, scan) => conversationTally(q, userId, scan),
    lastInboundOf: async (conversationIds) =>
      conversationIds.length === 0
        ? []
        : (
            await q<{ conversation_id: string; last_inbound_at: number }>(
              `SELECT conversation_id, max(created_at) AS last_inbound_at FROM messages
               WHERE conversation_id = ANY($1::text[]) AND direction = 'in' GROUP BY conversation_id`,
              [[...conversationIds]],
            )
          ).rows.map((r) => ({ conversationId: r.conversation_id, lastInboundAt: Number(r.last_inbound_at) })),
    conversationsOfContact: (contactId, inboxIds, limit) =>
      all('SELECT data FROM conversations WHERE contact_id = $1 AND inbox_id = ANY($2::text[]) ORDER BY last_activity_at DESC, id DESC LIMIT $3', [
        contactId,
        [...inboxIds],
        limit,
      ]),

    searchMessages: async (inboxIds, terms, limit) => {
      if (terms.length === 0 || inboxIds.length === 0) return [];
      // Each term is a prefix. to_tsquery would parse operators in the text, so the query is built from the
      // terms' own lexemes (whatever the person typed becomes words, never syntax), and sent as a value of its own.
      const built = await q<{ query: string | null }>(
        "SELECT string_agg(quote_literal(lexeme) || ':*', ' & ') AS query FROM unnest(to_tsvector('simple', $1)) AS v",
        [terms.join(' ')],
      );
      const query = built.rows[0]?.query ?? null;
      if (query === null) return [];
      // A common word is found walking the newest messages (stops at the page's end); a rare one would walk
      // every message that way, so the walk is bounded and, when it came up short, the GIN index answers
      // (ordered by an expression no index has, which keeps the planner on the index).
      const walked = await q<{ message: EntityOf<'message'>; conversation: EntityOf<'conversation'> }>(
        `SELECT m.data AS message, c.data AS conversation
         FROM (SELECT id, data, conversation_id, inbox_id, created_at, search FROM messages ORDER BY created_at DESC, id DESC LIMIT $4) m
         JOIN conversations c ON c.id = m.conversation_id
         WHERE m.search @@ to_tsquery('simple', $1) AND m.inbox_id = ANY($2::text[])
         ORDER BY m.created_at DESC, m.id DESC LIMIT $3`,
        [query, [...inboxIds], limit, SEARCH_WALK],
      );
      if (walked.rows.length === limit) return walked.rows;
      const { rows } = await q<{ message: EntityOf<'message'>; conversation: EntityOf<'conversation'> }>(
        `SELECT m.data AS message, c.data AS conversation FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.search @@ to_tsquery('simple', $1) AND m.inbox_id = ANY($2::text[])
         ORDER BY m.created_at + 0 DESC, m.id DESC LIMIT $3`,
        [query, [...inboxIds], limit],
      );
      return rows;
    },
    searchContacts: (orgId, userId, text, limit) => {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // search_text (migration 7): name, email, company and phones, read from contacts_search.
      return all(
        `SELECT data FROM contacts
         WHERE org_id = $1 AND (owner_id IS NULL OR owner_id = $2) AND search_text ILIKE $3
         ORDER BY id LIMIT $4`,
        [orgId, userId, like, limit],
      );
    },
  };
}
