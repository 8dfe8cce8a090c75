import { MutationResult } from '../../../protocol/mutations.ts';
import type { ProviderConfigRow, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type SettingMethods = Pick<
  StorageTx,
  | 'findMutationResult'
  | 'lastMutationId'
  | 'recordMutationResult'
  | 'pruneMutationResults'
  | 'getServerSecret'
  | 'addServerSecret'
  | 'getMeta'
  | 'setMeta'
  | 'getProviderConfig'
  | 'findProviderConfig'
  | 'putProviderConfig'
  | 'listProviderConfigs'
  | 'deleteProviderConfig'
>;

const PROVIDER_COLUMNS =
  'channel_id AS "channelId", provider, address, messaging_service_sid AS "messagingServiceSid", config, updated_at AS "updatedAt"';

/** The mutation ledger, server secrets, meta settings and channel provider configuration. */
export function settingMethods(q: Query): SettingMethods {
  const value = async <T>(sql: string, params: readonly unknown[]): Promise<T | null> =>
    ((await q<{ v: T }>(sql, params)).rows[0]?.v as T | undefined) ?? null;
  const providerRows = async (sql: string, params: readonly unknown[]): Promise<ProviderConfigRow[]> =>
    (await q<ProviderConfigRow & Record<string, unknown>>(sql, params)).rows;

  return {
    findMutationResult: async (userId, clientId, mutationId) => {
      const raw = await value<unknown>('SELECT result AS v FROM client_mutations WHERE user_id = $1 AND client_id = $2 AND mutation_id = $3', [
        userId,
        clientId,
        mutationId,
      ]);
      return raw === null ? null : MutationResult.parse(raw);
    },
    lastMutationId: async (userId, clientId) =>
      (await value<number>('SELECT max(mutation_id) AS v FROM client_mutations WHERE user_id = $1 AND client_id = $2', [userId, clientId])) ?? 0,
    recordMutationResult: async (userId, clientId, mutationId, result, at) => {
      await q('INSERT INTO client_mutations (user_id, client_id, mutation_id, result, applied_at) VALUES ($1, $2, $3, $4::jsonb, $5)', [
        userId,
        clientId,
        mutationId,
        JSON.stringify(result),
        at,
      ]);
    },
    // Each client's latest answer stays whatever its age: lastMutationId must stay true (no id is ever reused).
    pruneMutationResults: async (before) =>
      (
        await q(
          `DELETE FROM client_mutations AS m WHERE m.applied_at < $1 AND m.mutation_id <
             (SELECT max(l.mutation_id) FROM client_mutations l WHERE l.user_id = m.user_id AND l.client_id = m.client_id)`,
          [before],
        )
      ).rowCount ?? 0,

    getServerSecret: (name) => value<string>('SELECT value AS v FROM server_secrets WHERE name = $1', [name]),
    addServerSecret: async (name, secret, at) =>
      ((await q('INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, secret, at])).rowCount ??
        0) > 0,

    getMeta: (key) => value<string>('SELECT value AS v FROM meta WHERE key = $1', [key]),
    setMeta: async (key, v) => {
      await q('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, v]);
    },

    getProviderConfig: async (channelId) =>
      (await providerRows(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE channel_id = $1`, [channelId]))[0] ?? null,
    findProviderConfig: async (provider, by) =>
      (
        await ('address' in by
          ? providerRows(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE provider = $1 AND address = $2 ORDER BY channel_id LIMIT 1`, [
              provider,
              by.address,
            ])
          : providerRows(
              `SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE provider = $1 AND messaging_service_sid = $2 ORDER BY channel_id LIMIT 1`,
              [provider, by.messagingServiceSid],
            ))
      )[0] ?? null,
    listProviderConfigs: (provider) => providerRows(`SELECT ${PROVIDER_COLUMNS} FROM channel_provider_config WHERE provider = $1 ORDER BY channel_id`, [provider]),
    deleteProviderConfig: async (channelId) => {
      await q('DELETE FROM channel_provider_config WHERE channel_id = $1', [channelId]);
    },
    putProviderConfig: async (row) => {
      await q(
        `INSERT INTO channel_provider_config (channel_id, provider, address, messaging_service_sid, config, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel_id) DO UPDATE SET provider = EXCLUDED.provider, address = EXCLUDED.address,
           messaging_service_sid = EXCLUDED.messaging_service_sid, config = EXCLUDED.config, updated_at = EXCLUDED.updated_at`,
        [row.channelId, row.provider, row.address, row.messagingServiceSid, row.config, row.updatedAt],
      );
    },
  };
}
