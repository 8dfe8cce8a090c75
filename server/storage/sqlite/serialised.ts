import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Storage, StorageTx, TransactionOptions } from '../storage.ts';

/** The storage methods as better-sqlite3 runs them: synchronous, on the one connection. */
export type SyncTx = {
  [K in keyof StorageTx]: StorageTx[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

/** Thrown by a tx used after its transaction settled: work that outlived its transaction is a bug. */
export class StaleTransactionError extends Error {
  constructor(method: string) {
    super(`storage tx.${method}() called after its transaction settled; pass the live tx down or start a new transaction`);
    this.name = 'StaleTransactionError';
  }
}

interface Live {
  live: boolean;
}

/** How long a write waits for another process (an admin command) to release the file's write lock. */
const WRITE_LOCK_WAIT_MS = 5000;

const isBusy = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

/**
 * BEGIN IMMEDIATE, waiting for the write lock without blocking the event loop: busy_timeout would sleep
 * the whole thread, and the holder may be another connection of this very process (tests, a CLI run
 * in-process) whose COMMIT is waiting for that thread.
 */
async function beginImmediate(db: Database.Database): Promise<void> {
  const giveUpAt = Date.now() + WRITE_LOCK_WAIT_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    if (tryBeginImmediate(db)) return;
    if (Date.now() >= giveUpAt) throw Object.assign(new Error('database is locked (another process held the write lock too long)'), { code: 'SQLITE_BUSY' });
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** One attempt with the connection's busy_timeout off (it stays on for everything else). */
function tryBeginImmediate(db: Database.Database): boolean {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (err) {
    if (!isBusy(err)) throw err;
    return false;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * The asynchronous contract over one better-sqlite3 connection. A connection has one transaction at a time,
 * and a read inside someone else's open write would see its uncommitted rows, so every transaction (read or
 * write) waits its turn on a promise chain: nothing interleaves inside `fn`, whatever it awaits. Writes take
 * the write lock at BEGIN (IMMEDIATE), so a read-then-write never loses a race against another process
 * (an admin command) on the same file halfway through; busy_timeout makes that wait.
 */
export function serialisedTransactions(db: Database.Database, sync: SyncTx): Storage {
  // Each transaction gets its own tx object; the shared prototype keeps that cheap.
  const proto: Record<string, (this: Live, ...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(sync) as Array<[string, (...args: unknown[]) => unknown]>) {
    proto[name] = function (this: Live, ...args: unknown[]): Promise<unknown> {
      if (!this.live) throw new StaleTransactionError(name);
      try {
        return Promise.resolve(method(...args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  const inside = new AsyncLocalStorage<Live>();
  let turn: Promise<void> = Promise.resolve();
  let closed = false;

  /** Runs `step` once every transaction queued before it has settled. */
  const queued = <T>(step: () => Promise<T>): Promise<T> => {
    const previous = turn;
    let release!: () => void;
    turn = new Promise<void>((resolve) => (release = resolve));
    return previous.then(step).finally(release);
  };

  const run = async <T>(fn: (tx: StorageTx) => Promise<T>, kind: 'read' | 'write'): Promise<T> => {
    if (closed || !db.open) throw new Error('storage is closed');
    const handle = Object.create(proto) as Live & StorageTx;
    handle.live = true;
    if (kind === 'read') db.exec('BEGIN');
    else await beginImmediate(db);
    try {
      const result = await inside.run(handle, () => fn(handle));
      db.exec('COMMIT');
      return result;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    } finally {
      handle.live = false;
    }
  };

  return {
    transaction<T>(fn: (tx: StorageTx) => Promise<T>, options?: TransactionOptions): Promise<T> {
      // A transaction started inside another would wait for it forever: say so instead of hanging.
      if (inside.getStore()?.live) return Promise.reject(new Error('nested storage transaction: pass the tx down instead'));
      return queued(() => run(fn, options?.kind ?? 'write'));
    },
    close(): Promise<void> {
      return queued(async () => {
        closed = true;
        if (db.open) db.close();
      });
    },
  };
}
