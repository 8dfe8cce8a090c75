import type Database from 'better-sqlite3-multiple-ciphers';
import type { EntityOf } from '../../../protocol/domain.ts';
import type { TimerRow } from '../storage.ts';
import type { SyncTx } from './serialised.ts';

type RoutingMethods = Pick<
  SyncTx,
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

/** An agent's load in a queue: two counts, each read from its partial index (conversations_open_assignee / _offer_user). */
const LOAD = `(SELECT count(*) FROM conversations c WHERE c.inbox_id = qa.inbox_id AND c.open_assignee_id = qa.user_id)
  + (SELECT count(*) FROM conversations c WHERE c.inbox_id = qa.inbox_id AND c.offer_user_id = qa.user_id)`;

/**
 * Routing's next (conversation, agent). `free`: agents with room, computed once per decision. The head scan
 * walks the FIFO index (conversations_route_waiting) and stops at the first conversation some free agent has not
 * passed; most have no passers, so that is the first row. With nobody free the constant EXISTS skips the scan.
 * queue_agents_routable gives the agents' order (NULL, never routed, sorts first).
 */
const NEXT_ROUTE = `WITH free AS MATERIALIZED (
    SELECT qa.user_id, qa.last_routed_at FROM queue_agents qa
    WHERE qa.inbox_id = @inbox AND qa.logged_in = 1 AND qa.connected = 1 AND ${LOAD} < coalesce(qa.capacity, @capacity)),
  head AS (
    SELECT c.data FROM conversations c
    WHERE c.inbox_id = @inbox AND c.route_waiting_since IS NOT NULL AND EXISTS (SELECT 1 FROM free)
      AND EXISTS (SELECT 1 FROM free f WHERE f.user_id NOT IN (SELECT value FROM json_each(c.data, '$.routing.passedBy')))
    ORDER BY c.route_waiting_since, c.id LIMIT 1)
  SELECT head.data,
    (SELECT f.user_id FROM free f WHERE f.user_id NOT IN (SELECT value FROM json_each(head.data, '$.routing.passedBy'))
     ORDER BY f.last_routed_at, f.user_id LIMIT 1) AS user_id
  FROM head`;

const parse = <T>(rows: unknown[]): T[] => rows.map((r) => JSON.parse((r as { data: string }).data) as T);

/** Contact Center routing (server migration 14): the routing choice's reads, durable timers, presence. */
export function routingStatements(stmt: (sql: string) => Database.Statement): RoutingMethods {
  return {
    listOrgIds: () => stmt('SELECT id FROM orgs ORDER BY rowid').pluck().all() as string[],
    nextRoute: (inboxId, defaultCapacity) => {
      const row = stmt(NEXT_ROUTE).get({ inbox: inboxId, capacity: defaultCapacity }) as { data: string; user_id: string } | undefined;
      return row?.user_id ? { conversation: JSON.parse(row.data) as EntityOf<'conversation'>, userId: row.user_id } : null;
    },
    agentLoads: (inboxId) =>
      stmt(
        `SELECT user_id AS userId, count(*) AS load FROM (
           SELECT open_assignee_id AS user_id FROM conversations WHERE inbox_id = @inbox AND open_assignee_id IS NOT NULL
           UNION ALL
           SELECT offer_user_id FROM conversations WHERE inbox_id = @inbox AND offer_user_id IS NOT NULL)
         GROUP BY user_id ORDER BY user_id`,
      ).all({ inbox: inboxId }) as Array<{ userId: string; load: number }>,
    openConversationsOfAgent: (inboxId, userId) =>
      parse<EntityOf<'conversation'>>(
        stmt(
          `SELECT data FROM conversations WHERE inbox_id = @inbox AND open_assignee_id = @user
           UNION SELECT data FROM conversations WHERE inbox_id = @inbox AND offer_user_id = @user`,
        ).all({ inbox: inboxId, user: userId }),
      ),
    lastAgentReplyAt: (conversationId) =>
      (stmt(
        `SELECT max(created_at) FROM messages WHERE conversation_id = ? AND direction = 'out' AND json_extract(data, '$.authorType') = 'user'`,
      )
        .pluck()
        .get(conversationId) as number | null) ?? null,
    queueAgentsOfUser: (userId) => parse<EntityOf<'queueAgent'>>(stmt('SELECT data FROM queue_agents WHERE user_id = ? ORDER BY id').all(userId)),

    putTimer: (kind, key, dueAt, at) => {
      stmt(
        `INSERT INTO timers (kind, timer_key, due_at, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(kind, timer_key) DO UPDATE SET due_at = excluded.due_at`,
      ).run(kind, key, dueAt, at);
    },
    deleteTimer: (kind, key) => {
      stmt('DELETE FROM timers WHERE kind = ? AND timer_key = ?').run(kind, key);
    },
    // One process writes, so the first due timer is this transaction's alone.
    claimDueTimer: (now) =>
      (stmt('SELECT kind, timer_key AS key, due_at AS dueAt FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT 1').get(now) as TimerRow | undefined) ?? null,
    nextTimerAt: () => (stmt('SELECT min(due_at) FROM timers').pluck().get() as number | null) ?? null,

    presenceOpened: (userId, instanceId, leaseUntil) => {
      stmt(
        `INSERT INTO presence (user_id, instance_id, sockets, lease_until) VALUES (?, ?, 1, ?)
         ON CONFLICT(user_id, instance_id) DO UPDATE SET sockets = sockets + 1, lease_until = excluded.lease_until`,
      ).run(userId, instanceId, leaseUntil);
    },
    presenceClosed: (userId, instanceId) => {
      stmt('UPDATE presence SET sockets = sockets - 1 WHERE user_id = ? AND instance_id = ?').run(userId, instanceId);
      stmt('DELETE FROM presence WHERE user_id = ? AND instance_id = ? AND sockets <= 0').run(userId, instanceId);
    },
    renewPresence: (instanceId, leaseUntil) => {
      stmt('UPDATE presence SET lease_until = ? WHERE instance_id = ?').run(leaseUntil, instanceId);
    },
    userConnected: (userId, now) => stmt('SELECT 1 FROM presence WHERE user_id = ? AND lease_until > ? LIMIT 1').pluck().get(userId, now) !== undefined,
    expirePresence: (now) => {
      const users = stmt('SELECT DISTINCT user_id FROM presence WHERE lease_until <= ? ORDER BY user_id').pluck().all(now) as string[];
      if (users.length) stmt('DELETE FROM presence WHERE lease_until <= ?').run(now);
      return users;
    },
  };
}
