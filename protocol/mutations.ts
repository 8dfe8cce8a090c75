import { z } from 'zod';
import { Attachment, ConversationStatus, Id } from './domain.ts';

export const MAX_MESSAGE_BODY = 4000;

/**
 * Everything a client may ask the server to change. Each is applied exactly
 * once per (clientId, mutation id) and answered with an ack or a rejection.
 */
export const Mutation = z.discriminatedUnion('name', [
  z.object({
    name: z.literal('message.send'),
    args: z.object({
      conversationId: Id,
      /** Client-generated (UUID); becomes the message id. */
      messageId: Id,
      body: z.string().max(MAX_MESSAGE_BODY),
      attachments: z.array(Attachment).max(10).default([]),
    }),
  }),
  z.object({
    name: z.literal('conversation.assign'),
    args: z.object({ conversationId: Id, assigneeId: Id.nullable() }),
  }),
  z.object({
    name: z.literal('conversation.setStatus'),
    args: z.object({ conversationId: Id, status: ConversationStatus }),
  }),
  z.object({
    name: z.literal('conversation.markRead'),
    args: z.object({ conversationId: Id, readAt: z.number().int().nonnegative() }),
  }),
  z.object({
    name: z.literal('inbox.setMember'),
    args: z.object({ inboxId: Id, userId: Id, member: z.boolean() }),
  }),
  z.object({
    name: z.literal('chat.send'),
    args: z.object({ chatId: Id, messageId: Id, body: z.string().min(1).max(MAX_MESSAGE_BODY) }),
  }),
]);
export type Mutation = z.infer<typeof Mutation>;
export type MutationName = Mutation['name'];
export type MutationArgs<N extends MutationName> = Extract<Mutation, { name: N }>['args'];

export const RejectionCode = z.enum([
  'not_found',
  'forbidden',
  'invalid',
  'conflict',
  'opted_out',
  'not_registered',
  'window_closed',
  'internal',
]);
export type RejectionCode = z.infer<typeof RejectionCode>;

export const MutationResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: RejectionCode, message: z.string() }),
]);
export type MutationResult = z.infer<typeof MutationResult>;
