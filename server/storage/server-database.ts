import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessHousekeepingLock, type HousekeepingLock } from '../domain/housekeeping-lock.ts';
import { parseDatabaseUrl } from './postgres/database-url.ts';
import { PostgresHousekeepingLock } from './postgres/housekeeping-lock.ts';
import { openPostgresStorage } from './postgres/postgres-storage.ts';
import { openSqliteStorage } from './sqlite/sqlite-storage.ts';
import type { Storage } from './storage.ts';

/** The server's SQLite file inside its data dir (when no database URL is given). */
export const DATABASE_FILE = 'switchboard.sqlite';

/**
 * Where a server (or an admin command) finds its database: PostgreSQL when `databaseUrl` is set (many
 * instances), else the SQLite file in `dataDir` (one process). ServerOptions has the same three fields, so a
 * server's options say where its admin commands write.
 */
export interface DatabaseLocation {
  dataDir: string;
  /** SWITCHBOARD_DATABASE_URL: postgres://… */
  databaseUrl?: string;
  /** SWITCHBOARD_DATABASE_SCHEMA: the schema every table lives in (created if missing); default: the database's search_path. */
  databaseSchema?: string;
}

export interface OpenOptions {
  log?: (line: string) => void;
  /** SQLite only (ServerOptions.sqliteSynchronous). */
  synchronous?: 'FULL' | 'NORMAL';
  /** PostgreSQL: how long one connection may take to open (ms). Default 5000. */
  connectTimeoutMs?: number;
  /** PostgreSQL: pooled connections. */
  poolSize?: number;
}

export interface ServerDatabase {
  storage: Storage;
  housekeeping: HousekeepingLock;
  /** 'PostgreSQL at postgres://host:port/db' or 'SQLite at <file>' (no password): for the start-up log line. */
  display: string;
}

/** The database could not be opened at start: unreachable, refused the login, or its schema is newer. */
export class DatabaseUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailable';
  }
}

/** Opens (and migrates) the server database at `where`; rejects with DatabaseUnavailable within the connect timeout. */
export async function openServerDatabase(where: DatabaseLocation, options: OpenOptions = {}): Promise<ServerDatabase> {
  if (where.databaseUrl === undefined) {
    mkdirSync(where.dataDir, { recursive: true });
    const file = join(where.dataDir, DATABASE_FILE);
    return { storage: openSqliteStorage({ file, synchronous: options.synchronous }), housekeeping: new InProcessHousekeepingLock(), display: `SQLite at ${file}` };
  }
  const checked = parseDatabaseUrl(where.databaseUrl);
  if (!checked.ok) throw new DatabaseUnavailable(checked.error);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const schemaNote = where.databaseSchema ? ` (schema ${where.databaseSchema})` : '';
  try {
    const storage = await openPostgresStorage({ url: checked.url, schema: where.databaseSchema, poolSize: options.poolSize, connectTimeoutMs, log: options.log });
    return {
      storage,
      housekeeping: new PostgresHousekeepingLock({ url: checked.url, schema: where.databaseSchema, connectTimeoutMs }),
      display: `PostgreSQL at ${checked.display}${schemaNote}`,
    };
  } catch (err) {
    throw new DatabaseUnavailable(`cannot use PostgreSQL at ${checked.display}${schemaNote} (SWITCHBOARD_DATABASE_URL): ${describe(err)}`, { cause: err });
  }
}

/** node-postgres errors: the code and message, one line, never the URL (it may hold a password). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = err.message || (err as { code?: string }).code || err.name;
  // A refused connection from a pool says only 'connect ECONNREFUSED …' in message; AggregateError (IPv4+IPv6) has none.
  const inner = err instanceof AggregateError && err.errors[0] instanceof Error ? err.errors[0].message : '';
  return (text || inner).split('\n')[0]!.replace(/postgres(ql)?:\/\/\S*/g, '<url>');
}
