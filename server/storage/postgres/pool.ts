import pg from 'pg';
import type { TransactionOptions } from '../storage.ts';

/** One parameterised statement on the transaction's connection; rows come back with int8 parsed to number. */
export type Query = <R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<pg.QueryResult<R>>;

export interface PoolOptions {
  url: string;
  /** Every table lives in this schema (search_path of each pooled connection); default: the server's search_path. */
  schema?: string;
  poolSize?: number;
  /** How long opening one connection may take, TCP and startup together (ms). Default 10,000. */
  connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`postgres schema ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  return schema;
}

/**
 * int8 (bigint: times, seqs, counts) comes back as a JS number. Every value we store is a millisecond time, a
 * sequence or a count, far below 2^53; a larger one means corruption, so it throws rather than rounding silently.
 * The override is per pool, so other users of `pg` in the process keep the library default (strings).
 */
function typeOverrides(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, 'text', (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RangeError(`int8 ${text} does not fit a JS number`);
    return value;
  });
  return types;
}

export function createPool(options: PoolOptions): pg.Pool {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: typeOverrides(),
    // Set at connection start (a startup parameter), so no query can run on a connection before it applies.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle client losing its connection (server restart) emits here; without a listener it would crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Statements get a stable name per SQL text so each pooled connection parses and plans them once. */
const statementNames = new Map<string, string>();
export function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `sb_${statementNames.size}`));
  return name;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
export const isLostRace = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && RETRYABLE.has((error as { code?: unknown }).code as string);

/**
 * Generous: a burst of writes on one conversation from two instances (replies being written while their send
 * jobs are claimed and settled) loses races in a row; 12 attempts were seen to run out in a test of 80 replies,
 * and a refused mutation is worse than a late one.
 */
export const MAX_ATTEMPTS = 30;

/** Small, jittered, growing pause before a retry, so the racers do not collide again in lock step. */
const backoffMs = (attempt: number): number => Math.random() * Math.min(250, 2 * 2 ** attempt);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Isolation per kind:
 * - 'read' → REPEATABLE READ READ ONLY: one snapshot for every statement, so a snapshot's pages and the change-log
 *   head it reports agree with each other. Read-only transactions never lose a race that matters, so SERIALIZABLE
 *   would only add predicate-lock bookkeeping (and could abort them) for nothing.
 * - 'write' → SERIALIZABLE: the domain reads then decides (assign if unassigned, insert if absent); under
 *   SERIALIZABLE two instances deciding on the same rows at once cannot both commit: the loser gets 40001 and its
 *   callback is run again, when it sees the winner's write. READ COMMITTED would let both win.
 */
const BEGIN = { read: 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', write: 'BEGIN ISOLATION LEVEL SERIALIZABLE' } as const;

export interface TxState {
  live: boolean;
  /** A statement failed with 40001/40P01: even if `fn` swallowed it, the attempt is retried. */
  lostRace: boolean;
}

class StaleTransactionError extends Error {
  constructor() {
    super('storage transaction already settled: a tx cannot be used after its callback returned (pass the tx down, do not keep it)');
    this.name = 'StaleTransactionError';
  }
}

export function staleGuard(state: TxState): void {
  if (!state.live) throw new StaleTransactionError();
}

/**
 * Statements of one transaction run one after another on its connection, in call order, even when the callback
 * starts several at once (Promise.all): node-postgres deprecates overlapping queries on one client.
 */
export function queryOn(client: pg.PoolClient, state: TxState): Query & { idle(): Promise<unknown> } {
  let tail: Promise<unknown> = Promise.resolve();
  const query = <R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) => {
    staleGuard(state);
    const run = tail.then(async () => {
      try {
        return await client.query<R>({ name: statementName(sql), text: sql, values: params as unknown[] });
      } catch (error) {
        if (isLostRace(error)) state.lostRace = true;
        throw error;
      }
    });
    tail = run.catch(() => {});
    return run;
  };
  // COMMIT/ROLLBACK wait for statements the callback started without awaiting them.
  return Object.assign(query, { idle: () => tail });
}

/**
 * Runs `fn` in one transaction on one pooled connection, and runs it again from the start (on a fresh
 * transaction, after a short jittered pause, at most MAX_ATTEMPTS times) when PostgreSQL says it lost a race.
 */
export async function runTransaction<T, Tx>(
  pool: pg.Pool,
  makeTx: (query: Query, state: TxState) => Tx,
  fn: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const kind = options.kind ?? 'write';
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(pool, makeTx, fn, kind);
    } catch (error) {
      if (!isLostRace(error) || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(backoffMs(attempt));
    }
  }
}

class LostRace extends Error {
  readonly code = '40001';
  constructor(cause: unknown) {
    super('transaction lost a race (a statement failed with a serialization failure or deadlock)', { cause });
  }
}

async function attemptOnce<T, Tx>(pool: pg.Pool, makeTx: (query: Query, state: TxState) => Tx, fn: (tx: Tx) => Promise<T>, kind: 'read' | 'write'): Promise<T> {
  const client = await pool.connect();
  const state: TxState = { live: true, lostRace: false };
  let broken: Error | undefined;
  try {
    await client.query(BEGIN[kind]).catch((e: Error) => {
      broken = e;
      throw e;
    });
    const query = queryOn(client, state);
    try {
      const result = await fn(makeTx(query, state));
      state.live = false;
      await query.idle();
      if (state.lostRace) throw new LostRace(null);
      const commit = await client.query('COMMIT');
      // COMMIT of a transaction that an earlier (caught) statement error aborted answers ROLLBACK, not an error.
      if (commit.command === 'ROLLBACK') throw new Error('storage transaction rolled back: a statement inside it failed and the error was caught');
      return result;
    } catch (error) {
      state.live = false;
      await query.idle();
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw state.lostRace && !isLostRace(error) ? new LostRace(error) : error;
    }
  } finally {
    state.live = false;
    // A connection whose ROLLBACK failed is in an unknown state: the pool destroys it instead of reusing it.
    client.release(broken);
  }
}
