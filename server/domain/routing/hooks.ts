import type { StorageTx } from '../../storage/storage.ts';
import { routeQueue, TIMER } from './route-queue.ts';
import { recordId } from '../../../protocol/scope.ts';
import { putAgent, type Conversation } from './queue-agents.ts';
import { onWorkflowChange } from './transitions.ts';

/**
 * Called by the existing write paths (receiveInbound, conversation.assign / setStatus) after they wrote a
 * conversation of any inbox, in their transaction: a withdrawn offer loses its timer, and the queue is routed,
 * since the change may have made a conversation wait or freed an agent's slot.
 */
export async function afterConversationWrite(tx: StorageTx, before: Conversation | null, after: Conversation, now: number): Promise<void> {
  if (!after.routing && !before?.routing) return;
  if (before?.routing?.offer && !after.routing?.offer) await tx.deleteTimer(TIMER.offer, after.id);
  const moved =
    !before ||
    before.status !== after.status ||
    before.assigneeId !== after.assigneeId ||
    before.routing?.waitingSince !== after.routing?.waitingSince ||
    Boolean(before.routing?.offer) !== Boolean(after.routing?.offer);
  if (moved) await routeQueue(tx, after.inboxId, now);
}

/** conversation.assign / setStatus: `after` with its routing state (only conversations of queues have one). */
export async function withRouting(tx: StorageTx, before: Conversation, after: Conversation, now: number): Promise<Conversation> {
  const inbox = await tx.get('inbox', before.inboxId);
  return inbox ? onWorkflowChange(inbox, before, after, now) : after;
}

/** An agent replied in a queue conversation: their last activity (the supervisor's view). */
export async function noteAgentActivity(tx: StorageTx, conversation: Conversation, userId: string, now: number): Promise<void> {
  if (!conversation.routing) return;
  const agent = await tx.get('queueAgent', recordId.queueAgent(conversation.inboxId, userId));
  if (agent) await putAgent(tx, { ...agent, lastActivityAt: now });
}
