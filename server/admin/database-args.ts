import { parseDatabaseUrl } from '../storage/postgres/database-url.ts';
import { checkSchemaName } from '../storage/postgres/pool.ts';
import type { DatabaseLocation } from '../storage/server-database.ts';
import { parseRedisUrl } from '../shared-state/redis-url.ts';

/** The parseArgs options every command that opens the server database takes (the server and the admin commands). */
export const DATABASE_ARGS = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'database-schema': { type: 'string' },
} as const;

export const DATABASE_USAGE = '[--data-dir DIR] [--database-url postgres://… [--database-schema NAME]]';

/** An admin command's database, and the Redis its writes are announced on (so a cluster hears of them at once). */
export interface AdminTarget extends DatabaseLocation {
  redisUrl?: string;
  /** SWITCHBOARD_REDIS_KEY_PREFIX: the servers' prefix (default `switchboard:`), so clusters can share one Redis. */
  redisKeyPrefix?: string;
}

type Values = { 'data-dir'?: string; 'database-url'?: string; 'database-schema'?: string; 'redis-url'?: string };

/**
 * Flags first, then SWITCHBOARD_DATA_DIR / SWITCHBOARD_DATABASE_URL / SWITCHBOARD_DATABASE_SCHEMA /
 * SWITCHBOARD_REDIS_URL / SWITCHBOARD_REDIS_KEY_PREFIX (an empty variable counts as unset, so `SWITCHBOARD_DATABASE_URL= npm start` stays
 * embedded). A malformed URL or schema name is one sentence for the operator, said before anything opens.
 */
export function resolveDatabaseArgs(values: Values, env: NodeJS.ProcessEnv = process.env): { ok: true; target: AdminTarget } | { ok: false; error: string } {
  const dataDir = values['data-dir'] ?? (env.SWITCHBOARD_DATA_DIR || '.data/server');
  const databaseUrl = values['database-url'] ?? (env.SWITCHBOARD_DATABASE_URL || undefined);
  const databaseSchema = values['database-schema'] ?? (env.SWITCHBOARD_DATABASE_SCHEMA || undefined);
  const redisUrl = values['redis-url'] ?? (env.SWITCHBOARD_REDIS_URL || undefined);
  const redisKeyPrefix = env.SWITCHBOARD_REDIS_KEY_PREFIX || undefined;
  if (redisKeyPrefix !== undefined && !/^[\x21-\x7e]{1,64}$/.test(redisKeyPrefix)) {
    return { ok: false, error: 'SWITCHBOARD_REDIS_KEY_PREFIX must be 1-64 printable ASCII characters without spaces' };
  }
  if (databaseUrl !== undefined) {
    const checked = parseDatabaseUrl(databaseUrl);
    if (!checked.ok) return { ok: false, error: checked.error };
  }
  if (databaseSchema !== undefined) {
    if (databaseUrl === undefined) return { ok: false, error: 'SWITCHBOARD_DATABASE_SCHEMA is set without SWITCHBOARD_DATABASE_URL; a schema is a PostgreSQL setting' };
    try {
      checkSchemaName(databaseSchema);
    } catch (err) {
      return { ok: false, error: `SWITCHBOARD_DATABASE_SCHEMA: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (redisUrl !== undefined) {
    const checked = parseRedisUrl(redisUrl);
    if (!checked.ok) return { ok: false, error: checked.error };
  }
  return { ok: true, target: { dataDir, databaseUrl, databaseSchema, redisUrl, redisKeyPrefix } };
}
