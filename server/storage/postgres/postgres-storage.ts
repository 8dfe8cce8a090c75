import type { Storage, StorageTx, TransactionOptions } from '../storage.ts';
import { accountMethods } from './accounts.ts';
import { attachmentMethods } from './attachments.ts';
import { assistantMethods } from './assistant.ts';
import { changeLogMethods } from './change-log.ts';
import { entityMethods } from './entities.ts';
import { migrate } from './migrations.ts';
import { createPool, runTransaction, staleGuard, type Query, type TxState } from './pool.ts';
import { sendJobMethods } from './send-jobs.ts';
import { settingMethods } from './settings.ts';
import { surveyMethods } from './surveys.ts';
import { historyMethods } from './history.ts';

export interface PostgresStorageOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Every table in this schema (created if missing): instances and tests sharing a database stay apart. */
  schema?: string;
  /** Pooled connections of this instance (default 10): the most transactions it runs at once. */
  poolSize?: number;
  /** How long opening a connection may take (ms; default 10,000): an unreachable database fails the start, never hangs it. */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * node-postgres implementation of the storage boundary: a pool per instance, each transaction on one pooled
 * connection (pool.ts: isolation per kind, retry on a lost race), migrations under an advisory lock
 * (migrations.ts), the change-log rule in change-log.ts. Rejects if the database is unreachable or newer.
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const pool = createPool(options);
  try {
    await migrate(pool, options.schema, options.log);
    // Resolved once: the key of the change-log append lock, one per schema (see change-log.ts).
    const { rows } = await pool.query<{ key: number }>("SELECT 'changes'::regclass::oid::integer AS key");
    const appendLockKey = rows[0]!.key;
    const makeTx = (q: Query, state: TxState): StorageTx => guarded(buildTx(q, appendLockKey), state);
    let closed: Promise<void> | null = null;
    return {
      sharedByInstances: true,
      transaction: <T>(fn: (tx: StorageTx) => Promise<T>, txOptions?: TransactionOptions) => {
        if (closed) return Promise.reject(new Error('storage is closed'));
        return runTransaction(pool, makeTx, fn, txOptions);
      },
      close: () => (closed ??= pool.end()),
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

function buildTx(q: Query, appendLockKey: number): StorageTx {
  const settings = settingMethods(q);
  return {
    ...accountMethods(q),
    ...entityMethods(q),
    ...changeLogMethods(q, appendLockKey, settings.setMeta),
    ...settings,
    ...sendJobMethods(q),
    ...attachmentMethods(q),
    ...assistantMethods(q),
    ...surveyMethods(q),
    ...historyMethods(q),
  };
}

/** Every method refuses (rejects) once its transaction has settled: a kept tx would write outside any transaction. */
function guarded(tx: StorageTx, state: TxState): StorageTx {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(tx) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    out[name] = async (...args: unknown[]) => {
      staleGuard(state);
      return method(...args);
    };
  }
  return out as unknown as StorageTx;
}
