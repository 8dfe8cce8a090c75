import type { StorageTx } from '../../storage/storage.ts';
import { logoutAgent } from './login.ts';
import { agentOf, putAgent, queueInbox, settingsOf } from './queue-agents.ts';
import { routeQueue, TIMER } from './route-queue.ts';

/**
 * Presence across instances (issue 10 §1): a person is connected while a sync socket of theirs is open on any
 * instance — a `presence` row per (user, instance), whose lease the instance's heartbeat renews, so the rows of an
 * instance that died expire. Losing the last socket marks their queue records disconnected at once (routing
 * passes them by) and starts a durable grace timer per logged-in queue; coming back within it cancels the timer.
 */

/** A socket of this person opened on this instance. */
export async function socketOpened(tx: StorageTx, userId: string, instanceId: string, now: number, leaseMs: number): Promise<void> {
  await tx.presenceOpened(userId, instanceId, now + leaseMs);
  for (const agent of await tx.queueAgentsOfUser(userId)) {
    await tx.deleteTimer(TIMER.grace, agent.id);
    if (agent.connected) continue;
    await putAgent(tx, { ...agent, connected: true, since: now });
    if (agent.loggedIn) await routeQueue(tx, agent.inboxId, now);
  }
}

/** A socket of this person closed on this instance. */
export async function socketClosed(tx: StorageTx, userId: string, instanceId: string, now: number): Promise<void> {
  await tx.presenceClosed(userId, instanceId);
  await markIfGone(tx, userId, now);
}

/** Rows of instances that stopped renewing are dropped; their people are disconnected unless live elsewhere. */
export async function expirePresence(tx: StorageTx, now: number): Promise<number> {
  const users = await tx.expirePresence(now);
  for (const userId of users) await markIfGone(tx, userId, now);
  return users.length;
}

async function markIfGone(tx: StorageTx, userId: string, now: number): Promise<void> {
  if (await tx.userConnected(userId, now)) return;
  for (const agent of await tx.queueAgentsOfUser(userId)) {
    if (!agent.connected) continue;
    await putAgent(tx, { ...agent, connected: false, since: now });
    const inbox = agent.loggedIn ? await queueInbox(tx, agent.inboxId) : null;
    if (inbox) await tx.putTimer(TIMER.grace, agent.id, now + settingsOf(inbox).disconnectGraceMs, now);
  }
}

/** A grace timer fired: still away, so logged out of that queue's routing (reason disconnected). */
export async function graceExpired(tx: StorageTx, agentId: string, now: number): Promise<void> {
  const agent = await tx.get('queueAgent', agentId);
  if (!agent || agent.connected || !agent.loggedIn) return;
  if (await tx.userConnected(agent.userId, now)) {
    // Back on another instance whose open raced this timer: connected, not logged out.
    await putAgent(tx, { ...(await agentOf(tx, agent.inboxId, agent.userId, now)), connected: true, since: now });
    return;
  }
  const inbox = await queueInbox(tx, agent.inboxId);
  if (inbox) await logoutAgent(tx, inbox, agent.userId, 'disconnected', agent.userId, now);
}
