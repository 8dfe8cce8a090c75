import { z } from 'zod';
import { Attachment, CannedResponse, ConversationStatus, Id, PhoneNumber, Registration } from './domain.ts';
import { SoftphoneUrlTemplate } from './call.ts';
import { Capacity, QueueSettingsPatch } from './contact-center.ts';
import { MAX_TEMPLATE_PARAMETER_LENGTH, MAX_TEMPLATE_PARAMETERS } from './whatsapp-templates.ts';

export const MAX_MESSAGE_BODY = 4000;

/** A conversation tag: what "+ Add tag" accepts (trimmed, lowercased by the client). */
export const TagName = z
  .string()
  .trim()
  .min(1, 'a tag cannot be empty')
  .max(32, 'a tag is at most 32 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, 'a tag uses letters, digits, spaces, - and _');
export const InboxName = z.string().trim().min(1, 'an inbox needs a name').max(80);

/** The editable fields of a contact (SPEC (20)); phones already parsed to E.164 by the client. */
export const ContactFields = z.object({
  name: z.string().trim().min(1, 'a contact needs a name').max(200),
  phones: z.array(PhoneNumber).max(10),
  email: z.string().trim().email('expected an email address such as ana@example.com').max(254).nullable(),
  company: z.string().trim().max(200).nullable(),
  notes: z.string().max(4000).nullable(),
});
export type ContactFields = z.infer<typeof ContactFields>;

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
    name: z.literal('message.sendTemplate'),
    /** An approved WhatsApp template of the conversation's channel; allowed outside the 24-hour window. */
    args: z.object({
      conversationId: Id,
      messageId: Id,
      templateId: Id,
      /** Values of the template's {{1}}…{{n}}, in order (checked against the template by the server). */
      parameters: z.array(z.string().max(MAX_TEMPLATE_PARAMETER_LENGTH)).max(MAX_TEMPLATE_PARAMETERS).default([]),
    }),
  }),
  z.object({
    name: z.literal('message.retry'),
    /**
     * Sends again a reply the provider refused after the server accepted it (status failed): the same message,
     * queued again with a new send job. The channel's rules are checked again (opt-out, window, registration).
     */
    args: z.object({ conversationId: Id, messageId: Id }),
  }),
  z.object({
    name: z.literal('conversation.assign'),
    args: z.object({
      conversationId: Id,
      assigneeId: Id.nullable(),
      /**
       * The assignee the client saw when the person chose (null = unassigned). When given and no longer current,
       * the assignment is refused with `conflict`: of two people taking one conversation at once, one gets it and
       * the other is told who did. Without it, the last assignment wins (managers reassigning on purpose).
       */
      expectedAssigneeId: Id.nullable().optional(),
    }),
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
  z.object({
    name: z.literal('contact.create'),
    /** contactId is client-generated (like messageId), so the optimistic row and the server's are one. */
    args: z.object({ contactId: Id, shared: z.boolean(), fields: ContactFields }),
  }),
  z.object({
    name: z.literal('contact.update'),
    args: z.object({ contactId: Id, fields: ContactFields }),
  }),
  z.object({
    name: z.literal('contact.setFavourite'),
    args: z.object({ contactId: Id, favourite: z.boolean() }),
  }),
  z.object({
    name: z.literal('contact.setOptOut'),
    args: z.object({ contactId: Id, optOut: z.boolean() }),
  }),
  z.object({
    name: z.literal('conversation.linkContact'),
    args: z.object({ conversationId: Id, contactId: Id }),
  }),
  // ---- conversation workflow and manager screens (SPEC (1), (8), (12), (15), (18), tags)
  z.object({
    name: z.literal('conversation.create'),
    /** conversationId and messageId are client-generated; an open conversation with this number on this channel is reused. */
    args: z.object({
      conversationId: Id,
      messageId: Id,
      channelId: Id,
      contactId: Id.nullable(),
      customerAddress: PhoneNumber,
      body: z.string().min(1).max(MAX_MESSAGE_BODY),
    }),
  }),
  z.object({
    name: z.literal('conversation.setArchived'),
    args: z.object({ conversationId: Id, archived: z.boolean() }),
  }),
  z.object({
    name: z.literal('conversation.markUnread'),
    args: z.object({ conversationId: Id }),
  }),
  z.object({
    name: z.literal('conversation.addTag'),
    args: z.object({ conversationId: Id, tag: TagName }),
  }),
  z.object({
    name: z.literal('conversation.removeTag'),
    args: z.object({ conversationId: Id, tag: TagName }),
  }),
  z.object({
    name: z.literal('cannedResponse.save'),
    /** Creates (new client-generated id) or replaces the pre-written message with this id. */
    args: z.object({ cannedResponse: CannedResponse }),
  }),
  z.object({
    name: z.literal('cannedResponse.delete'),
    args: z.object({ cannedResponseId: Id }),
  }),
  z.object({
    name: z.literal('inbox.create'),
    /** kind 'queue' (issue 10): an inbox queue with the default routing settings (Contact Center; permissions.configureQueues). */
    args: z.object({ inboxId: Id, name: InboxName, assignmentMode: z.boolean(), kind: z.enum(['shared', 'queue']).optional() }),
  }),
  z.object({
    name: z.literal('inbox.update'),
    args: z.object({ inboxId: Id, name: InboxName, assignmentMode: z.boolean() }),
  }),
  // ---- direct and team chats (SPEC (5), (6)); chatId is client-generated
  z.object({
    name: z.literal('chat.create'),
    /** memberIds: the others (the creator is always a member). A direct chat has exactly one other member and no name. */
    args: z.object({
      chatId: Id,
      kind: z.enum(['direct', 'team']),
      name: z.string().trim().max(100),
      memberIds: z.array(Id).min(1).max(100),
    }),
  }),
  z.object({
    name: z.literal('chat.rename'),
    args: z.object({ chatId: Id, name: z.string().trim().min(1, 'a team chat needs a name').max(100) }),
  }),
  z.object({
    name: z.literal('chat.setMembers'),
    /** The complete new member list of a team chat. */
    args: z.object({ chatId: Id, memberIds: z.array(Id).min(1).max(100) }),
  }),
  z.object({
    name: z.literal('chat.markRead'),
    args: z.object({ chatId: Id, readAt: z.number().int().nonnegative() }),
  }),
  // ---- private texting numbers (SPEC (3), (11))
  z.object({
    name: z.literal('privateNumber.moveToInbox'),
    /**
     * A manager moves a person's private number (a channel of their private inbox) into a shared inbox.
     * Named by owner and number: managers never see others' private numbers, they are told them.
     */
    args: z.object({ ownerId: Id, number: PhoneNumber, inboxId: Id }),
  }),
  // ---- customer satisfaction surveys (issue 12 §2); surveyId and messageId are client-generated
  z.object({
    name: z.literal('survey.send'),
    /**
     * Sends the inbox's survey text with a link to the survey page (web chat: an inline rating). Outside
     * WhatsApp's 24-hour window a template carries it: its last {{n}} receives the link, `parameters` fill the others.
     */
    args: z.object({
      conversationId: Id,
      surveyId: Id,
      messageId: Id,
      template: z
        .object({
          templateId: Id,
          parameters: z.array(z.string().max(MAX_TEMPLATE_PARAMETER_LENGTH)).max(MAX_TEMPLATE_PARAMETERS - 1).default([]),
        })
        .nullable()
        .default(null),
    }),
  }),
  // ---- Contact Center calls (issue 10 §3); messageId is client-generated
  z.object({
    name: z.literal('conversation.noteCall'),
    /** Notes "Call started by <name>" in the conversation (a system line, never sent to the customer). */
    args: z.object({ conversationId: Id, messageId: Id }),
  }),
  z.object({
    name: z.literal('org.setSoftphone'),
    /** The admin's softphone address (`https://…{number}…`); null = calls go to the operating system's phone handler (tel:). */
    args: z.object({ urlTemplate: SoftphoneUrlTemplate.nullable() }),
  }),
  // ---- Contact Center routing (issue 10; server/domain/routing/)
  z.object({
    name: z.literal('queue.login'),
    /** Logs the actor in to these inbox queues (all of mine = every id); a queue they are not a member of is refused. */
    args: z.object({ inboxIds: z.array(Id).min(1).max(200) }),
  }),
  z.object({
    name: z.literal('queue.logout'),
    /** userId of someone else: a supervisor logging an agent out (permissions.superviseQueues). */
    args: z.object({ inboxIds: z.array(Id).min(1).max(200), userId: Id.optional() }),
  }),
  z.object({
    name: z.literal('queue.setCapacity'),
    /** userId null = the queue's default capacity; capacity null = clear the agent's override. */
    args: z.object({ inboxId: Id, userId: Id.nullable(), capacity: Capacity.nullable() }),
  }),
  z.object({
    name: z.literal('queue.settings'),
    args: z.object({ inboxId: Id, settings: QueueSettingsPatch }),
  }),
  z.object({
    name: z.literal('offer.accept'),
    args: z.object({ conversationId: Id }),
  }),
  z.object({
    name: z.literal('offer.decline'),
    args: z.object({ conversationId: Id }),
  }),
  // ---- carrier registration (admins only; sms / whatsapp channels)
  z.object({
    name: z.literal('channel.setRegistration'),
    args: z.object({ channelId: Id, registration: Registration }),
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
