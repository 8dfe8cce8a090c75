import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
// The kind → table mapping is engine-neutral (column names and value pickers); both implementations share it.
import { dataSql, ENTITY_TABLES, type EntityTable } from '../sqlite/entity-tables.ts';
import type { ListBy, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type EntityMethods = Pick<
  StorageTx,
  | 'get'
  | 'put'
  | 'remove'
  | 'list'
  | 'findUserByEmail'
  | 'inboxIdsOfUser'
  | 'chatIdsOfUser'
  | 'findLatestConversation'
  | 'findSharedContactByPhone'
  | 'findMessageByProviderId'
  | 'lastInboundMessageAt'
  | 'findChannelByAddress'
  | 'recentMessagesOfConversation'
  | 'listAllChannels'
>;

type DataRow = { data: unknown };

const table = <K extends EntityKind>(kind: K): EntityTable<K> => ENTITY_TABLES[kind] as unknown as EntityTable<K>;

const putSql = new Map<EntityKind, { sql: string; columns: string[] }>();
/** INSERT … ON CONFLICT (id) DO UPDATE: `put` is an upsert. Derived columns come from the conversation row. */
function sqlForPut(kind: EntityKind): { sql: string; columns: string[] } {
  const cached = putSql.get(kind);
  if (cached) return cached;
  const t = ENTITY_TABLES[kind] as EntityTable<EntityKind>;
  const columns = Object.keys(t.columns);
  const derived = Object.entries(t.fromConversation ?? {});
  const conversationParam = `$${columns.indexOf('conversation_id') + 2}`;
  const data = t.fields ? [] : ['data'];
  const names = ['id', ...columns, ...derived.map(([c]) => c), ...data];
  const values = [
    '$1',
    ...columns.map((_, i) => `$${i + 2}`),
    ...derived.map(([, expr]) => `(SELECT ${expr} FROM conversations WHERE id = ${conversationParam})`),
    ...data.map(() => `$${columns.length + 2}::jsonb`),
  ];
  const updates = names.filter((n) => n !== 'id').map((n) => `${n} = EXCLUDED.${n}`);
  const sql = `INSERT INTO ${t.table} (${names.join(', ')}) VALUES (${values.join(', ')}) ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`;
  const entry = { sql, columns };
  putSql.set(kind, entry);
  return entry;
}

export function entityMethods(q: Query): EntityMethods {
  const one = async <T>(sql: string, params: readonly unknown[]): Promise<T | null> => {
    const { rows } = await q<DataRow>(sql, params);
    return rows.length ? (rows[0]!.data as T) : null;
  };
  const all = async <T>(sql: string, params: readonly unknown[]): Promise<T[]> => (await q<DataRow>(sql, params)).rows.map((r) => r.data as T);
  const column = async <T>(sql: string, params: readonly unknown[]): Promise<T[]> =>
    (await q<{ v: T }>(sql, params)).rows.map((r) => r.v);

  return {
    get: (kind, id) => one(`SELECT ${dataSql(table(kind), 'jsonb_build_object')} FROM ${table(kind).table} WHERE id = $1`, [id]),
    put: async (kind, record) => {
      const t = table(kind);
      const { sql } = sqlForPut(kind);
      const values = Object.values(t.columns).map((pick) => pick(record));
      await q(sql, t.fields ? [record.id, ...values] : [record.id, ...values, JSON.stringify(record)]);
      if (kind === 'contact') {
        const contact = record as EntityOf<'contact'>;
        await q('DELETE FROM contact_phones WHERE contact_id = $1', [contact.id]);
        await q('INSERT INTO contact_phones (contact_id, phone) SELECT $1, p FROM unnest($2::text[]) AS p GROUP BY p', [contact.id, contact.phones]);
      } else if (kind === 'chat') {
        const chat = record as EntityOf<'chat'>;
        await q('DELETE FROM chat_members WHERE chat_id = $1', [chat.id]);
        await q('INSERT INTO chat_members (chat_id, user_id) SELECT $1, u FROM unnest($2::text[]) AS u GROUP BY u', [chat.id, chat.memberIds]);
      }
    },
    remove: async (kind, id) => {
      await q(`DELETE FROM ${ENTITY_TABLES[kind].table} WHERE id = $1`, [id]);
    },
    list: async <K extends EntityKind>(kind: K, by: ListBy[K], afterId: string, limit: number) => {
      const t = table(kind);
      const where: string[] = ['id > $1'];
      const params: unknown[] = [afterId, limit];
      for (const [key, value] of Object.entries(by as Record<string, string | null>)) {
        const col = (t.listColumns as Record<string, string>)[key];
        if (!col) throw new Error(`cannot list ${kind} by ${key}`);
        if (value === null) where.push(`${col} IS NULL`);
        else {
          params.push(value);
          where.push(`${col} = $${params.length}`);
        }
      }
      return all<EntityOf<K>>(`SELECT ${dataSql(t, 'jsonb_build_object')} FROM ${t.table} WHERE ${where.join(' AND ')} ORDER BY id LIMIT $2`, params);
    },

    findUserByEmail: (email) => one('SELECT data FROM users WHERE email = $1', [email.toLowerCase()]),
    inboxIdsOfUser: (userId) => column('SELECT inbox_id AS v FROM inbox_members WHERE user_id = $1 ORDER BY inbox_id', [userId]),
    chatIdsOfUser: (userId) => column('SELECT chat_id AS v FROM chat_members WHERE user_id = $1 ORDER BY chat_id', [userId]),
    findLatestConversation: (channelId, address) =>
      one(
        'SELECT data FROM conversations WHERE channel_id = $1 AND customer_address = $2 ORDER BY created_at DESC, id DESC LIMIT 1',
        [channelId, address],
      ),
    findSharedContactByPhone: (orgId, phone) =>
      one(
        `SELECT c.data FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
         WHERE p.phone = $1 AND c.org_id = $2 AND c.owner_id IS NULL ORDER BY c.id LIMIT 1`,
        [phone, orgId],
      ),
    findMessageByProviderId: (channelId, providerId) =>
      one('SELECT data FROM messages WHERE channel_id = $1 AND provider_id = $2', [channelId, providerId]),
    lastInboundMessageAt: async (conversationId) =>
      (await column<number | null>("SELECT max(created_at) AS v FROM messages WHERE conversation_id = $1 AND direction = 'in'", [conversationId]))[0] ??
      null,
    findChannelByAddress: (kind, address) =>
      one("SELECT data FROM channels WHERE data->>'kind' = $1 AND data->>'address' = $2 ORDER BY id LIMIT 1", [kind, address]),
    recentMessagesOfConversation: async (conversationId, limit) =>
      (
        await all<EntityOf<'message'>>('SELECT data FROM messages WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [
          conversationId,
          limit,
        ])
      ).reverse(),
    listAllChannels: () => all('SELECT data FROM channels ORDER BY id', []),
  };
}
