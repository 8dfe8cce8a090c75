import { randomUUID } from 'node:crypto';
import { DEFAULT_QUEUE_SETTINGS, type EntityOf, type QueueSettings, type RoutingLoggedOutReason } from '../../../protocol/domain.ts';
import { permissions } from '../../../protocol/permissions.ts';
import { recordId } from '../../../protocol/scope.ts';
import type { StorageTx } from '../../storage/storage.ts';
import { putRecord, scopeOf } from '../change-log.ts';

export type QueueAgent = EntityOf<'queueAgent'>;
export type Conversation = EntityOf<'conversation'>;
export type Inbox = EntityOf<'inbox'>;

/** A queue's routing settings (defaults for a queue that never had any set). */
export const settingsOf = (inbox: Inbox): QueueSettings => ({ ...DEFAULT_QUEUE_SETTINGS, ...inbox.queue });

/** The inbox if it is an inbox queue, else null: routing touches nothing else. */
export async function queueInbox(tx: StorageTx, inboxId: string): Promise<Inbox | null> {
  const inbox = await tx.get('inbox', inboxId);
  return inbox?.kind === 'queue' ? inbox : null;
}

/** This person's record in the queue, or the logged-out one they have until their first login. */
export async function agentOf(tx: StorageTx, inboxId: string, userId: string, now: number): Promise<QueueAgent> {
  const id = recordId.queueAgent(inboxId, userId);
  return (
    (await tx.get('queueAgent', id)) ?? {
      id,
      inboxId,
      userId,
      loggedIn: false,
      connected: await tx.userConnected(userId, now),
      capacity: null,
      since: now,
      loggedOutReason: null,
      missedOffers: 0,
      lastRoutedAt: null,
      lastActivityAt: null,
    }
  );
}

export async function putAgent(tx: StorageTx, agent: QueueAgent): Promise<void> {
  await putRecord(tx, scopeOf.queueAgent(agent), 'queueAgent', agent);
}

/** Members of the queue who supervise it (permissions.superviseQueues). */
export async function supervisorsOf(tx: StorageTx, inboxId: string): Promise<string[]> {
  const out: string[] = [];
  let after = '';
  for (;;) {
    const page = await tx.list('inboxMember', { inboxId }, after, 500);
    for (const member of page) {
      const user = await tx.get('user', member.userId);
      if (user?.status === 'active' && permissions.superviseQueues(user.role)) out.push(user.id);
    }
    if (page.length < 500) return out;
    after = page[page.length - 1]!.id;
  }
}

export async function putNotice(
  tx: StorageTx,
  notice: Omit<EntityOf<'notice'>, 'id'>,
): Promise<void> {
  const record: EntityOf<'notice'> = { id: `notice_${randomUUID()}`, ...notice };
  await putRecord(tx, scopeOf.notice(record), 'notice', record);
}

/** routingLoggedOut to the agent, and to the queue's supervisors when routing (not a person) logged them out. */
export async function noticeLoggedOut(tx: StorageTx, agent: QueueAgent, reason: RoutingLoggedOutReason, actorId: string, now: number): Promise<void> {
  const base = { kind: 'routingLoggedOut' as const, conversationId: null, createdAt: now, reason, inboxId: agent.inboxId };
  if (reason !== 'self') await putNotice(tx, { ...base, userId: agent.userId, actorId });
  if (reason === 'missedOffers' || reason === 'disconnected') {
    for (const supervisor of await supervisorsOf(tx, agent.inboxId)) {
      if (supervisor !== agent.userId) await putNotice(tx, { ...base, userId: supervisor, actorId: agent.userId });
    }
  }
}
