import type Database from 'better-sqlite3-multiple-ciphers';
import { DEFAULT_QUEUE_SETTINGS, QueueSettings } from '../../../protocol/contact-center.ts';
import {
  WAITING_LIST_LIMIT,
  type QueueAgentRow,
  type QueueConversationRef,
  type QueueLogoutReason,
  type QueueOverviewRow,
  type QueuesOverview,
} from '../../../protocol/queue-overview.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { formatAddress } from './rows.ts';
import { agentStatus, median, SERVICE_LEVEL_SUMS, serviceLevelOf, startOfLocalDay } from './queue-metrics.ts';
import type { WaitingHistory } from './waiting-history.ts';

/**
 * `queues.overview` (issue 10 §4): the supervisor's live figures for every inbox queue the person belongs to,
 * computed from the local cache alone (routing columns of conversations, queue_agents), so the view keeps
 * working through a reconnect. Definitions: README "Supervisor view"; the arithmetic: queue-metrics.ts.
 */

interface QueueRow {
  id: string;
  name: string;
  queue_settings: string | null;
}
interface MemberRow {
  id: string;
  name: string;
  avatar_color: string;
  logged_in: number | null;
  connected: number | null;
  capacity: number | null;
  since: number | null;
  logged_out_reason: QueueLogoutReason | null;
  last_activity_at: number | null;
}
interface ConvRefRow {
  id: string;
  assignee_id: string | null;
  offer_user_id: string | null;
  contact_name: string | null;
  customer_address: string;
  since: number | null;
  answered: number;
  flagged: number;
  routing: string | null;
}

const TITLE = `k.name AS contact_name, c.customer_address`;
/** Per-agent chips are for acting on; an agent far over capacity (hand assignments) is not listed without end. */
const AGENT_CONVERSATIONS_LIMIT = 50;

/** Every statement of the overview, plain and parameterised (tests/main/core/queue-overview-plans.test.ts checks their plans). */
export const QUEUE_OVERVIEW_SQL = {
    queues: `SELECT i.id, i.name, i.queue_settings FROM inboxes i
               JOIN inbox_members m ON m.inbox_id = i.id AND m.user_id = ?
               WHERE i.kind = 'queue' ORDER BY i.name COLLATE NOCASE, i.id`,
    members: `SELECT u.id, u.name, u.avatar_color, a.logged_in, a.connected, a.capacity, a.since, a.logged_out_reason, a.last_activity_at
                FROM inbox_members m JOIN users u ON u.id = m.user_id
                LEFT JOIN queue_agents a ON a.inbox_id = m.inbox_id AND a.user_id = m.user_id
                WHERE m.inbox_id = ? AND u.status = 'active'`,
    waitingCount: `SELECT count(*) AS n, min(waiting_since) AS oldest FROM conversations WHERE inbox_id = ? AND waiting_since IS NOT NULL`,
    waitingList: `SELECT c.id, NULL AS assignee_id, c.offer_user_id, ${TITLE}, c.waiting_since AS since, c.first_response_at IS NOT NULL AS answered,
                      c.in_progress_logged_out AS flagged, NULL AS routing
                    FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id
                    WHERE c.inbox_id = ? AND c.waiting_since IS NOT NULL ORDER BY c.waiting_since, c.id LIMIT ${WAITING_LIST_LIMIT}`,
    handled: `SELECT count(*) FROM conversations WHERE inbox_id = ? AND status = 'closed' AND closed_at >= ?`,
    firstResponses: `SELECT first_response_at - first_queued_at FROM conversations
                       WHERE inbox_id = ? AND first_response_at >= ? AND first_queued_at IS NOT NULL`,
    serviceLevel: `SELECT ${SERVICE_LEVEL_SUMS} FROM conversations WHERE inbox_id = @inboxId AND first_queued_at >= @dayStart`,
    assigned: `SELECT c.id, c.assignee_id, NULL AS offer_user_id, ${TITLE}, c.assigned_at AS since, c.first_response_at IS NOT NULL AS answered,
                   c.in_progress_logged_out AS flagged, NULL AS routing
                 FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id
                 WHERE c.inbox_id = ? AND c.status = 'open' AND c.assignee_id IS NOT NULL ORDER BY c.assigned_at, c.id`,
    offers: `SELECT c.id, NULL AS assignee_id, c.offer_user_id, ${TITLE}, NULL AS since, 0 AS answered, 0 AS flagged, c.routing
               FROM conversations c INDEXED BY conversations_offered LEFT JOIN contacts k ON k.id = c.contact_id
               WHERE c.inbox_id = ? AND c.offer_user_id IS NOT NULL AND c.status = 'open' AND c.assignee_id IS NULL`,
} as const;

function statements(db: Database.Database) {
  const all = Object.fromEntries(Object.entries(QUEUE_OVERVIEW_SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Record<keyof typeof QUEUE_OVERVIEW_SQL, Database.Statement>;
  return { ...all, handled: all.handled.pluck(), firstResponses: all.firstResponses.pluck() };
}
type Statements = ReturnType<typeof statements>;
const prepared = new WeakMap<Database.Database, Statements>();
function statementsOf(db: Database.Database): Statements {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = statements(db)));
  return s;
}

