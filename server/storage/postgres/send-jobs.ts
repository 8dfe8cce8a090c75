import type { SendJobRow, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type SendJobMethods = Pick<
  StorageTx,
  'putSendJob' | 'getSendJob' | 'claimSendJobs' | 'rescheduleSendJob' | 'releaseSendJobLeases' | 'deleteSendJob' | 'nextSendJobAt'
>;

const columns = (t: string) =>
  `${t}.message_id AS "messageId", ${t}.attempt, ${t}.due_at AS "dueAt", ${t}.lease_owner AS "leaseOwner", ${t}.lease_until AS "leaseUntil", ${t}.last_error AS "lastError", ${t}.created_at AS "createdAt"`;

type Row = SendJobRow & Record<string, unknown>;

/**
 * The send_jobs table (durable outbound delivery), claimed by the send workers of every instance at once.
 * A claim picks due, unleased (or expired-lease) jobs with FOR UPDATE SKIP LOCKED, so a second instance claiming
 * at the same moment skips the rows the first is taking instead of waiting for them; under the 'write'
 * transaction's SERIALIZABLE isolation a claimer that read a job another committed a lease on meanwhile loses
 * the race and is retried, so a live lease is never handed to two owners. As on SQLite, a job is claimed only when
 * no earlier message of its conversation still has a live (not parked) job: replies reach the customer in order.
 */
export function sendJobMethods(q: Query): SendJobMethods {
  return {
    putSendJob: async (messageId, dueAt, at) => {
      await q(
        `INSERT INTO send_jobs (message_id, conversation_id, message_at, attempt, due_at, created_at)
         SELECT id, conversation_id, created_at, 0, $2, $3 FROM messages WHERE id = $1
         ON CONFLICT (message_id) DO UPDATE SET attempt = 0, due_at = EXCLUDED.due_at, lease_owner = NULL, lease_until = NULL,
           last_error = NULL, created_at = EXCLUDED.created_at`,
        [messageId, dueAt, at],
      );
    },
    getSendJob: async (messageId) => (await q<Row>(`SELECT ${columns('send_jobs')} FROM send_jobs WHERE message_id = $1`, [messageId])).rows[0] ?? null,
    claimSendJobs: async (owner, now, leaseUntil, limit) => {
      const { rows } = await q<Row>(
        `WITH picked AS (
           SELECT j.message_id FROM send_jobs j
           WHERE j.due_at IS NOT NULL AND j.due_at <= $2 AND (j.lease_until IS NULL OR j.lease_until <= $2)
             AND NOT EXISTS (
               SELECT 1 FROM send_jobs e
               WHERE e.conversation_id = j.conversation_id AND e.due_at IS NOT NULL
                 AND (e.message_at < j.message_at OR (e.message_at = j.message_at AND e.message_id < j.message_id)))
           ORDER BY j.due_at, j.created_at, j.message_id
           LIMIT $4
           FOR UPDATE OF j SKIP LOCKED)
         UPDATE send_jobs s SET lease_owner = $1, lease_until = $3, attempt = s.attempt + 1
         FROM picked WHERE s.message_id = picked.message_id
         RETURNING ${columns('s')}`,
        [owner, now, leaseUntil, limit],
      );
      // RETURNING comes in no particular order: oldest due first, as claimed.
      return rows.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.createdAt - b.createdAt || (a.messageId < b.messageId ? -1 : 1));
    },
    rescheduleSendJob: async (messageId, owner, dueAt, lastError) =>
      ((
        await q(
          `UPDATE send_jobs SET due_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
           WHERE message_id = $3 AND lease_owner = $4`,
          [dueAt, lastError, messageId, owner],
        )
      ).rowCount ?? 0) > 0,
    releaseSendJobLeases: async (exceptOwner, notBefore) =>
      (
        await q(
          `UPDATE send_jobs SET lease_owner = NULL, lease_until = NULL, due_at = GREATEST(due_at, $1)
           WHERE lease_owner IS NOT NULL AND lease_owner <> $2 AND due_at IS NOT NULL`,
          [notBefore, exceptOwner],
        )
      ).rowCount ?? 0,
    deleteSendJob: async (messageId) => {
      await q('DELETE FROM send_jobs WHERE message_id = $1', [messageId]);
    },
    nextSendJobAt: async () =>
      (await q<{ at: number | null }>('SELECT min(GREATEST(due_at, COALESCE(lease_until, 0))) AS at FROM send_jobs WHERE due_at IS NOT NULL')).rows[0]
        ?.at ?? null,
  };
}
