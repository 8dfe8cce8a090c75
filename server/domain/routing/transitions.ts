import type { ConversationRouting } from '../../../protocol/domain.ts';
import type { Conversation, Inbox } from './queue-agents.ts';

/**
 * How a conversation's routing state follows a change made by someone else's write path (a customer message,
 * a hand assignment, closing, reopening, a reply). Pure: the caller writes the result in its transaction.
 */

const fresh = (now: number): ConversationRouting => ({
  waitingSince: now,
  firstQueuedAt: now,
  offer: null,
  assignedAt: null,
  firstResponseAt: null,
  handledBy: [],
  inProgressWhenLoggedOut: false,
});

/** A new waiting spell, an assignment or a close: nobody has passed the conversation any more (passes.ts). */
export function withoutPasses(routing: ConversationRouting): ConversationRouting {
  const { passedBy, ...rest } = routing;
  return passedBy === undefined ? routing : rest;
}

/** In the queue from `now` (a new or reopened conversation, or one unassigned by hand), unassigned. */
export function queued(conversation: Conversation, now: number, keepWaitingSince: boolean): Conversation {
  const routing = conversation.routing;
  if (!routing) return { ...conversation, assigneeId: null, routing: fresh(now) };
  const waitingSince = keepWaitingSince ? (routing.waitingSince ?? now) : now;
  return { ...conversation, assigneeId: null, routing: { ...withoutPasses(routing), waitingSince, offer: null, inProgressWhenLoggedOut: false } };
}

/** Assigned to `userId` now (routing, an accepted offer or a hand assignment). waitingSince stays: it is the FIFO key should it return. */
export function assigned(conversation: Conversation, userId: string, now: number): Conversation {
  const routing = conversation.routing ?? { ...fresh(now), waitingSince: null };
  const handledBy = routing.handledBy[routing.handledBy.length - 1] === userId ? routing.handledBy : [...routing.handledBy, userId];
  return { ...conversation, assigneeId: userId, routing: { ...withoutPasses(routing), offer: null, assignedAt: now, handledBy, inProgressWhenLoggedOut: false } };
}

/**
 * A customer message. In a queue, a new conversation and a closed one the customer writes to again wait for
 * routing (the last agent may be long gone); an open one keeps whoever has it.
 */
export function onInbound(inbox: Inbox, before: Conversation, after: Conversation, isNew: boolean, now: number): Conversation {
  if (inbox.kind !== 'queue') return after;
  if (isNew || before.status === 'closed') return queued(after, now, false);
  return after;
}

/** conversation.assign and conversation.setStatus in a queue: the routing state of the result. */
export function onWorkflowChange(inbox: Inbox, before: Conversation, after: Conversation, now: number): Conversation {
  if (inbox.kind !== 'queue') return after;
  if (after.status === 'closed') {
    return before.routing ? { ...after, routing: { ...withoutPasses(before.routing), waitingSince: null, offer: null } } : after;
  }
  if (before.status === 'closed') return after.assigneeId === null ? queued(after, now, false) : assigned(after, after.assigneeId, now);
  if (after.assigneeId === before.assigneeId) return after;
  if (after.assigneeId === null) return queued(after, now, true);
  return assigned(after, after.assigneeId, now);
}

/** An agent's reply: the first after the conversation first queued is its first response. */
export function onReply(conversation: Conversation, at: number): Conversation {
  const routing = conversation.routing;
  if (!routing || routing.firstResponseAt !== null) return conversation;
  return { ...conversation, routing: { ...routing, firstResponseAt: at } };
}
