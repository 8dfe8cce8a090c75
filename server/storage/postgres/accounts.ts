import type { Org, SessionRow, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type AccountMethods = Pick<
  StorageTx,
  | 'getOrg'
  | 'firstOrg'
  | 'putOrg'
  | 'sharedWorkstation'
  | 'setSharedWorkstation'
  | 'getDeviceKey'
  | 'putDeviceKey'
  | 'deleteDeviceKey'
  | 'getPasswordHash'
  | 'setPasswordHash'
  | 'insertSession'
  | 'findSessionByTokenHash'
  | 'revokeSession'
  | 'touchSession'
  | 'deleteExpiredSessions'
>;

const SESSION_COLUMNS =
  'id, user_id AS "userId", token_hash AS "tokenHash", created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"';

/** Organisations, device keys, credentials and sessions. */
export function accountMethods(q: Query): AccountMethods {
  const first = async <T>(sql: string, params: readonly unknown[] = []): Promise<T | null> => ((await q(sql, params)).rows[0] as T | undefined) ?? null;
  return {
    getOrg: (id) => first<Org>('SELECT id, name FROM orgs WHERE id = $1', [id]),
    firstOrg: () => first<Org>('SELECT id, name FROM orgs ORDER BY created_order LIMIT 1'),
    putOrg: async (org) => {
      await q('INSERT INTO orgs (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [org.id, org.name]);
    },
    sharedWorkstation: async (orgId) => (await first<{ shared: boolean }>('SELECT shared_workstation AS shared FROM orgs WHERE id = $1', [orgId]))?.shared === true,
    setSharedWorkstation: async (orgId, on) => {
      await q('UPDATE orgs SET shared_workstation = $1 WHERE id = $2', [on, orgId]);
    },

    getDeviceKey: async (userId, deviceId) =>
      (await first<{ key: string }>('SELECT cache_key AS key FROM device_keys WHERE user_id = $1 AND device_id = $2', [userId, deviceId]))?.key ?? null,
    putDeviceKey: async (userId, deviceId, key, at) => {
      await q(
        `INSERT INTO device_keys (user_id, device_id, cache_key, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, device_id) DO UPDATE SET cache_key = EXCLUDED.cache_key, updated_at = EXCLUDED.updated_at`,
        [userId, deviceId, key, at],
      );
    },
    deleteDeviceKey: async (userId, deviceId) => {
      await q('DELETE FROM device_keys WHERE user_id = $1 AND device_id = $2', [userId, deviceId]);
    },

    getPasswordHash: async (userId) =>
      (await first<{ hash: string }>('SELECT password_hash AS hash FROM credentials WHERE user_id = $1', [userId]))?.hash ?? null,
    setPasswordHash: async (userId, hash) => {
      await q(
        'INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash',
        [userId, hash],
      );
    },
    insertSession: async (s) => {
      await q('INSERT INTO sessions (id, user_id, token_hash, created_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        s.id,
        s.userId,
        s.tokenHash,
        s.createdAt,
        s.lastUsedAt,
        s.revokedAt,
      ]);
    },
    findSessionByTokenHash: (hash) => first<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE token_hash = $1`, [hash]),
    revokeSession: async (id, at) => {
      await q('UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
    },
    touchSession: async (id, at) => {
      await q('UPDATE sessions SET last_used_at = $1 WHERE id = $2 AND last_used_at < $1', [at, id]);
    },
    deleteExpiredSessions: async ({ createdBefore, usedBefore }) =>
      (await q('DELETE FROM sessions WHERE revoked_at IS NOT NULL OR created_at <= $1 OR last_used_at <= $2', [createdBefore, usedBefore])).rowCount ?? 0,
  };
}
