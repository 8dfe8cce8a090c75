import { isWaiting } from '../../../protocol/domain.ts';
import type { StorageTx } from '../../storage/storage.ts';
import { putRecord, scopeOf } from '../change-log.ts';
import type { Conversation } from './queue-agents.ts';
import { routeQueue, TIMER } from './route-queue.ts';
import { withoutPasses } from './transitions.ts';

/**
 * "On decline or timeout it goes to the next agent": the offer is taken back and the agent joins the
 * conversation's `routing.passedBy`, which routing (StorageTx.nextRoute) never offers it to again in this waiting
 * spell. So that a customer is never stranded while someone could take it, the list clears one offer timeout
 * after the last pass (a durable `routing.passes` timer): if by then only passers have room, it is offered to
 * them again, idle longest first. An agent who becomes eligible meanwhile is not on the list and gets it at once.
 * The caller routes afterwards.
 */
export async function passOffer(tx: StorageTx, conversation: Conversation, userId: string, now: number, offerTimeoutMs: number): Promise<void> {
  const routing = conversation.routing;
  if (!routing?.offer) return;
  const passedBy = routing.passedBy?.includes(userId) ? routing.passedBy : [...(routing.passedBy ?? []), userId];
  const next = { ...conversation, routing: { ...routing, offer: null, passedBy } };
  await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
  await tx.deleteTimer(TIMER.offer, conversation.id);
  await tx.putTimer(TIMER.passes, conversation.id, now + offerTimeoutMs, now);
}

/** The passes timer fired: a conversation still waiting forgets who passed it and is routed again. */
export async function passesExpired(tx: StorageTx, conversationId: string, now: number): Promise<void> {
  const conversation = await tx.get('conversation', conversationId);
  if (!conversation?.routing?.passedBy?.length || !isWaiting(conversation)) return;
  const next = { ...conversation, routing: withoutPasses(conversation.routing) };
  await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
  await routeQueue(tx, conversation.inboxId, now);
}
