import type { EntityOf } from '../../../protocol/domain.ts';
import type { StorageTx, TimerRow } from '../storage.ts';
import type { Query } from './pool.ts';

type RoutingMethods = Pick<
  StorageTx,
  | 'listOrgIds'
  | 'nextRoute'
  | 'agentLoads'
  | 'openConversationsOfAgent'
  | 'lastAgentReplyAt'
  | 'queueAgentsOfUser'
  | 'putTimer'
  | 'deleteTimer'
  | 'claimDueTimer'
  | 'nextTimerAt'
  | 'presenceOpened'
  | 'presenceClosed'
  | 'renewPresence'
  | 'userConnected'
  | 'expirePresence'
>;

const LOAD = `(SELECT count(*) FROM conversations c WHERE c.inbox_id = qa.inbox_id AND c.open_assignee_id = qa.user_id)
  + (SELECT count(*) FROM conversations c WHERE c.inbox_id = qa.inbox_id AND c.offer_user_id = qa.user_id)`;

/** Who passed a conversation (declined or let its offer time out) in this waiting spell: a jsonb array, or none. */
const PASSED = (c: string) => `coalesce(${c}.data->'routing'->'passedBy', '[]'::jsonb)`;

/**
 * Routing's next (conversation, agent), as sqlite/routing.ts: agents with room once, then the FIFO head that some
 * of them has not passed (the uncorrelated EXISTS is a one-time filter when nobody has room), then the agent.
 */
const NEXT_ROUTE = `WITH free AS MATERIALIZED (
    SELECT qa.user_id, qa.last_routed_at FROM queue_agents qa
    WHERE qa.inbox_id = $1 AND qa.logged_in AND qa.connected AND ${LOAD} < coalesce(qa.capacity, $2)),
  head AS (
    SELECT c.data FROM conversations c
    WHERE c.inbox_id = $1 AND c.route_waiting_since IS NOT NULL AND EXISTS (SELECT 1 FROM free)
      AND EXISTS (SELECT 1 FROM free f WHERE NOT ${PASSED('c')} @> jsonb_build_array(f.user_id))
    ORDER BY c.route_waiting_since, c.id LIMIT 1)
  SELECT head.data,
    (SELECT f.user_id FROM free f WHERE NOT ${PASSED('head')} @> jsonb_build_array(f.user_id)
     ORDER BY f.last_routed_at NULLS FIRST, f.user_id LIMIT 1) AS user_id
  FROM head`;

/**
 * Contact Center routing (PostgreSQL migration 5), as sqlite/routing.ts. Two instances deciding on one queue at
 * once read the same rows under SERIALIZABLE: one commits, the other is retried and sees the first's choice.
 * Timers are claimed with FOR UPDATE SKIP LOCKED, so instances firing at the same moment take different ones.
 */
export function routingMethods(q: Query): RoutingMethods {
  const data = async <T>(sql: string, params: readonly unknown[]): Promise<T[]> => (await q<{ data: T }>(sql, params)).rows.map((r) => r.data);
  return {
    listOrgIds: async () => (await q<{ id: string }>('SELECT id FROM orgs ORDER BY created_order')).rows.map((r) => r.id),
    nextRoute: async (inboxId, defaultCapacity) => {
      const row = (await q<{ data: EntityOf<'conversation'>; user_id: string }>(NEXT_ROUTE, [inboxId, defaultCapacity])).rows[0];
      return row?.user_id ? { conversation: row.data, userId: row.user_id } : null;
    },
    agentLoads: async (inboxId) =>
      (
        await q<{ userId: string; load: number }>(
          `SELECT user_id AS "userId", count(*)::int AS load FROM (
             SELECT open_assignee_id AS user_id FROM conversations WHERE inbox_id = $1 AND open_assignee_id IS NOT NULL
             UNION ALL
             SELECT offer_user_id FROM conversations WHERE inbox_id = $1 AND offer_user_id IS NOT NULL) loads
           GROUP BY user_id ORDER BY user_id`,
          [inboxId],
        )
      ).rows,
    openConversationsOfAgent: (inboxId, userId) =>
      data(
        `SELECT data FROM conversations WHERE inbox_id = $1 AND (open_assignee_id = $2 OR offer_user_id = $2) ORDER BY id`,
        [inboxId, userId],
      ),
    lastAgentReplyAt: async (conversationId) =>
      (
        await q<{ at: number | null }>(
          `SELECT max(created_at) AS at FROM messages WHERE conversation_id = $1 AND direction = 'out' AND data->>'authorType' = 'user'`,
          [conversationId],
        )
      ).rows[0]?.at ?? null,
    queueAgentsOfUser: (userId) => data('SELECT data FROM queue_agents WHERE user_id = $1 ORDER BY id', [userId]),

    putTimer: async (kind, key, dueAt, at) => {
      await q(
        `INSERT INTO timers (kind, timer_key, due_at, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, timer_key) DO UPDATE SET due_at = EXCLUDED.due_at`,
        [kind, key, dueAt, at],
      );
    },
    deleteTimer: async (kind, key) => {
      await q('DELETE FROM timers WHERE kind = $1 AND timer_key = $2', [kind, key]);
    },
    claimDueTimer: async (now) =>
      (
        await q<TimerRow & Record<string, unknown>>(
          `SELECT kind, timer_key AS key, due_at AS "dueAt" FROM timers WHERE due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [now],
        )
      ).rows[0] ?? null,
    nextTimerAt: async () => (await q<{ at: number | null }>('SELECT min(due_at) AS at FROM timers')).rows[0]?.at ?? null,

    presenceOpened: async (userId, instanceId, leaseUntil) => {
      await q(
        `INSERT INTO presence (user_id, instance_id, sockets, lease_until) VALUES ($1, $2, 1, $3)
         ON CONFLICT (user_id, instance_id) DO UPDATE SET sockets = presence.sockets + 1, lease_until = EXCLUDED.lease_until`,
        [userId, instanceId, leaseUntil],
      );
    },
    presenceClosed: async (userId, instanceId) => {
      await q('UPDATE presence SET sockets = sockets - 1 WHERE user_id = $1 AND instance_id = $2', [userId, instanceId]);
      await q('DELETE FROM presence WHERE user_id = $1 AND instance_id = $2 AND sockets <= 0', [userId, instanceId]);
    },
    renewPresence: async (instanceId, leaseUntil) => {
      await q('UPDATE presence SET lease_until = $1 WHERE instance_id = $2', [leaseUntil, instanceId]);
    },
    userConnected: async (userId, now) => (await q('SELECT 1 FROM presence WHERE user_id = $1 AND lease_until > $2 LIMIT 1', [userId, now])).rows.length > 0,
    expirePresence: async (now) =>
      [...new Set((await q<{ user_id: string }>('DELETE FROM presence WHERE lease_until <= $1 RETURNING user_id', [now])).rows.map((r) => r.user_id))].sort(),
  };
}
