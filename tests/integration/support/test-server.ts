import { createHash } from 'node:crypto';
import { afterAll } from 'vitest';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.ts';
import type { DatabaseLocation } from '../../../server/storage/server-database.ts';
import { createTestDatabase, type TestDatabase } from '../../server/support/postgres.ts';

/**
 * Which database the integration tests' servers use: the `integration` project runs them on SQLite in each
 * data dir (as `npm start` does), the `integration-pg` project (vitest.config.ts, when
 * SWITCHBOARD_TEST_DATABASE_URL is set) sets SWITCHBOARD_TEST_SERVER_DATABASE=postgres and runs the same tests
 * on PostgreSQL. Every test that starts a server goes through here (startServerForTest, startTestServer,
 * ServerProcess.start), so the assertions do not know which engine is underneath.
 */
export const SERVERS_ON_POSTGRES = process.env.SWITCHBOARD_TEST_SERVER_DATABASE === 'postgres';

/** On PostgreSQL a killed server's leases are waited out, not taken back at restart: keep them short in tests. */
export const TEST_SEND_LEASE_MS = 3000;

let fileDatabase: Promise<TestDatabase> | null = null;
if (SERVERS_ON_POSTGRES) {
  // One database per test file, created on first use and dropped with everything in it when the file is done.
  afterAll(async () => {
    const db = await fileDatabase;
    fileDatabase = null;
    await db?.drop();
  });
}

/**
 * Where the server of `dataDir` keeps its data: the data dir's SQLite file, or (on PostgreSQL) a schema of this
 * file's database named after the data dir, so a restart of the same server (kill -9 tests) finds its data.
 */
export async function databaseFor(dataDir: string): Promise<DatabaseLocation> {
  if (!SERVERS_ON_POSTGRES) return { dataDir };
  fileDatabase ??= createTestDatabase();
  const db = await fileDatabase;
  return { dataDir, databaseUrl: db.url, databaseSchema: `s_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}` };
}

/** startServer on this project's database (see above). */
export async function startServerForTest(options: ServerOptions): Promise<RunningServer> {
  return startServer({ ...options, ...(await databaseFor(options.dataDir)) });
}

/** The server CLI's variables for the server of `dataDir` (ServerProcess). */
export async function serverEnvFor(dataDir: string): Promise<Record<string, string>> {
  const where = await databaseFor(dataDir);
  if (where.databaseUrl === undefined) return {};
  return { SWITCHBOARD_DATABASE_URL: where.databaseUrl, SWITCHBOARD_DATABASE_SCHEMA: where.databaseSchema ?? '', SWITCHBOARD_SEND_LEASE_MS: String(TEST_SEND_LEASE_MS) };
}

/** The admin command arguments that name the database of the server of `dataDir`. */
export async function adminArgsFor(dataDir: string): Promise<string[]> {
  const where = await databaseFor(dataDir);
  return where.databaseUrl === undefined ? ['--data-dir', dataDir] : ['--data-dir', dataDir, '--database-url', where.databaseUrl, '--database-schema', where.databaseSchema ?? ''];
}
