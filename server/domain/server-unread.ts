import { isUnread } from '../../protocol/conversation-views.ts';
import type { UnreadAnswer, UnreadRequest } from '../../protocol/history.ts';
import { recordId } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import type { Reader } from './history-access.ts';

/**
 * The unread flag of conversations whose messages a client does not hold (issue 13): a row fetched for a list
 * carries only its last message, so a customer's message above an agent's reply would be missed, and the
 * client asks here. The same rule as the lists (protocol/conversation-views.ts isUnread) over the newest inbound
 * message and the reader's own read mark. Conversations outside the reader's inboxes are left out, as missing.
 */
export async function serverUnread(tx: StorageTx, reader: Reader, body: UnreadRequest): Promise<UnreadAnswer['conversations']> {
  const ids = [...new Set(body.conversationIds)];
  const visible = (await tx.getMany('conversation', ids)).filter((c) => reader.inboxIds.has(c.inboxId));
  if (visible.length === 0) return [];
  const shown = visible.map((c) => c.id);
  const inbound = new Map((await tx.lastInboundOf(shown)).map((r) => [r.conversationId, r.lastInboundAt] as const));
  const states = await tx.getMany('conversationUserState', shown.map((id) => recordId.conversationUserState(id, reader.user.id)));
  const readAt = new Map(states.filter((s) => s.userId === reader.user.id).map((s) => [s.conversationId, s.readAt] as const));
  return shown.map((id) => {
    const lastInboundAt = inbound.get(id) ?? null;
    return { id, lastInboundAt, unread: isUnread(lastInboundAt, readAt.get(id) ?? null) };
  });
}
