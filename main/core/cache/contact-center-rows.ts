import type Database from 'better-sqlite3-multiple-ciphers';
import { isWaiting, type EntityOf } from '../../../protocol/domain.ts';

/**
 * Contact Center records in the cache (issue 10, cache migration 11): the org (edition: layout rules; softphone
 * template), each agent's state per queue, and a conversation's routing state spread into the columns that the
 * agent's and the supervisor's queries filter and count on.
 */

const b = (v: boolean): number => (v ? 1 : 0);

export function contactCenterStatements(db: Database.Database): { org: Database.Statement; queueAgent: Database.Statement } {
  return {
    org: db.prepare('INSERT OR REPLACE INTO orgs (id, scope, name, edition, softphone_url_template) VALUES (?, ?, ?, ?, ?)'),
    queueAgent: db.prepare(`INSERT OR REPLACE INTO queue_agents (id, scope, inbox_id, user_id, logged_in, connected, capacity, since,
                              logged_out_reason, missed_offers, last_routed_at, last_activity_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
}

export function orgRow(scope: string, r: EntityOf<'org'>): unknown[] {
  return [r.id, scope, r.name, r.edition, r.softphoneUrlTemplate];
}

export function queueAgentRow(scope: string, r: EntityOf<'queueAgent'>): unknown[] {
  return [r.id, scope, r.inboxId, r.userId, b(r.loggedIn), b(r.connected), r.capacity, r.since, r.loggedOutReason, r.missedOffers, r.lastRoutedAt, r.lastActivityAt];
}

/** The routing columns of the conversation upsert (named parameters; all null on conversations outside queues). */
export const ROUTING_COLUMNS = [
  'routing',
  'waiting_since',
  'first_queued_at',
  'first_response_at',
  'assigned_at',
  'offer_user_id',
  'offer_expires_at',
  'in_progress_logged_out',
] as const;

export function routingParams(r: EntityOf<'conversation'>): Record<(typeof ROUTING_COLUMNS)[number], string | number | null> {
  const routing = r.routing;
  return {
    routing: routing ? JSON.stringify(routing) : null,
    // Waiting = open, unassigned, in the queue (offered or not): the supervisor's "waiting now".
    waiting_since: isWaiting(r) ? (routing?.waitingSince ?? null) : null,
    first_queued_at: routing?.firstQueuedAt ?? null,
    first_response_at: routing?.firstResponseAt ?? null,
    assigned_at: routing?.assignedAt ?? null,
    offer_user_id: r.status === 'open' ? (routing?.offer?.userId ?? null) : null,
    offer_expires_at: r.status === 'open' ? (routing?.offer?.expiresAt ?? null) : null,
    in_progress_logged_out: b(routing?.inProgressWhenLoggedOut ?? false),
  };
}
