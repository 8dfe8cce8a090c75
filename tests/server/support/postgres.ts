import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the machines run (README "Running the tests": 127.0.0.1:5432, trust auth, database `test`);
 * SWITCHBOARD_TEST_DATABASE_URL overrides it. The user is PGUSER's, else `postgres`.
 */
export const TEST_DATABASE_URL =
  process.env.SWITCHBOARD_TEST_DATABASE_URL ?? `postgres://${encodeURIComponent(process.env.PGUSER ?? 'postgres')}@127.0.0.1:5432/test`;

export interface TestDatabase {
  /** URL of a fresh, empty database only this test file uses. */
  url: string;
  /** Terminates its connections and drops it. */
  drop(): Promise<void>;
}

async function onAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `CREATE DATABASE sb_<random>` on the test server; call drop() in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `sb_${randomBytes(6).toString('hex')}`;
  await onAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onAdmin(async (c) => {
        // A pool a failed test left open would make DROP DATABASE refuse: end those sessions first.
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}

/** A schema name no other store in the same database uses. */
export const uniqueSchema = (): string => `s_${randomBytes(5).toString('hex')}`;
