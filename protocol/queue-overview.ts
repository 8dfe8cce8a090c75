import { z } from 'zod';
import { Capacity, type RoutingLoggedOutReason } from './contact-center.ts';
import { Id } from './id.ts';

/**
 * The supervisor's live Queues view (issue 10 §4): what `queues.overview` returns, computed by the client core
 * from its cache, and the inputs of the supervisor's queue actions. Metric definitions: README "Supervisor view".
 */

/**
 * An agent's state in one queue. `available`: logged in, connected, load below capacity. `atCapacity`: logged in,
 * connected, load at or above capacity. `away`: logged in but disconnected (inside the queue's grace period; past
 * it the server logs them out). `loggedOut`: not routed to (or never logged in).
 */
export type QueueAgentStatus = 'available' | 'atCapacity' | 'away' | 'loggedOut';
export type QueueLogoutReason = RoutingLoggedOutReason;

export interface QueueConversationRef {
  id: string;
  /** Contact name, or the formatted customer number. */
  title: string;
  /** Waiting: since when (the FIFO key). Assigned: when it was assigned. Offered: when the offer was made. */
  since: number | null;
  /** An agent replied since it first queued. */
  answered: boolean;
  /** Its assignee logged out while it was in progress (kept by them, flagged for supervisors). */
  flagged: boolean;
  /** A pending offer rather than an assignment. */
  offered: boolean;
}

export interface QueueAgentRow {
  userId: string;
  name: string;
  avatarColor: string;
  status: QueueAgentStatus;
  /** Start of the current presence state (last login, logout, connect or disconnect); null = never logged in. */
  statusSince: number | null;
  loggedOutReason: QueueLogoutReason | null;
  /** Open conversations of this queue assigned to them + their pending offers. */
  load: number;
  /** The capacity in force: their override, else the queue's default. */
  capacity: number;
  /** Their per-agent override (null = the queue's default applies). */
  capacityOverride: number | null;
  /** Their open conversations (and offers) in this queue, oldest first. */
  conversations: QueueConversationRef[];
  lastActivityAt: number | null;
}

export interface QueueSparkline {
  /** Time of the first point; points are `stepMs` apart, the last one is "now". */
  start: number;
  stepMs: number;
  /** Conversations waiting at each point; null = not known (before this app started watching). */
  points: (number | null)[];
}

export interface QueueOverviewRow {
  inboxId: string;
  name: string;
  mode: 'assign' | 'offer';
  defaultCapacity: number;
  serviceLevelTargetMs: number;
  /** Conversations in the queue now (open, unassigned, waiting). */
  waiting: number;
  /** The oldest waiting conversation's waiting-since time (the renderer ticks the age); null when none waits. */
  oldestWaitingSince: number | null;
  /** The oldest waiting conversations, oldest first (at most WAITING_LIST_LIMIT). */
  waitingConversations: QueueConversationRef[];
  agents: { loggedIn: number; available: number; atCapacity: number; away: number };
  /** Conversations of this queue closed today (local day). */
  handledToday: number;
  /** Median time from first queueing to the first agent reply, over conversations first answered today. */
  medianFirstResponseMs: number | null;
  firstResponsesToday: number;
  /** Of today's counted conversations (see README), how many were first answered within the target. */
  serviceLevel: { met: number; counted: number; share: number | null };
  sparkline: QueueSparkline;
  /** Everyone who works the queue: logged-in agents first, then by name. */
  agentRows: QueueAgentRow[];
}

export interface QueuesOverview {
  /** When it was computed (the renderer ticks ages from its own clock). */
  computedAt: number;
  /** Start of today in the computer's time zone (the "today" of the metrics). */
  dayStart: number;
  queues: QueueOverviewRow[];
}

export const WAITING_LIST_LIMIT = 20;
/** The sparkline: one point a minute over the last hour. */
export const SPARKLINE_STEP_MS = 60_000;
export const SPARKLINE_POINTS = 61;

/** IPC inputs of the supervisor's actions (through the outbox, as queue.logout / queue.setCapacity). */
export const LogOutAgentInput = z.object({ inboxId: Id, userId: Id });
export const SetCapacityInput = z.object({
  inboxId: Id,
  /** null = the queue's default capacity. */
  userId: Id.nullable(),
  /** null = clear the agent's override (only with a userId). */
  capacity: Capacity.nullable(),
});
