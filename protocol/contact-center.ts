import { z } from 'zod';
import { Id, PairId } from './id.ts';
import { Timestamp } from './timestamp.ts';

/**
 * Contact Center (issue 10): the organisation's edition, inbox queues' routing settings, each agent's state in
 * a queue, and what routing keeps on a conversation. Imports only id.ts and timestamp.ts, so protocol/domain.ts
 * can build its records from these without an import cycle.
 */

/** The organisation's product: Customer Engagement (shared inboxes) or Contact Center (inbox queues, routing). */
export const OrgEdition = z.enum(['customer_engagement', 'contact_center']);
export type OrgEdition = z.infer<typeof OrgEdition>;

/**
 * The organisation as every member sees it (scope org:<orgId>): its edition decides the client's layout rules,
 * and an admin's softphone URL template (`https://…{number}…`) is what Call opens instead of `tel:`.
 */
export const Org = z.object({
  id: Id,
  name: z.string(),
  edition: OrgEdition,
  softphoneUrlTemplate: z.string().max(2000).nullable(),
});
export type Org = z.infer<typeof Org>;

/** assign: a routed conversation is assigned at once; offer: the agent accepts or declines within a timeout. */
export const RoutingMode = z.enum(['assign', 'offer']);
export type RoutingMode = z.infer<typeof RoutingMode>;

export const MAX_CAPACITY = 50;
export const Capacity = z.number().int().min(1, 'a capacity is at least 1').max(MAX_CAPACITY, `a capacity is at most ${MAX_CAPACITY}`);

/** One inbox queue's routing settings (Inbox.queue). Bounds keep a typo from stalling a queue. */
export const QueueSettings = z.object({
  mode: RoutingMode,
  /** Open conversations (plus pending offers) an agent handles at once unless their own capacity says otherwise. */
  defaultCapacity: Capacity,
  /** How long an offer waits for Accept before it goes to the next agent. */
  offerTimeoutMs: z.number().int().min(5_000).max(600_000),
  /** How long an agent may be disconnected (every sync socket closed) before they are logged out of routing. */
  disconnectGraceMs: z.number().int().min(0).max(3_600_000),
  /** Service level: a conversation first answered within this long after it first queued counts as in target. */
  serviceLevelTargetMs: z.number().int().min(1_000).max(86_400_000),
  /** Offers in a row an agent may let time out before being logged out of routing. */
  missedOffersLimit: z.number().int().min(1).max(20),
});
export type QueueSettings = z.infer<typeof QueueSettings>;
/** What `queue.settings` may change: any subset. */
export const QueueSettingsPatch = QueueSettings.partial();
export type QueueSettingsPatch = z.infer<typeof QueueSettingsPatch>;

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  mode: 'assign',
  defaultCapacity: 3,
  offerTimeoutMs: 30_000,
  disconnectGraceMs: 120_000,
  serviceLevelTargetMs: 60_000,
  missedOffersLimit: 3,
};

/** Why an agent is logged out of a queue's routing (null while logged in, or never logged in). */
export const RoutingLoggedOutReason = z.enum(['self', 'supervisor', 'disconnected', 'missedOffers']);
export type RoutingLoggedOutReason = z.infer<typeof RoutingLoggedOutReason>;

/**
 * One agent's state in one queue (scope inbox:<inboxId>: every member of the queue, supervisors included, sees
 * it). id = recordId.queueAgent(inboxId, userId). A member of a queue with no such record is logged out.
 */
export const QueueAgent = z.object({
  id: PairId,
  inboxId: Id,
  userId: Id,
  loggedIn: z.boolean(),
  /** A sync socket of theirs is open on some server instance (within the grace period after the last closed). */
  connected: z.boolean(),
  /** Per-agent capacity override; null = the queue's defaultCapacity. */
  capacity: Capacity.nullable(),
  /** Last change of loggedIn or connected. */
  since: Timestamp,
  loggedOutReason: RoutingLoggedOutReason.nullable(),
  /** Offers in a row that timed out (reset by an accept or decline). */
  missedOffers: z.number().int().nonnegative(),
  /** When routing last gave them a conversation (assigned or offered): longest idle first. */
  lastRoutedAt: Timestamp.nullable(),
  /** Their last reply or routing action in this queue. */
  lastActivityAt: Timestamp.nullable(),
});
export type QueueAgent = z.infer<typeof QueueAgent>;

export const RoutingOffer = z.object({ userId: Id, offeredAt: Timestamp, expiresAt: Timestamp });
export type RoutingOffer = z.infer<typeof RoutingOffer>;

/**
 * What routing keeps on a conversation of an inbox queue (absent elsewhere). Waiting = open, no assignee,
 * waitingSince set.
 */
export const ConversationRouting = z.object({
  /** In the queue since (FIFO key); kept when the conversation goes back to the queue; null = not waiting. */
  waitingSince: Timestamp.nullable(),
  firstQueuedAt: Timestamp,
  offer: RoutingOffer.nullable(),
  /** When the current assignee got it (routing, accept, or by hand). */
  assignedAt: Timestamp.nullable(),
  /** The first agent reply after it first queued. */
  firstResponseAt: Timestamp.nullable(),
  /** Everyone who had it, in order. */
  handledBy: z.array(Id),
  /** Its assignee logged out of the queue while it was in progress (flag for supervisors). */
  inProgressWhenLoggedOut: z.boolean(),
  /**
   * Agents who declined it or let its offer time out in this waiting spell: routing never offers it to them
   * again until the list clears (assigned, closed, back in the queue anew, or one offer timeout after the last
   * pass). Absent = nobody (records older than the field parse).
   */
  passedBy: z.array(Id).optional(),
});
export type ConversationRouting = z.infer<typeof ConversationRouting>;

/** Routing's notices, besides the workflow's reassigned/assigned. */
export const NoticeKind = z.enum(['reassigned', 'assigned', 'offered', 'routingLoggedOut']);
export type NoticeKind = z.infer<typeof NoticeKind>;

type RoutedConversation = { status: 'open' | 'closed'; assigneeId: string | null; routing?: ConversationRouting | undefined };

/** In its queue, waiting for an agent (offered or not): what supervisors count as waiting. */
export const isWaiting = (c: RoutedConversation): boolean =>
  c.status === 'open' && c.assigneeId === null && c.routing !== undefined && c.routing.waitingSince !== null;

/** The FIFO key of a conversation routing may hand out now: waiting and not under an offer (else null). */
export const routableSince = (c: RoutedConversation): number | null => (isWaiting(c) && !c.routing?.offer ? (c.routing?.waitingSince ?? null) : null);

/** The agent an open conversation counts against (its assignee, or the agent it is offered to), or null. */
export const loadHolder = (c: RoutedConversation): string | null =>
  c.status !== 'open' ? null : (c.assigneeId ?? c.routing?.offer?.userId ?? null);
