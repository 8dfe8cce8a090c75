import type { AdminTarget } from '../admin/database-args.ts';
import { Domain } from '../domain/domain.ts';
import { SharedRedis } from '../shared-state/redis-connection.ts';
import { RedisCommitPokes } from '../shared-state/redis-commit-pokes.ts';
import { openServerDatabase } from '../storage/server-database.ts';

/**
 * Runs `fn` against the server database from an admin command (another process than the servers): the
 * SQLite file in a data dir (a string, or a target without databaseUrl; WAL lets the server and the command
 * both write), or the PostgreSQL database the instances share. Running servers notice the write by their
 * periodic look at the log's head; with a Redis URL the command also pokes them, so they pass it on at once.
 */
export async function withServerDomain<T>(where: string | AdminTarget, fn: (domain: Domain) => Promise<T>): Promise<T> {
  const target: AdminTarget = typeof where === 'string' ? { dataDir: where } : where;
  const { storage } = await openServerDatabase(target);
  let result: T;
  let head = 0;
  try {
    const domain = await Domain.open({ storage });
    const before = await domain.head();
    try {
      result = await fn(domain);
      head = await domain.head();
      if (head === before) head = 0;
    } finally {
      domain.close();
    }
  } finally {
    await storage.close();
  }
  if (head > 0 && target.redisUrl) await pokeCluster(target.redisUrl, target.redisKeyPrefix, head);
  return result;
}

/** Best effort: the write is committed either way, and the servers' periodic check finds it without the poke. */
async function pokeCluster(redisUrl: string, keyPrefix: string | undefined, head: number): Promise<void> {
  let redis: SharedRedis | null = null;
  try {
    redis = await SharedRedis.connect({ url: redisUrl, keyPrefix, connectTimeoutMs: 3000, log: () => {} });
    await new RedisCommitPokes(redis, () => {}).publish(head);
  } catch (err) {
    console.error(`(the running servers were not poked through Redis: ${err instanceof Error ? err.message : String(err)}; they notice the change within seconds)`);
  } finally {
    await redis?.close();
  }
}
