import type { RoutingLoggedOutReason } from '../../../protocol/domain.ts';
import type { StorageTx } from '../../storage/storage.ts';
import { putRecord, scopeOf } from '../change-log.ts';
import { agentOf, noticeLoggedOut, putAgent, type Inbox } from './queue-agents.ts';
import { routeQueue, TIMER, withdrawOffer } from './route-queue.ts';
import { queued } from './transitions.ts';

/** Logs a person in to a queue's routing; what waits is routed to them (and others) at once. */
export async function loginAgent(tx: StorageTx, inbox: Inbox, userId: string, now: number): Promise<void> {
  const agent = await agentOf(tx, inbox.id, userId, now);
  if (!agent.loggedIn) {
    const connected = await tx.userConnected(userId, now);
    await putAgent(tx, { ...agent, loggedIn: true, connected, loggedOutReason: null, missedOffers: 0, since: now, lastActivityAt: now });
  }
  await routeQueue(tx, inbox.id, now);
}

/**
 * Logs a person out of a queue's routing. Their pending offers are withdrawn; conversations assigned to them
 * that they have not answered since they got them go back to the queue, keeping their place (waitingSince);
 * those in progress stay theirs, flagged for supervisors. Then the queue is routed (others may have room).
 */
export async function logoutAgent(tx: StorageTx, inbox: Inbox, userId: string, reason: RoutingLoggedOutReason, actorId: string, now: number): Promise<void> {
  const agent = await agentOf(tx, inbox.id, userId, now);
  if (!agent.loggedIn) return;
  await putAgent(tx, { ...agent, loggedIn: false, loggedOutReason: reason, since: now });
  await tx.deleteTimer(TIMER.grace, agent.id);
  for (const conversation of await tx.openConversationsOfAgent(inbox.id, userId)) {
    if (conversation.assigneeId !== userId) {
      await withdrawOffer(tx, conversation);
      continue;
    }
    const assignedAt = conversation.routing?.assignedAt ?? 0;
    const repliedAt = await tx.lastAgentReplyAt(conversation.id);
    const next =
      repliedAt === null || repliedAt < assignedAt
        ? queued(conversation, now, true)
        : { ...conversation, routing: conversation.routing ? { ...conversation.routing, inProgressWhenLoggedOut: true } : undefined };
    await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
  }
  await noticeLoggedOut(tx, agent, reason, actorId, now);
  await routeQueue(tx, inbox.id, now);
}
