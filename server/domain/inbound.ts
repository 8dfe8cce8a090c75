import { randomUUID } from 'node:crypto';
import { attachmentSummary } from '../../protocol/attachments.ts';
import { PhoneNumber, type EntityOf } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import { linkMessageAttachments } from './attachments.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { nextMessageTime, preview } from './outbound-message.ts';
import { enqueueSend } from './send-queue.ts';
import { afterConversationWrite } from './routing/hooks.ts';
import { onInbound } from './routing/transitions.ts';

export interface InboundMessage {
  channelId: string;
  /** Customer address: E.164 for sms/whatsapp, visitor handle for web chat. */
  from: string;
  body: string;
  /** The provider's message id; a repeated webhook with the same id is ignored. */
  providerId?: string;
  /** Files the provider sent with it (MMS), already stored and committed by the caller; linked to the message here. */
  attachments?: EntityOf<'message'>['attachments'];
  /** An answer (the HELP text) stored and queued for sending in the same transaction, when the message is new. */
  automaticReply?: string | null;
}

export interface InboundResult {
  conversationId: string;
  messageId: string;
  /** false when the providerId was seen before and nothing changed. */
  created: boolean;
}

export class UnknownChannelError extends Error {
  constructor(channelId: string) {
    super(`channel ${channelId} does not exist`);
    this.name = 'UnknownChannelError';
  }
}

const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES', 'OPTIN']);
/** Keywords answered with the channel's help text (issue 4; the reply is sent by the provider webhook). */
export const HELP_WORDS = new Set(['HELP', 'INFO']);

/** The single-word keyword of an SMS body (trimmed, case-insensitive). */
export const smsKeyword = (body: string): string => body.trim().toUpperCase();

/**
 * The single entry for customer messages (demo endpoint now, provider webhooks
 * later). Runs inside the caller's transaction.
 */
export async function receiveInbound(tx: StorageTx, input: InboundMessage, now: number): Promise<InboundResult> {
  const channel = await tx.get('channel', input.channelId);
  if (!channel) throw new UnknownChannelError(input.channelId);
  const inbox = await tx.get('inbox', channel.inboxId);
  if (!inbox) throw new UnknownChannelError(input.channelId);

  if (input.providerId) {
    const seen = await tx.findMessageByProviderId(channel.id, input.providerId);
    if (seen) return { conversationId: seen.conversationId, messageId: seen.id, created: false };
  }

  const phoneLike = channel.kind !== 'webchat';
  let conversation = await tx.findLatestConversation(channel.id, input.from);
  // SPEC (11): previous messages of a moved private number stay read-only; a new message starts afresh.
  if (conversation?.previousOfChannelId) conversation = null;
  let contact = conversation?.contactId ? await tx.get('contact', conversation.contactId) : null;
  if (!contact && phoneLike) contact = await tx.findSharedContactByPhone(inbox.orgId, input.from);

  const isNew = !conversation;
  if (!conversation) {
    conversation = {
      id: `conv_${randomUUID()}`,
      inboxId: inbox.id,
      channelId: channel.id,
      contactId: contact?.id ?? null,
      customerAddress: input.from,
      status: 'open',
      assigneeId: null,
      tags: [],
      createdAt: now,
      closedAt: null,
      lastMessageAt: null,
      lastMessagePreview: '',
      participantIds: [],
    };
  }

  // The opt-out must outlive this conversation, and opt-out lives on contacts (organisation-wide per
  // number): a STOP from an unknown number makes a shared contact, named by the number, that carries it.
  const createdContact =
    channel.kind === 'sms' && !contact && STOP_WORDS.has(smsKeyword(input.body)) && PhoneNumber.safeParse(input.from).success
      ? optedOutContact(inbox.orgId, input.from)
      : null;
  if (createdContact) {
    await putRecord(tx, scopeOf.contact(createdContact), 'contact', createdContact);
    contact = createdContact;
  }

  const at = nextMessageTime(conversation.lastMessageAt, now);
  const message: EntityOf<'message'> = {
    id: `msg_${randomUUID()}`,
    conversationId: conversation.id,
    direction: 'in',
    authorType: 'contact',
    authorId: contact?.id ?? null,
    body: input.body,
    attachments: input.attachments ?? [],
    status: 'delivered',
    statusReason: null,
    providerId: input.providerId ?? null,
    createdAt: at,
  };
  // The conversation row must exist before the message that references it.
  const updated: EntityOf<'conversation'> = onInbound(inbox, conversation, {
    ...conversation,
    contactId: conversation.contactId ?? contact?.id ?? null,
    // An inbound message on a closed conversation reopens it.
    status: 'open',
    closedAt: null,
    lastMessageAt: at,
    lastMessagePreview: preview(input.body || attachmentSummary(input.attachments ?? [])),
  }, isNew, now);
  await putRecord(tx, scopeOf.conversation(updated), 'conversation', updated);
  await putRecord(tx, scopeOf.conversation(updated), 'message', message);
  // Provider media and web chat uploads were stored (and reserved) before; the message makes them its own.
  await linkMessageAttachments(tx, message, now);
  await afterConversationWrite(tx, isNew ? null : conversation, updated, now);

  if (channel.kind === 'sms' && !createdContact) {
    const word = smsKeyword(input.body);
    const optOut = STOP_WORDS.has(word) ? true : START_WORDS.has(word) ? false : null;
    if (optOut !== null && contact && contact.smsOptOut !== optOut) {
      const next = { ...contact, smsOptOut: optOut };
      await putRecord(tx, scopeOf.contact(next), 'contact', next);
    }
  }
  return { conversationId: conversation.id, messageId: message.id, created: true };
}

function optedOutContact(orgId: string, phone: string): EntityOf<'contact'> {
  return { id: `contact_${randomUUID()}`, orgId, ownerId: null, name: phone, phones: [phone], email: null, company: null, notes: null, smsOptOut: true };
}

/**
 * An automatic reply (the HELP text) stored in the conversation as a system message, so agents see
 * what the customer was told, with its send job like any outbound message.
 */
export async function appendAutomaticReply(tx: StorageTx, conversationId: string, body: string, now: number): Promise<EntityOf<'message'> | null> {
  const conversation = await tx.get('conversation', conversationId);
  if (!conversation) return null;
  const at = nextMessageTime(conversation.lastMessageAt, now);
  const message: EntityOf<'message'> = {
    id: `msg_${randomUUID()}`,
    conversationId,
    direction: 'out',
    authorType: 'system',
    authorId: null,
    body,
    attachments: [],
    status: 'queued',
    statusReason: null,
    providerId: null,
    createdAt: at,
  };
  await putRecord(tx, scopeOf.conversation(conversation), 'message', message);
  await putRecord(tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, lastMessageAt: at, lastMessagePreview: preview(body) });
  await enqueueSend(tx, message.id, now);
  return message;
}
