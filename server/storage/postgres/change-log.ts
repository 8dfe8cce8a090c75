import type { EntityKind } from '../../../protocol/domain.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { ChangeEntry } from '../../../protocol/sync.ts';
import type { NewChange, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type ChangeLogMethods = Pick<StorageTx, 'appendChange' | 'readChanges' | 'readAllChanges' | 'head' | 'compactedThrough' | 'compactChanges'>;

/** Advisory-lock class of the change-log append lock; the second key is the `changes` table's oid (one per schema). */
export const APPEND_LOCK_CLASS = 0x5342434c; // 'SBCL'

/**
 * The change log on PostgreSQL, and why a reader never skips an entry.
 *
 * A bigserial alone is not enough: seqs are drawn when a transaction inserts, but transactions commit in any
 * order, so a reader could be served 11 while 10 is still uncommitted, move its cursor past 10, and never see it.
 *
 * The rule here: the first `appendChange` of a transaction takes a transaction-scoped advisory lock
 * (`pg_advisory_xact_lock`), and the seq is drawn from the sequence only after that. The lock is held until the
 * transaction ends, and PostgreSQL makes a commit visible to new snapshots before it releases the transaction's
 * locks; so when a transaction draws seq N, every transaction that drew a lower seq has already committed (and is
 * visible) or rolled back (its seqs are gaps forever). Any snapshot that sees seq N therefore sees every committed
 * seq below N: `readChanges` from a snapshot serves no entry below which another can still appear, and
 * `head()` (the highest seq the snapshot sees) is safe to hand out as a cursor.
 *
 * Cost: appending transactions run their tail (from the first append to commit) one at a time per schema, so the
 * domain appends last, after its reads and decisions. Only appenders wait; readers never take the lock. The
 * alternative (a "safe head" below the oldest in-flight seq, tracked through pg_snapshot_xmin and a table of
 * in-flight appends) lets writers overlap but makes every read pay to compute that head; writes here are short.
 */
export function changeLogMethods(q: Query, appendLockKey: number, setMeta: (key: string, value: string) => Promise<void>): ChangeLogMethods {
  let locked = false;
  const compactedThrough = async (): Promise<number> => {
    const { rows } = await q<{ value: string }>("SELECT value FROM meta WHERE key = 'compacted_through'");
    return Number(rows[0]?.value ?? '0');
  };
  return {
    appendChange: async (change: NewChange) => {
      if (!locked) {
        await q('SELECT pg_advisory_xact_lock($1, $2)', [APPEND_LOCK_CLASS, appendLockKey]);
        locked = true;
      }
      const record = change.op === 'put' ? JSON.stringify(change.record) : null;
      const { rows } = await q<{ seq: number }>(
        'INSERT INTO changes (scope, entity, op, entity_id, record) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING seq',
        [change.scope, change.entity, change.op, change.id, record],
      );
      return rows[0]!.seq;
    },
    readChanges: async (afterSeq: number, scopes: readonly Scope[], limit: number) => {
      if (scopes.length === 0 || limit <= 0) return [];
      const { rows } = await q<ChangeRow>(
        `SELECT seq, scope, entity, op, entity_id, record FROM changes
         WHERE seq > $1 AND scope = ANY($2::text[]) ORDER BY seq LIMIT $3`,
        [afterSeq, scopes, limit],
      );
      return rows.map(changeEntryOf);
    },
    readAllChanges: async (afterSeq: number, limit: number) => {
      if (limit <= 0) return [];
      const { rows } = await q<ChangeRow>('SELECT seq, scope, entity, op, entity_id, record FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
      return rows.map(changeEntryOf);
    },
    // The newest entry this snapshot sees, or, once compaction removed them all, the newest it removed: the head
    // never moves back (SQLite keeps it in sqlite_sequence). The sequence's own last_value is not used: it counts
    // seqs drawn by transactions that have not committed.
    head: async () => {
      const { rows } = await q<{ head: number }>(
        "SELECT GREATEST((SELECT max(seq) FROM changes), (SELECT value::bigint FROM meta WHERE key = 'compacted_head'), 0) AS head",
      );
      return rows[0]!.head;
    },
    compactedThrough,
    compactChanges: async (throughSeq) => {
      const through = Math.max(throughSeq, await compactedThrough());
      const { rows } = await q<{ last: number | null }>('WITH gone AS (DELETE FROM changes WHERE seq <= $1 RETURNING seq) SELECT max(seq) AS last FROM gone', [
        through,
      ]);
      const last = rows[0]?.last ?? null;
      if (last !== null) {
        await q(
          `INSERT INTO meta (key, value) VALUES ('compacted_head', $1)
           ON CONFLICT (key) DO UPDATE SET value = GREATEST(meta.value::bigint, EXCLUDED.value::bigint)::text`,
          [String(last)],
        );
      }
      await setMeta('compacted_through', String(through));
    },
  };
}

type ChangeRow = { seq: number; scope: Scope; entity: string; op: string; entity_id: string; record: unknown };

function changeEntryOf(r: ChangeRow): ChangeEntry {
  const base = { seq: r.seq, scope: r.scope };
  if (r.op === 'put') return { ...base, op: 'put', entity: r.entity, record: r.record } as ChangeEntry;
  return { ...base, op: 'delete', entity: r.entity as EntityKind, id: r.entity_id };
}
