import pg from 'pg';
import type { HousekeepingLock } from '../../domain/housekeeping-lock.ts';

/** Advisory-lock class of housekeeping (the second key is the schema's hash); distinct from the migration and change-log locks. */
const HOUSEKEEPING_LOCK_CLASS = 0x5342484b; // 'SBHK'

export interface PostgresHousekeepingLockOptions {
  url: string;
  /** The schema the instances share (the lock is per schema: instances on other schemas do not wait for each other). */
  schema?: string;
  connectTimeoutMs?: number;
}

/**
 * One housekeeping pass at a time over every instance on this database: `pg_try_advisory_lock` on a
 * connection of its own (not one of the pool's, so a pass's transactions cannot be starved of connections by
 * the lock and the lock never leaks into a pooled connection). A session lock, not a transaction one: a pass is
 * several transactions. If the process dies mid-pass its connection closes and PostgreSQL releases the lock.
 */
export class PostgresHousekeepingLock implements HousekeepingLock {
  private running = false;

  constructor(private readonly options: PostgresHousekeepingLockOptions) {}

  async run<T>(task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.running) return { ran: false };
    this.running = true;
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000 });
    // A connection dropped mid-pass emits here; the pass goes on (its transactions use the pool) and the lock is gone.
    client.on('error', () => {});
    try {
      await client.connect();
      const keys = [HOUSEKEEPING_LOCK_CLASS, this.options.schema ?? ''];
      const { rows } = await client.query<{ won: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS won', keys);
      if (!rows[0]?.won) return { ran: false };
      try {
        return { ran: true, value: await task() };
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', keys).catch(() => {});
      }
    } finally {
      this.running = false;
      await client.end().catch(() => {});
    }
  }
}
