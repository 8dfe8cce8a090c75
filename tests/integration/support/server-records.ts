import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import type { TestServer } from '../../server/support/sync-client.ts';
import type { DatabaseLocation } from '../../../server/storage/server-database.ts';
import { json, serverQuery } from './server-sql.ts';

/** Reads records (`SELECT data …`) straight from a test server's database, to assert on what it stored. */
export async function storedRecords<T>(server: TestServer, sql: string, ...args: unknown[]): Promise<T[]> {
  return (await serverQuery<{ data: unknown }>(server.options, sql, ...args)).map((r) => json<T>(r.data));
}

/** The media-link signing key a server keeps in its database (server_secrets). */
export async function storedMediaSecret(where: DatabaseLocation): Promise<Buffer> {
  const [row] = await serverQuery<{ value: string }>(where, "SELECT value FROM server_secrets WHERE name = 'media-links'");
  if (!row) throw new Error('no media-link secret stored');
  return Buffer.from(row.value, 'hex');
}

export const messagesByProviderId = (s: TestServer, providerId: string): Promise<EntityOf<'message'>[]> =>
  storedRecords(s, 'SELECT data FROM messages WHERE provider_id = ?', providerId);

const TABLES = { message: 'messages', contact: 'contacts', conversation: 'conversations' } as const satisfies Partial<Record<EntityKind, string>>;
export const storedRecord = async <K extends keyof typeof TABLES>(s: TestServer, kind: K, id: string): Promise<EntityOf<K> | undefined> =>
  (await storedRecords<EntityOf<K>>(s, `SELECT data FROM ${TABLES[kind]} WHERE id = ?`, id))[0];

/** Polls until `fn` returns something truthy; webhooks and callbacks arrive on their own time. */
export async function until<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
