import { join } from 'node:path';
import { DATABASE_FILE } from '../app.ts';
import { Domain } from '../domain/domain.ts';
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.ts';

/** The server data directory of the admin commands: SWITCHBOARD_DATA_DIR, else .data/server. */
export const defaultServerDataDir = (): string => process.env.SWITCHBOARD_DATA_DIR ?? '.data/server';

/**
 * Runs `fn` against the server database at `dataDir` from an admin command (another process than
 * the server; SQLite's WAL lets both write, and a running server picks the change up).
 */
export async function withServerDomain<T>(dataDir: string, fn: (domain: Domain) => Promise<T>): Promise<T> {
  const storage = openSqliteStorage({ file: join(dataDir, DATABASE_FILE) });
  try {
    const domain = await Domain.open({ storage });
    try {
      return await fn(domain);
    } finally {
      domain.close();
    }
  } finally {
    await storage.close();
  }
}
