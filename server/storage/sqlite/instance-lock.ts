import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';

export const INSTANCE_LOCK_FILE = 'switchboard.lock';

/** Another server process (or another server in this process) already serves this data dir. */
export class DataDirInUse extends Error {
  constructor(readonly dataDir: string) {
    super(
      `another Switchboard server is running on the data dir ${dataDir} (it holds ${join(dataDir, INSTANCE_LOCK_FILE)}); ` +
        'stop it or give this one its own --data-dir. Several instances share one PostgreSQL database (SWITCHBOARD_DATABASE_URL), not one SQLite file',
    );
    this.name = 'DataDirInUse';
  }
}

export interface InstanceLock {
  release(): void;
}

/**
 * The one-server-per-data-dir rule of the embedded store. Two servers on one SQLite file would each think it
 * is the only send worker (each takes back every lease it does not hold at start), so both would send the same
 * replies. The lock is SQLite's own file lock on a small side file, held by an EXCLUSIVE transaction that never
 * ends: the operating system drops it when the process dies (kill -9 included), so a crash never leaves a stale
 * lock behind, and SQLite applies it between connections of one process too. Admin commands do not take it:
 * they write through the database as a second connection, which WAL allows.
 */
export function lockDataDir(dataDir: string): InstanceLock {
  const db = new Database(join(dataDir, INSTANCE_LOCK_FILE));
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirInUse(dataDir);
    throw err;
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
