import type { DeliveryStatus, EntityOf } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';

/** Delivery statuses only move forward: a late "sent" never overwrites "delivered". */
const STATUS_ORDER: Record<DeliveryStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, failed: 3 };

async function withConversation(tx: StorageTx, messageId: string): Promise<{ message: EntityOf<'message'>; conversation: EntityOf<'conversation'> } | null> {
  const message = await tx.get('message', messageId);
  const conversation = message ? await tx.get('conversation', message.conversationId) : null;
  return message && conversation ? { message, conversation } : null;
}

/** Moves an outbound message's status forward (with its change-log entry); false = no change. */
export async function recordDeliveryStatus(tx: StorageTx, messageId: string, status: DeliveryStatus, reason: string | null = null): Promise<boolean> {
  const found = await withConversation(tx, messageId);
  if (!found || STATUS_ORDER[status] <= STATUS_ORDER[found.message.status]) return false;
  await putRecord(tx, scopeOf.conversation(found.conversation), 'message', { ...found.message, status, statusReason: reason });
  return true;
}

/**
 * The provider accepted the message: its id (status callbacks and dedupe use it), and at least `sending`.
 * The first id recorded stays: a second one means the provider got the message twice (a duplicate send).
 */
export async function recordProviderId(tx: StorageTx, messageId: string, providerId: string, status: DeliveryStatus = 'sending'): Promise<'recorded' | 'same' | 'other' | 'gone'> {
  const found = await withConversation(tx, messageId);
  if (!found) return 'gone';
  const { message, conversation } = found;
  if (message.providerId !== null) {
    await recordDeliveryStatus(tx, messageId, status);
    return message.providerId === providerId ? 'same' : 'other';
  }
  const next = STATUS_ORDER[status] > STATUS_ORDER[message.status] ? status : message.status;
  await putRecord(tx, scopeOf.conversation(conversation), 'message', { ...message, providerId, status: next });
  return 'recorded';
}

/** A status that moved the message on ends its send job (a web chat welcome, a provider callback). */
export async function settleStatus(tx: StorageTx, messageId: string, status: DeliveryStatus, reason: string | null): Promise<void> {
  if (await recordDeliveryStatus(tx, messageId, status, reason)) await tx.deleteSendJob(messageId);
}

/** The provider accepted the message: its id is recorded and its send job is done. */
export async function settleProviderId(tx: StorageTx, messageId: string, providerId: string): Promise<void> {
  if ((await recordProviderId(tx, messageId, providerId)) !== 'gone') await tx.deleteSendJob(messageId);
}
