import type { StorageTx } from '../../storage/storage.ts';
import { putRecord, scopeOf } from '../change-log.ts';
import { agentOf, putAgent, putNotice, queueInbox, settingsOf, type Conversation } from './queue-agents.ts';
import { assigned } from './transitions.ts';

/** Durable timer kinds (the timers table); the key says which conversation or agent. */
export const TIMER = { offer: 'routing.offer', grace: 'routing.grace', more: 'routing.more', passes: 'routing.passes' } as const;

/**
 * At most this many decisions per call: a queue of 10,000 and 500 free agents routes in a few transactions, never
 * one huge one. A call that stops there leaves a timer due at once, so the timer worker carries on.
 */
export const MAX_DECISIONS = 200;

/**
 * Hands waiting conversations of the queue to agents with room, oldest first (skipping, per agent, those they
 * passed), until no pair is left. Each
 * decision is written in the caller's transaction (the one that made the capacity or the conversation appear),
 * so two instances routing at once cannot both commit one conversation or one free slot (SQLite: one writer;
 * PostgreSQL: SERIALIZABLE retries the loser, which then sees the winner). Returns how many it routed.
 */
export async function routeQueue(tx: StorageTx, inboxId: string, now: number): Promise<number> {
  const inbox = await queueInbox(tx, inboxId);
  if (!inbox) return 0;
  const settings = settingsOf(inbox);
  let routed = 0;
  while (routed < MAX_DECISIONS) {
    // FIFO with exclusions: never to an agent who passed it in this waiting spell (see passes.ts).
    const next = await tx.nextRoute(inbox.id, settings.defaultCapacity);
    if (!next) break;
    const { conversation, userId } = next;
    if (settings.mode === 'assign') await assignByRouting(tx, conversation, userId, now);
    else await offer(tx, conversation, userId, now, settings.offerTimeoutMs);
    const agent = await agentOf(tx, inbox.id, userId, now);
    await putAgent(tx, { ...agent, lastRoutedAt: now });
    routed += 1;
  }
  if (routed === MAX_DECISIONS) await tx.putTimer(TIMER.more, inbox.id, now, now);
  return routed;
}

async function assignByRouting(tx: StorageTx, conversation: Conversation, userId: string, now: number): Promise<void> {
  const next = assigned(conversation, userId, now);
  await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
}

async function offer(tx: StorageTx, conversation: Conversation, userId: string, now: number, timeoutMs: number): Promise<void> {
  const routing = conversation.routing!;
  const expiresAt = now + timeoutMs;
  const next = { ...conversation, routing: { ...routing, offer: { userId, offeredAt: now, expiresAt } } };
  await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
  await tx.putTimer(TIMER.offer, conversation.id, expiresAt, now);
  await putNotice(tx, { userId, kind: 'offered', conversationId: conversation.id, actorId: userId, createdAt: now });
}

/** Takes back a pending offer (the conversation waits again, keeping its place); the caller routes afterwards. */
export async function withdrawOffer(tx: StorageTx, conversation: Conversation): Promise<Conversation> {
  if (!conversation.routing?.offer) return conversation;
  const next = { ...conversation, routing: { ...conversation.routing, offer: null } };
  await putRecord(tx, scopeOf.conversation(next), 'conversation', next);
  await tx.deleteTimer(TIMER.offer, conversation.id);
  return next;
}
