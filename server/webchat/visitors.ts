import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityOf } from '../../protocol/domain.ts';
import { WEBCHAT_LIMITS, type WebchatMessage } from '../../protocol/webchat.ts';
import { putRecord, scopeOf } from '../domain/change-log.ts';
import type { Domain } from '../domain/domain.ts';

/**
 * Web chat visitors, free of websockets: a visitor is a random token; the conversation's
 * customerAddress is a one-way handle derived from it (agents see the handle, never the token).
 */
export const newVisitorToken = (): string => randomBytes(32).toString('base64url');

export const visitorHandle = (channelId: string, token: string): string =>
  `visitor-${createHash('sha256').update(`${channelId}\n${token}`).digest('hex').slice(0, 16)}`;

/** Whether a conversation's customer address is a widget visitor (demo seed and /api/demo/inbound visitors are not). */
export const isWidgetVisitor = (customerAddress: string): boolean => /^visitor-[0-9a-f]{16}$/.test(customerAddress);

export function findWebchatChannel(domain: Domain, widgetKey: string): Promise<EntityOf<'channel'> | null> {
  return domain.read((tx) => tx.findChannelByAddress('webchat', widgetKey));
}

export const toWebchatMessage = (m: EntityOf<'message'>): WebchatMessage => ({
  id: m.id,
  from: m.direction === 'in' ? 'visitor' : 'agent',
  body: m.body,
  attachments: m.attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.contentType, size: a.size })),
  createdAt: m.createdAt,
});

export const visitorProviderId = (handle: string, clientMessageId: string): string => `webchat:${handle}:${clientMessageId}`;

/** The visitor message already received for this clientMessageId (a resend after a reconnect), or null. */
export function receivedVisitorMessage(domain: Domain, channelId: string, handle: string, clientMessageId: string): Promise<EntityOf<'message'> | null> {
  return domain.read((tx) => tx.findMessageByProviderId(channelId, visitorProviderId(handle, clientMessageId)));
}

/**
 * Whether the visitor may read this attachment: it is on a message the visitor is shown (their own
 * or an agent's reply) in their own conversation — not on an internal row, not merely uploaded.
 */
export async function visitorMayRead(domain: Domain, channelId: string, handle: string, attachment: { id: string; conversationId: string }): Promise<boolean> {
  const conversation = await visitorConversation(domain, channelId, handle);
  if (!conversation || conversation.id !== attachment.conversationId) return false;
  return (await visitorHistory(domain, channelId, handle)).some((m) => m.attachments.some((a) => a.id === attachment.id));
}

/** The visitor's own conversation (latest on this channel), or null before their first message. */
export function visitorConversation(domain: Domain, channelId: string, handle: string): Promise<EntityOf<'conversation'> | null> {
  return domain.read((tx) => tx.findLatestConversation(channelId, handle));
}

/** History shown to the visitor: their messages and agent replies (no internal/system rows). */
export function visitorHistory(domain: Domain, channelId: string, handle: string): Promise<EntityOf<'message'>[]> {
  return domain.read(async (tx) => {
    const conversation = await tx.findLatestConversation(channelId, handle);
    if (!conversation) return [];
    return (await tx.recentMessagesOfConversation(conversation.id, WEBCHAT_LIMITS.historyLimit)).filter((m) => m.authorType !== 'system' && (m.direction === 'in' || m.authorType === 'user'));
  });
}

/** A visitor message through the one inbound path; a name/email links a new shared contact once. */
export async function receiveVisitorMessage(
  domain: Domain,
  input: {
    channelId: string;
    handle: string;
    body: string;
    clientMessageId: string;
    name?: string;
    email?: string;
    /** Already checked and stored by the caller (see uploads.ts). */
    attachments?: EntityOf<'message'>['attachments'];
  },
): Promise<EntityOf<'message'>> {
  const result = await domain.receiveInbound({
    channelId: input.channelId,
    from: input.handle,
    body: input.body,
    providerId: visitorProviderId(input.handle, input.clientMessageId),
    attachments: input.attachments,
  });
  const name = input.name?.trim() || '';
  const email = input.email?.trim() || '';
  if (name || email) {
    await domain.write(async (tx) => {
      const conversation = await tx.get('conversation', result.conversationId);
      const inbox = conversation ? await tx.get('inbox', conversation.inboxId) : null;
      if (!conversation || !inbox || conversation.contactId) return;
      const contact: EntityOf<'contact'> = {
        id: `contact_${randomUUID()}`,
        orgId: inbox.orgId,
        ownerId: null,
        name: name || email,
        phones: [],
        email: email || null,
        company: null,
        notes: 'Web chat visitor',
        smsOptOut: false,
      };
      await putRecord(tx, scopeOf.contact(contact), 'contact', contact);
      const linked = { ...conversation, contactId: contact.id };
      await putRecord(tx, scopeOf.conversation(linked), 'conversation', linked);
    });
  }
  const message = await domain.read((tx) => tx.get('message', result.messageId));
  if (!message) throw new Error(`inbound message ${result.messageId} vanished`);
  return message;
}

/** Marks agent messages `delivered` — only those of this visitor's own conversation. */
export async function ackVisitorMessages(domain: Domain, channelId: string, handle: string, messageIds: readonly string[]): Promise<number> {
  const mine = await domain.read(async (tx) => {
    const conversation = await tx.findLatestConversation(channelId, handle);
    if (!conversation) return [];
    const owned: string[] = [];
    for (const id of messageIds) {
      const m = await tx.get('message', id);
      if (!m || m.direction !== 'out' || m.status === 'delivered') continue;
      const owner = await tx.get('conversation', m.conversationId);
      if (owner?.channelId === channelId && owner.customerAddress === handle) owned.push(id);
    }
    return owned;
  });
  for (const id of mine) await domain.setDeliveryStatus(id, 'delivered');
  return mine.length;
}
