import type Database from 'better-sqlite3-multiple-ciphers';
import type { SendJobRow } from '../storage.ts';
import type { SyncTx } from './serialised.ts';

type SendJobMethods = Pick<
  SyncTx,
  'putSendJob' | 'getSendJob' | 'claimSendJobs' | 'rescheduleSendJob' | 'releaseSendJobLeases' | 'deleteSendJob' | 'nextSendJobAt'
>;

const COLUMNS =
  'message_id AS messageId, attempt, due_at AS dueAt, lease_owner AS leaseOwner, lease_until AS leaseUntil, last_error AS lastError, created_at AS createdAt';

/**
 * The send_jobs table (durable outbound delivery). In SQLite the one server process is the only claimer.
 * A job is claimed only when no earlier message of its conversation still has a live (not parked) job: replies
 * reach the customer in the order they were written, even while an earlier one waits for a retry.
 */
export function sendJobStatements(stmt: (sql: string) => Database.Statement): SendJobMethods {
  return {
    putSendJob: (messageId, dueAt, at) => {
      stmt(
        `INSERT INTO send_jobs (message_id, conversation_id, message_at, attempt, due_at, created_at)
         SELECT id, conversation_id, created_at, 0, @dueAt, @at FROM messages WHERE id = @messageId
         ON CONFLICT(message_id) DO UPDATE SET attempt = 0, due_at = excluded.due_at, lease_owner = NULL, lease_until = NULL,
           last_error = NULL, created_at = excluded.created_at`,
      ).run({ messageId, dueAt, at });
    },
    getSendJob: (messageId) => (stmt(`SELECT ${COLUMNS} FROM send_jobs WHERE message_id = ?`).get(messageId) as SendJobRow | undefined) ?? null,
    claimSendJobs: (owner, now, leaseUntil, limit) => {
      const rows = stmt(
        `UPDATE send_jobs SET lease_owner = @owner, lease_until = @leaseUntil, attempt = attempt + 1
         WHERE message_id IN (
           SELECT j.message_id FROM send_jobs j
           WHERE j.due_at IS NOT NULL AND j.due_at <= @now AND (j.lease_until IS NULL OR j.lease_until <= @now)
             AND NOT EXISTS (
               SELECT 1 FROM send_jobs e
               WHERE e.conversation_id = j.conversation_id AND e.due_at IS NOT NULL
                 AND (e.message_at < j.message_at OR (e.message_at = j.message_at AND e.message_id < j.message_id)))
           ORDER BY j.due_at, j.created_at, j.message_id LIMIT @limit)
         RETURNING ${COLUMNS}`,
      ).all({ owner, now, leaseUntil, limit }) as SendJobRow[];
      // RETURNING comes in no particular order: oldest due first, as claimed.
      return rows.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.createdAt - b.createdAt || (a.messageId < b.messageId ? -1 : 1));
    },
    rescheduleSendJob: (messageId, owner, dueAt, lastError) =>
      stmt(
        `UPDATE send_jobs SET due_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
         WHERE message_id = ? AND lease_owner = ?`,
      ).run(dueAt, lastError, messageId, owner).changes > 0,
    releaseSendJobLeases: (exceptOwner, notBefore) =>
      stmt(
        `UPDATE send_jobs SET lease_owner = NULL, lease_until = NULL, due_at = max(due_at, ?)
         WHERE lease_owner IS NOT NULL AND lease_owner <> ? AND due_at IS NOT NULL`,
      ).run(notBefore, exceptOwner).changes,
    deleteSendJob: (messageId) => {
      stmt('DELETE FROM send_jobs WHERE message_id = ?').run(messageId);
    },
    nextSendJobAt: () =>
      (stmt('SELECT MIN(max(due_at, COALESCE(lease_until, 0))) FROM send_jobs WHERE due_at IS NOT NULL').pluck().get() as number | null) ?? null,
  };
}