export function queueSettingsOf(json: string | null): QueueSettings {
  if (!json) return DEFAULT_QUEUE_SETTINGS;
  try {
    const parsed = QueueSettings.partial().safeParse(JSON.parse(json));
    return parsed.success ? { ...DEFAULT_QUEUE_SETTINGS, ...parsed.data } : DEFAULT_QUEUE_SETTINGS;
  } catch {
    return DEFAULT_QUEUE_SETTINGS;
  }
}

function offeredAt(routing: string | null): number | null {
  if (!routing) return null;
  try {
    const offer = (JSON.parse(routing) as { offer?: { offeredAt?: unknown } | null }).offer;
    return typeof offer?.offeredAt === 'number' ? offer.offeredAt : null;
  } catch {
    return null;
  }
}

function toRef(r: ConvRefRow): QueueConversationRef {
  return {
    id: r.id,
    title: r.contact_name ?? formatAddress(r.customer_address),
    since: r.routing !== null ? offeredAt(r.routing) : r.since,
    answered: r.answered === 1,
    flagged: r.flagged === 1,
    offered: r.offer_user_id !== null && r.assignee_id === null,
  };
}

const STATUS_ORDER = { available: 0, atCapacity: 1, away: 2, loggedOut: 3 } as const;

function agentRows(s: Statements, inboxId: string, settings: QueueSettings): QueueAgentRow[] {
  const byAgent = new Map<string, QueueConversationRef[]>();
  const add = (userId: string, ref: QueueConversationRef): void => {
    const list = byAgent.get(userId);
    if (list) list.push(ref);
    else byAgent.set(userId, [ref]);
  };
  for (const r of s.assigned.all(inboxId) as ConvRefRow[]) add(r.assignee_id as string, toRef(r));
  for (const r of s.offers.all(inboxId) as ConvRefRow[]) add(r.offer_user_id as string, toRef(r));
  const rows = (s.members.all(inboxId) as MemberRow[]).map((m): QueueAgentRow => {
    const conversations = byAgent.get(m.id) ?? [];
    const capacity = m.capacity ?? settings.defaultCapacity;
    const presence = m.logged_in === null ? null : { loggedIn: m.logged_in === 1, connected: m.connected === 1, load: conversations.length, capacity };
    return {
      userId: m.id,
      name: m.name,
      avatarColor: m.avatar_color,
      status: agentStatus(presence),
      statusSince: m.since,
      loggedOutReason: m.logged_in === 1 ? null : m.logged_out_reason,
      load: conversations.length,
      capacity,
      capacityOverride: m.capacity,
      conversations: conversations.slice(0, AGENT_CONVERSATIONS_LIMIT),
      lastActivityAt: m.last_activity_at,
    };
  });
  return rows.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
}

function queueRow(s: Statements, q: QueueRow, now: number, dayStart: number, history: WaitingHistory | null): QueueOverviewRow {
  const settings = queueSettingsOf(q.queue_settings);
  const waiting = s.waitingCount.get(q.id) as { n: number; oldest: number | null };
  history?.note(q.id, waiting.n, now);
  const agents = agentRows(s, q.id, settings);
  const count = (status: QueueAgentRow['status']): number => agents.filter((a) => a.status === status).length;
  const firstResponses = s.firstResponses.all(q.id, dayStart) as number[];
  const sl = s.serviceLevel.get({ inboxId: q.id, dayStart, target: settings.serviceLevelTargetMs, now }) as { met: number; counted: number };
  return {
    inboxId: q.id,
    name: q.name,
    mode: settings.mode,
    defaultCapacity: settings.defaultCapacity,
    serviceLevelTargetMs: settings.serviceLevelTargetMs,
    waiting: waiting.n,
    oldestWaitingSince: waiting.oldest,
    waitingConversations: (s.waitingList.all(q.id) as ConvRefRow[]).map(toRef),
    agents: { loggedIn: agents.length - count('loggedOut'), available: count('available'), atCapacity: count('atCapacity'), away: count('away') },
    handledToday: s.handled.get(q.id, dayStart) as number,
    medianFirstResponseMs: median(firstResponses),
    firstResponsesToday: firstResponses.length,
    serviceLevel: serviceLevelOf(sl.met, sl.counted),
    sparkline: history ? history.sparkline(q.id, now) : { start: now, stepMs: 60_000, points: [] },
    agentRows: agents,
  };
}

/** Every queue the person is a member of, with its figures now; `history` (when given) notes the waiting counts. */
export function queueOverview(cache: CacheDb, now: number, history: WaitingHistory | null): QueuesOverview {
  const s = statementsOf(cache.db);
  const dayStart = startOfLocalDay(now);
  const queues = s.queues.all(cache.userId) as QueueRow[];
  return { computedAt: now, dayStart, queues: queues.map((q) => queueRow(s, q, now, dayStart, history)) };
}

/** After each applied change: the waiting count of every queue, for the sparkline (see waiting-history.ts). */
export function noteWaiting(cache: CacheDb, now: number, history: WaitingHistory): void {
  const s = statementsOf(cache.db);
  const ids = new Set<string>();
  for (const q of s.queues.all(cache.userId) as QueueRow[]) {
    ids.add(q.id);
    history.note(q.id, (s.waitingCount.get(q.id) as { n: number }).n, now);
  }
  history.forget(ids);
}
