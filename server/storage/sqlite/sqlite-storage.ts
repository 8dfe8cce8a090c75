import Database from 'better-sqlite3-multiple-ciphers';
import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import { MutationResult } from '../../../protocol/mutations.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { ChangeEntry } from '../../../protocol/sync.ts';
import type { ListBy, NewChange, Org, ProviderConfigRow, SessionRow, Storage } from '../storage.ts';
import { serialisedTransactions, type SyncTx } from './serialised.ts';
import { ENTITY_TABLES, type EntityTable } from './entity-tables.ts';
import { migrate } from './migrations.ts';
import { sendJobStatements } from './send-jobs.ts';
import { attachmentStatements } from './attachments.ts';
import { assistantStatements } from './assistant-storage.ts';
import { surveyStatements } from './surveys.ts';
import { historyStatements } from './history.ts';

export interface SqliteStorageOptions {
  /** File path, or ':memory:' for throwaway stores in tests. */
  file: string;
  /**
   * FULL (default): a commit is on disk when it returns, so a 200 to a provider's webhook or an ack to a
   * client survives a power cut. NORMAL is faster in WAL mode but the last commits may be lost on a crash
   * of the machine; only the ingest bench sets it, to print the difference.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

type Row = Record<string, unknown>;

const PROVIDER_COLUMNS =
  'channel_id AS channelId, provider, address, messaging_service_sid AS messagingServiceSid, config, updated_at AS updatedAt';

/** better-sqlite3 implementation of the storage boundary. One connection per process. */
export function openSqliteStorage(options: SqliteStorageOptions): Storage {
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const statements = new Map<string, Database.Statement>();
  const stmt = (sql: string): Database.Statement => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const table = <K extends EntityKind>(kind: K): EntityTable<K> => ENTITY_TABLES[kind] as unknown as EntityTable<K>;
  const parse = <T>(row: unknown): T | null => (row ? (JSON.parse((row as { data: string }).data) as T) : null);

  const putSql = new Map<EntityKind, string>();
  const sqlForPut = (kind: EntityKind): string => {
    const cached = putSql.get(kind);
    if (cached) return cached;
    const t = ENTITY_TABLES[kind] as EntityTable<EntityKind>;
    const cols = Object.keys(t.columns);
    const derived = Object.entries(t.fromConversation ?? {});
    const names = ['id', ...cols, ...derived.map(([c]) => c), 'data'];
    const values = [
      '@id',
      ...cols.map((c) => `@${c}`),
      ...derived.map(([, expr]) => `(SELECT ${expr} FROM conversations WHERE id = @conversation_id)`),
      '@data',
    ];
    const updates = names.filter((n) => n !== 'id').map((n) => `${n} = excluded.${n}`);
    const sql = `INSERT INTO ${t.table} (${names.join(', ')}) VALUES (${values.join(', ')}) ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}`;
    putSql.set(kind, sql);
    return sql;
  };

  const tx: SyncTx = {
    getOrg: (id) => (stmt('SELECT id, name FROM orgs WHERE id = ?').get(id) as Org | undefined) ?? null,
    firstOrg: () => (stmt('SELECT id, name FROM orgs ORDER BY rowid LIMIT 1').get() as Org | undefined) ?? null,
    putOrg: (org) => {
      stmt('INSERT INTO orgs (id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name').run(org.id, org.name);
    },
    sharedWorkstation: (orgId) => stmt('SELECT shared_workstation FROM orgs WHERE id = ?').pluck().get(orgId) === 1,
    setSharedWorkstation: (orgId, on) => {
      stmt('UPDATE orgs SET shared_workstation = ? WHERE id = ?').run(on ? 1 : 0, orgId);
    },

    getDeviceKey: (userId, deviceId) =>
      (stmt('SELECT cache_key FROM device_keys WHERE user_id = ? AND device_id = ?').pluck().get(userId, deviceId) as string | undefined) ?? null,
    putDeviceKey: (userId, deviceId, key, at) => {
      stmt(
        `INSERT INTO device_keys (user_id, device_id, cache_key, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(user_id, device_id) DO UPDATE SET cache_key = excluded.cache_key, updated_at = excluded.updated_at`,
      ).run(userId, deviceId, key, at);
    },
    deleteDeviceKey: (userId, deviceId) => {
      stmt('DELETE FROM device_keys WHERE user_id = ? AND device_id = ?').run(userId, deviceId);
    },

    get: (kind, id) => parse(stmt(`SELECT data FROM ${table(kind).table} WHERE id = ?`).get(id)),
    put: (kind, record) => {
      const t = table(kind);
      const params: Record<string, string | number | null> = { id: record.id, data: JSON.stringify(record) };
      for (const [col, pick] of Object.entries(t.columns)) params[col] = pick(record);
      stmt(sqlForPut(kind)).run(params);
      if (kind === 'contact') {
        const contact = record as EntityOf<'contact'>;
        stmt('DELETE FROM contact_phones WHERE contact_id = ?').run(contact.id);
        for (const phone of new Set(contact.phones)) stmt('INSERT INTO contact_phones (contact_id, phone) VALUES (?, ?)').run(contact.id, phone);
      } else if (kind === 'chat') {
        const chat = record as EntityOf<'chat'>;
        stmt('DELETE FROM chat_members WHERE chat_id = ?').run(chat.id);
        for (const userId of new Set(chat.memberIds)) stmt('INSERT INTO chat_members (chat_id, user_id) VALUES (?, ?)').run(chat.id, userId);
      }
    },
    remove: (kind, id) => {
      stmt(`DELETE FROM ${ENTITY_TABLES[kind].table} WHERE id = ?`).run(id);
    },
    list: <K extends EntityKind>(kind: K, by: ListBy[K], afterId: string, limit: number) => {
      const t = table(kind);
      const where: string[] = ['id > @afterId'];
      const params: Record<string, string | number | null> = { afterId, limit };
      for (const [key, value] of Object.entries(by as Record<string, string | null>)) {
        const column = (t.listColumns as Record<string, string>)[key];
        if (!column) throw new Error(`cannot list ${kind} by ${key}`);
        if (value === null) where.push(`${column} IS NULL`);
        else {
          where.push(`${column} = @${key}`);
          params[key] = value;
        }
      }
      const rows = stmt(`SELECT data FROM ${t.table} WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params);
      return rows.map((r) => parse<EntityOf<K>>(r) as EntityOf<K>);
    },

    findUserByEmail: (email) => parse(stmt('SELECT data FROM users WHERE email = ?').get(email.toLowerCase())),
    inboxIdsOfUser: (userId) => stmt('SELECT inbox_id FROM inbox_members WHERE user_id = ? ORDER BY inbox_id').pluck().all(userId) as string[],
    chatIdsOfUser: (userId) => stmt('SELECT chat_id FROM chat_members WHERE user_id = ? ORDER BY chat_id').pluck().all(userId) as string[],
    findLatestConversation: (channelId, address) =>
      parse(
        stmt(
          'SELECT data FROM conversations WHERE channel_id = ? AND customer_address = ? ORDER BY created_at DESC, id DESC LIMIT 1',
        ).get(channelId, address),
      ),
    findSharedContactByPhone: (orgId, phone) =>
      parse(
        stmt(
          `SELECT c.data FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
           WHERE p.phone = ? AND c.org_id = ? AND c.owner_id IS NULL ORDER BY c.id LIMIT 1`,
        ).get(phone, orgId),
      ),
    findMessageByProviderId: (channelId, providerId) =>
      parse(stmt('SELECT data FROM messages WHERE channel_id = ? AND provider_id = ?').get(channelId, providerId)),
    lastInboundMessageAt: (conversationId) =>
      (stmt("SELECT MAX(created_at) FROM messages WHERE conversation_id = ? AND direction = 'in'").pluck().get(conversationId) as
        | number
        | null) ?? null,
    findChannelByAddress: (kind, address) =>
      parse(
        stmt("SELECT data FROM channels WHERE json_extract(data, '$.kind') = ? AND json_extract(data, '$.address') = ? ORDER BY id LIMIT 1").get(
          kind,
          address,
        ),
      ),
    recentMessagesOfConversation: (conversationId, limit) =>
      (
        stmt('SELECT data FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(conversationId, limit) as Array<{
          data: string;
        }>
      )
        .map((r) => parse<EntityOf<'message'>>(r) as EntityOf<'message'>)
        .reverse(),

    getPasswordHash: (userId) =>
      (stmt('SELECT password_hash FROM credentials WHERE user_id = ?').pluck().get(userId) as string | undefined) ?? null,
    setPasswordHash: (userId, hash) => {
      stmt(
        'INSERT INTO credentials (user_id, password_hash) VALUES (?, ?) ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash',
      ).run(userId, hash);
    },
    insertSession: (s) => {
      stmt('INSERT INTO sessions (id, user_id, token_hash, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        s.id,
        s.userId,
        s.tokenHash,
        s.createdAt,
        s.lastUsedAt,
        s.revokedAt,
      );
    },
    findSessionByTokenHash: (hash) => {
      const row = stmt('SELECT id, user_id, token_hash, created_at, last_used_at, revoked_at FROM sessions WHERE token_hash = ?').get(hash) as
        | Row
        | undefined;
      if (!row) return null;
      const session: SessionRow = {
        id: row.id as string,
        userId: row.user_id as string,
        tokenHash: row.token_hash as string,
        createdAt: row.created_at as number,
        lastUsedAt: row.last_used_at as number,
        revokedAt: (row.revoked_at as number | null) ?? null,
      };
      return session;
    },
    revokeSession: (id, at) => {
      stmt('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
    },
    touchSession: (id, at) => {
      stmt('UPDATE sessions SET last_used_at = ? WHERE id = ? AND last_used_at < ?').run(at, id, at);
    },
    deleteExpiredSessions: ({ createdBefore, usedBefore }) =>
      stmt('DELETE FROM sessions WHERE revoked_at IS NOT NULL OR created_at <= ? OR last_used_at <= ?').run(createdBefore, usedBefore).changes,

    appendChange: (change: NewChange) => {
      const record = change.op === 'put' ? JSON.stringify(change.record) : null;
      const info = stmt('INSERT INTO changes (scope, entity, op, entity_id, record) VALUES (?, ?, ?, ?, ?)').run(
        change.scope,
        change.entity,
        change.op,
        change.id,
        record,
      );
      return Number(info.lastInsertRowid);
    },
    readChanges: (afterSeq: number, scopes: readonly Scope[], limit: number) => {
      if (scopes.length === 0 || limit <= 0) return [];
      const rows = stmt(
        `SELECT seq, scope, entity, op, entity_id, record FROM changes
         WHERE seq > ? AND scope IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
      ).all(afterSeq, JSON.stringify(scopes), limit) as Row[];
      return rows.map(changeEntryOf);
    },
    readAllChanges: (afterSeq: number, limit: number) => {
      if (limit <= 0) return [];
      const rows = stmt('SELECT seq, scope, entity, op, entity_id, record FROM changes WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[];
      return rows.map(changeEntryOf);
    },
    head: () => {
      // sqlite_sequence survives compaction, unlike MAX(seq) over the remaining rows.
      const seq = stmt("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").pluck().get() as number | undefined;
      return seq ?? 0;
    },
    compactedThrough: () => Number(tx.getMeta('compacted_through') ?? '0'),
    compactChanges: (throughSeq) => {
      const through = Math.max(throughSeq, tx.compactedThrough());
      stmt('DELETE FROM changes WHERE seq <= ?').run(through);
      tx.setMeta('compacted_through', String(through));
    },

    findMutationResult: (userId, clientId, mutationId) => {
      const raw = stmt('SELECT result FROM client_mutations WHERE user_id = ? AND client_id = ? AND mutation_id = ?')
        .pluck()
        .get(userId, clientId, mutationId) as string | undefined;
      return raw ? MutationResult.parse(JSON.parse(raw)) : null;
    },
    lastMutationId: (userId, clientId) =>
      (stmt('SELECT MAX(mutation_id) FROM client_mutations WHERE user_id = ? AND client_id = ?').pluck().get(userId, clientId) as
        | number
        | null) ?? 0,
    recordMutationResult: (userId, clientId, mutationId, result, at) => {
      stmt('INSERT INTO client_mutations (user_id, client_id, mutation_id, result, applied_at) VALUES (?, ?, ?, ?, ?)').run(
        userId,
        clientId,
        mutationId,
        JSON.stringify(result),
        at,
      );
    },

    pruneMutationResults: (before) =>
      stmt(
        `DELETE FROM client_mutations AS m WHERE m.applied_at < ? AND m.mutation_id <
           (SELECT MAX(l.mutation_id) FROM client_mutations l WHERE l.user_id = m.user_id AND l.client_id = m.client_id)`,
      ).run(before).changes,

    getServerSecret: (name) => (stmt('SELECT value FROM server_secrets WHERE name = ?').pluck().get(name) as string | undefined) ?? null,
    addServerSecret: (name, value, at) => stmt('INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING').run(name, value, at).changes > 0,

    getMeta: (key) => (stmt('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null,
    setMeta: (key, value) => {
      stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
    },

    getProviderConfig: (channelId) =>
      (stmt(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE channel_id = ?`).get(channelId) as ProviderConfigRow | undefined) ?? null,
    findProviderConfig: (provider, by) =>
      ((('address' in by)
        ? stmt(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE provider = ? AND address = ? ORDER BY channel_id LIMIT 1`).get(provider, by.address)
        : stmt(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE provider = ? AND messaging_service_sid = ? ORDER BY channel_id LIMIT 1`).get(
            provider,
            by.messagingServiceSid,
          )) as ProviderConfigRow | undefined) ?? null,
    listProviderConfigs: (provider) =>
      stmt(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE provider = ? ORDER BY channel_id`).all(provider) as ProviderConfigRow[],
    deleteProviderConfig: (channelId) => {
      stmt('DELETE FROM channel_provider_config WHERE channel_id = ?').run(channelId);
    },
    listAllChannels: () => (stmt('SELECT data FROM channels ORDER BY id').all() as Array<{ data: string }>).map((r) => JSON.parse(r.data) as EntityOf<'channel'>),
    putProviderConfig: (row) => {
      stmt(
        `INSERT INTO channel_provider_config (channel_id, provider, address, messaging_service_sid, config, updated_at)
         VALUES (@channelId, @provider, @address, @messagingServiceSid, @config, @updatedAt)
         ON CONFLICT(channel_id) DO UPDATE SET provider = excluded.provider, address = excluded.address,
           messaging_service_sid = excluded.messaging_service_sid, config = excluded.config, updated_at = excluded.updated_at`,
      ).run(row);
    },
    ...sendJobStatements(stmt),
    ...attachmentStatements(stmt),
    ...assistantStatements(stmt),
    ...surveyStatements(stmt),
    ...historyStatements(stmt),
  };

  return serialisedTransactions(db, tx);
}

function changeEntryOf(r: Row): ChangeEntry {
  const base = { seq: r.seq as number, scope: r.scope as Scope };
  if (r.op === 'put') return { ...base, op: 'put', entity: r.entity, record: JSON.parse(r.record as string) } as ChangeEntry;
  return { ...base, op: 'delete', entity: r.entity as EntityKind, id: r.entity_id as string };
}
