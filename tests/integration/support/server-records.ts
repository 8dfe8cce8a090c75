import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import { DATABASE_FILE } from '../../../server/app.ts';
import type { TestServer } from '../../server/support/sync-client.ts';

/** Reads records straight from a test server's SQLite file (read-only), to assert on what it stored. */
export function storedRecords<T>(server: TestServer, sql: string, ...args: unknown[]): T[] {
  const db = new Database(join(server.dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare(sql).all(...args) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as T);
  } finally {
    db.close();
  }
}

/** The media-link signing key a server keeps in its database (server_secrets). */
export function storedMediaSecret(dataDir: string): Buffer {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const hex = db.prepare("SELECT value FROM server_secrets WHERE name = 'media-links'").pluck().get() as string | undefined;
    if (!hex) throw new Error('no media-link secret stored');
    return Buffer.from(hex, 'hex');
  } finally {
    db.close();
  }
}

export const messagesByProviderId = (s: TestServer, providerId: string): EntityOf<'message'>[] =>
  storedRecords(s, 'SELECT data FROM messages WHERE provider_id = ?', providerId);

const TABLES = { message: 'messages', contact: 'contacts' } as const satisfies Partial<Record<EntityKind, string>>;
export const storedRecord = <K extends keyof typeof TABLES>(s: TestServer, kind: K, id: string): EntityOf<K> | undefined =>
  storedRecords<EntityOf<K>>(s, `SELECT data FROM ${TABLES[kind]} WHERE id = ?`, id)[0];

/** Polls until `fn` returns something truthy; webhooks and callbacks arrive on their own time. */
export async function until<T>(fn: () => T | null | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
