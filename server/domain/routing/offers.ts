import { DEFAULT_QUEUE_SETTINGS } from '../../../protocol/domain.ts';
import type { StorageTx } from '../../storage/storage.ts';
import { putRecord, scopeOf } from '../change-log.ts';
import { reject } from '../errors.ts';
import { logoutAgent } from './login.ts';
import { agentOf, putAgent, queueInbox, settingsOf, type Conversation } from './queue-agents.ts';
import { passOffer } from './passes.ts';
import { routeQueue, TIMER } from './route-queue.ts';
import { assigned } from './transitions.ts';

/** The conversation's pending offer to `userId`, or a refusal saying why there is none. */
function offerTo(conversation: Conversation, userId: string): NonNullable<NonNullable<Conversation['routing']>['offer']> {
  const offer = conversation.routing?.offer;
  if (!offer || offer.userId !== userId || conversation.status !== 'open' || conversation.assigneeId !== null) {
    return reject('conflict', 'This offer is no longer yours: it expired, was withdrawn or went to someone else.');
  }
  return offer;
}

export async function acceptOffer(tx: StorageTx, conversation: Conversation, userId: string, now: number): Promise<void> {
  if (conversation.assigneeId === userId) return; // accepted already (a replayed click)
  offerTo(conversation, userId);
  const next = assigned(conversation, userId, now);
  await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
  await tx.deleteTimer(TIMER.offer, conversation.id);
  const agent = await agentOf(tx, conversation.inboxId, userId, now);
  await putAgent(tx, { ...agent, missedOffers: 0, lastActivityAt: now });
}

/** Declined: the conversation goes to the next agent, never back to the decliner in this waiting spell (passes.ts). */
export async function declineOffer(tx: StorageTx, conversation: Conversation, userId: string, now: number): Promise<void> {
  offerTo(conversation, userId);
  const inbox = await queueInbox(tx, conversation.inboxId);
  await passOffer(tx, conversation, userId, now, (inbox ? settingsOf(inbox) : DEFAULT_QUEUE_SETTINGS).offerTimeoutMs);
  const agent = await agentOf(tx, conversation.inboxId, userId, now);
  await putAgent(tx, { ...agent, missedOffers: 0, lastActivityAt: now });
  await routeQueue(tx, conversation.inboxId, now);
}

/**
 * An offer's timer fired. Stale timers (the offer was accepted, declined or replaced meanwhile) do nothing.
 * The missedOffersLimit-th timeout in a row logs the agent out of routing, which notifies them and supervisors.
 */
export async function offerTimedOut(tx: StorageTx, conversationId: string, now: number): Promise<void> {
  const conversation = await tx.get('conversation', conversationId);
  const offer = conversation?.routing?.offer;
  if (!conversation || !offer || offer.expiresAt > now) return;
  const inbox = await queueInbox(tx, conversation.inboxId);
  await passOffer(tx, conversation, offer.userId, now, (inbox ? settingsOf(inbox) : DEFAULT_QUEUE_SETTINGS).offerTimeoutMs);
  const agent = await agentOf(tx, conversation.inboxId, offer.userId, now);
  const missedOffers = agent.missedOffers + 1;
  await putAgent(tx, { ...agent, missedOffers });
  if (inbox && agent.loggedIn && missedOffers >= settingsOf(inbox).missedOffersLimit) {
    await logoutAgent(tx, inbox, offer.userId, 'missedOffers', offer.userId, now);
  }
  await routeQueue(tx, conversation.inboxId, now);
}
