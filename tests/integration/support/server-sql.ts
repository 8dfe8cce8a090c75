import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASE_FILE, type DatabaseLocation } from '../../../server/storage/server-database.ts';

/**
 * SQL straight against a test server's database, behind its back: to assert on what it stored, or to plant what
 * an older server let in. Statements are written once with `?` placeholders and the columns both schemas share;
 * on PostgreSQL the placeholders become $1…, and jsonb comes back parsed where SQLite gives JSON text (`json()`
 * reads either).
 */
export async function serverQuery<T = Record<string, unknown>>(where: DatabaseLocation, sql: string, ...args: unknown[]): Promise<T[]> {
  if (where.databaseUrl === undefined) {
    const db = new Database(join(where.dataDir, DATABASE_FILE), { readonly: true });
    try {
      return db.prepare(sql).all(...args) as T[];
    } finally {
      db.close();
    }
  }
  return onPostgres(where, async (client) => (await client.query(numbered(sql), args)).rows as T[]);
}

/**
 * A write. The server may run in this process: on SQLite a write waiting for the server's lock must not block
 * the thread (busy_timeout would, and the server's COMMIT could never run), so it retries on a timer.
 */
export async function serverExec(where: DatabaseLocation, sql: string, ...args: unknown[]): Promise<void> {
  if (where.databaseUrl !== undefined) return onPostgres(where, async (client) => void (await client.query(numbered(sql), args)));
  const db = new Database(join(where.dataDir, DATABASE_FILE));
  try {
    db.pragma('busy_timeout = 0');
    for (let attempt = 0; ; attempt++) {
      try {
        db.prepare(sql).run(...args);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt > 500) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    db.close();
  }
}

/** A JSON column as stored: SQLite's text, or PostgreSQL's parsed jsonb. */
export const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function onPostgres<T>(where: DatabaseLocation, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: where.databaseUrl, ...(where.databaseSchema ? { options: `-c search_path=${where.databaseSchema}` } : {}) });
  // int8 as numbers, as the server's pool reads them.
  client.setTypeParser(20, (text: string) => Number(text));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
