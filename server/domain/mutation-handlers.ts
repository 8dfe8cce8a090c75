import type { EntityOf } from '../../protocol/domain.ts';
import { describeIssue } from '../../protocol/issues.ts';
import { nulIssue } from '../../protocol/nul.ts';
import { Mutation, type MutationArgs, type MutationName } from '../../protocol/mutations.ts';
import { recordId } from '../../protocol/scope.ts';
import { fillTemplate, templateParameterProblem } from '../../protocol/whatsapp-templates.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, deleteRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import { verifyMessageAttachments } from './attachments.ts';
import { contactHandlers } from './contacts.ts';
import { chatHandlers } from './chats.ts';
import { guardPrivateData, privateNumberHandlers } from './private-numbers.ts';
import { createWorkflowHandlers, noticeAssignment } from './conversation-workflow.ts';
import { sendRefusal } from './send-rules.ts';
import { createSurveyHandlers } from './surveys.ts';
import { callHandlers } from './calls.ts';
import { agentMessage, appendOutbound, nextMessageTime } from './outbound-message.ts';
import { enqueueSend } from './send-queue.ts';
import { permissions } from '../../protocol/permissions.ts';
import { routingHandlers } from './routing/handlers.ts';
import { afterConversationWrite, withRouting } from './routing/hooks.ts';

export interface MutationContext {
  tx: StorageTx;
  actor: EntityOf<'user'>;
  now: number;
  /** Work to start once the transaction has committed (e.g. poke the send worker). */
  afterCommit(task: () => void): void;
}

async function isMember(tx: StorageTx, inboxId: string, userId: string): Promise<boolean> {
  return await tx.get('inboxMember', recordId.inboxMember(inboxId, userId)) !== null;
}

/** Loads a conversation the actor may act on; a non-member learns nothing about it. */
async function conversationForMember(ctx: MutationContext, conversationId: string): Promise<EntityOf<'conversation'>> {
  const conversation = await ctx.tx.get('conversation', conversationId);
  if (!conversation || !await isMember(ctx.tx, conversation.inboxId, ctx.actor.id)) {
    return reject('not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
  }
  return conversation;
}

type Handler<N extends MutationName> = (ctx: MutationContext, args: MutationArgs<N>) => Promise<void>;
type Handlers = { [N in MutationName]: Handler<N> };

/** Told once a transaction that wrote send jobs has committed (the send worker looks at once); set by the domain. */
export type SendQueuedHook = () => void;

export function createMutationHandlers(
  sendQueued: SendQueuedHook,
  acceptAttachments = false,
  /** Survey links (issue 12 §2): the page address of a token. */
  surveyPageUrl: (token: string) => string = (token) => `/s/${token}`,
): Handlers {
  const handlers: Handlers = {
    ...contactHandlers,
    ...createSurveyHandlers({ sendQueued, pageUrl: surveyPageUrl }),
    ...chatHandlers,
    ...callHandlers,
    ...privateNumberHandlers,
    ...routingHandlers,
    // conversation.create sends its first message through message.send (same rules, same delivery).
    ...createWorkflowHandlers((ctx, args) => handlers['message.send'](ctx, args)),
    'message.send': async (ctx, args) => {
      const { tx, actor } = ctx;
      const conversation = await conversationForMember(ctx, args.conversationId);
      const now = nextMessageTime(conversation.lastMessageAt, ctx.now);
      const existing = await tx.get('message', args.messageId);
      if (existing) {
        if (existing.conversationId === conversation.id && existing.authorId === actor.id) return; // already sent: idempotent
        return reject('conflict', 'A message with this id already exists.');
      }
      const body = args.body.trim();
      if (!body && args.attachments.length === 0) return reject('invalid', 'A reply cannot be empty.');
      const attachments = await verifyMessageAttachments(tx, acceptAttachments, args.attachments, conversation.id, actor.id);
      if (typeof attachments === 'string') return reject('invalid', attachments);
      const channel = await tx.get('channel', conversation.channelId);
      if (!channel) return reject('not_found', 'The channel of this conversation no longer exists.');
      const refusal = await sendRefusal(tx, conversation, channel, { template: false }, ctx.now);
      if (refusal) return reject(refusal.code, refusal.message);
      const message = agentMessage({ id: args.messageId, conversationId: conversation.id, authorId: actor.id, body, attachments, createdAt: now });
      await appendOutbound(ctx, conversation, message, sendQueued);
    },

    'message.sendTemplate': async (ctx, args) => {
      const { tx, actor } = ctx;
      const conversation = await conversationForMember(ctx, args.conversationId);
      const existing = await tx.get('message', args.messageId);
      if (existing) {
        if (existing.conversationId === conversation.id && existing.authorId === actor.id) return; // already sent: idempotent
        return reject('conflict', 'A message with this id already exists.');
      }
      const channel = await tx.get('channel', conversation.channelId);
      if (!channel) return reject('not_found', 'The channel of this conversation no longer exists.');
      if (channel.kind !== 'whatsapp') return reject('invalid', 'Templates can only be sent on WhatsApp conversations.');
      const template = channel.whatsappTemplates?.find((t) => t.id === args.templateId);
      if (!template) return reject('invalid', `That template is not one of ${channel.name}'s approved templates.`);
      const parameterProblem = templateParameterProblem(template.body, args.parameters);
      if (parameterProblem) return reject('invalid', parameterProblem);
      const body = fillTemplate(template.body, args.parameters);
      const now = nextMessageTime(conversation.lastMessageAt, ctx.now);
      const message = agentMessage({
        id: args.messageId,
        conversationId: conversation.id,
        authorId: actor.id,
        body,
        createdAt: now,
        template: { name: template.name, language: template.language, ...(args.parameters.length ? { parameters: args.parameters } : {}) },
      });
      await appendOutbound(ctx, conversation, message, sendQueued);
    },

    'message.retry': async (ctx, args) => {
      const conversation = await conversationForMember(ctx, args.conversationId);
      const message = await ctx.tx.get('message', args.messageId);
      if (!message || message.conversationId !== conversation.id || message.direction !== 'out') {
        return reject('not_found', 'There is no reply with this id in this conversation.');
      }
      // Asked twice (a second click, another agent, a replayed outbox entry): it is already on its way.
      if (message.status === 'queued' || message.status === 'sending') return;
      if (message.status !== 'failed') return reject('conflict', 'This reply has already been sent; there is nothing to retry.');
      const channel = await ctx.tx.get('channel', conversation.channelId);
      if (!channel) return reject('not_found', 'The channel of this conversation no longer exists.');
      const refusal = await sendRefusal(ctx.tx, conversation, channel, { template: Boolean(message.template) }, ctx.now);
      if (refusal) return reject(refusal.code, refusal.message);
      // A new attempt is a new provider message: its id and callbacks replace those of the refused one.
      await putRecord(ctx.tx, scopeOf.conversation(conversation), 'message', { ...message, status: 'queued', statusReason: null, providerId: null });
      // putSendJob starts an existing job over: the retry is as durable as the first send.
      await enqueueSend(ctx.tx, message.id, ctx.now);
      ctx.afterCommit(sendQueued);
    },

    'conversation.assign': async (ctx, args) => {
      const { tx, actor } = ctx;
      const conversation = await conversationForMember(ctx, args.conversationId);
      const inbox = await tx.get('inbox', conversation.inboxId);
      if (!inbox?.assignmentMode) return reject('invalid', 'Assignment is turned off in this inbox.');
      if (!permissions.assignToAnyone(actor.role) && args.assigneeId !== actor.id) {
        return reject('forbidden', 'You can only assign conversations to yourself.');
      }
      if (args.assigneeId !== null && !await isMember(tx, inbox.id, args.assigneeId)) {
        return reject('invalid', 'That person is not a member of this inbox.');
      }
      if (conversation.assigneeId === args.assigneeId) return;
      if (args.expectedAssigneeId !== undefined && conversation.assigneeId !== args.expectedAssigneeId) {
        // On PostgreSQL the loser of a simultaneous claim is re-run (SERIALIZABLE) and lands here, seeing the winner.
        const holder = conversation.assigneeId ? await tx.get('user', conversation.assigneeId) : null;
        return reject('conflict', holder ? `${holder.name} was assigned this conversation a moment ago.` : 'This conversation was unassigned a moment ago.');
      }
      const next = await withRouting(tx, conversation, { ...conversation, assigneeId: args.assigneeId }, ctx.now);
      await putRecord(tx, scopeOf.conversation(conversation), 'conversation', next);
      await noticeAssignment(ctx, conversation, args.assigneeId);
      await afterConversationWrite(tx, conversation, next, ctx.now);
    },

    'conversation.setStatus': async (ctx, args) => {
      const conversation = await conversationForMember(ctx, args.conversationId);
      if (conversation.status === args.status) return;
      const next = await withRouting(ctx.tx, conversation, { ...conversation, status: args.status, closedAt: args.status === 'closed' ? ctx.now : null }, ctx.now);
      await putRecord(ctx.tx, scopeOf.conversation(conversation), 'conversation', next);
      await afterConversationWrite(ctx.tx, conversation, next, ctx.now);
    },

    'conversation.markRead': async (ctx, args) => {
      const conversation = await conversationForMember(ctx, args.conversationId);
      const id = recordId.conversationUserState(conversation.id, ctx.actor.id);
      const current = await ctx.tx.get('conversationUserState', id);
      // Read marks only move forward, and never past now or the last message (whose time may be bumped ahead of now).
      const readAt = Math.min(Math.max(args.readAt, current?.readAt ?? 0), Math.max(ctx.now, conversation.lastMessageAt ?? 0));
      if (current && current.readAt === readAt) return;
      const state: EntityOf<'conversationUserState'> = {
        id,
        conversationId: conversation.id,
        userId: ctx.actor.id,
        readAt,
        archived: current?.archived ?? false,
      };
      await putRecord(ctx.tx, scopeOf.conversationUserState(state), 'conversationUserState', state);
    },

    'inbox.setMember': async (ctx, args) => {
      const { tx, actor } = ctx;
      const inbox = await tx.get('inbox', args.inboxId);
      if (!inbox || inbox.orgId !== actor.orgId || !await isMember(tx, inbox.id, actor.id)) {
        return reject('not_found', 'This inbox does not exist or you are not a member of it.');
      }
      if (!permissions.manageInboxes(actor.role)) return reject('forbidden', 'Only managers, supervisors and admins can change inbox members.');
      const user = await tx.get('user', args.userId);
      if (!user || user.orgId !== actor.orgId) return reject('not_found', 'That person is not in this organisation.');
      const id = recordId.inboxMember(inbox.id, user.id);
      const present = await tx.get('inboxMember', id) !== null;
      if (args.member && !present) {
        const member: EntityOf<'inboxMember'> = { id, inboxId: inbox.id, userId: user.id };
        await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
      } else if (!args.member && present) {
        await deleteRecord(tx, scopeOf.inbox(inbox), 'inboxMember', id);
      }
    },

    'channel.setRegistration': async (ctx, args) => {
      const { tx, actor } = ctx;
      if (!permissions.setCarrierRegistration(actor.role)) return reject('forbidden', 'Only admins can change a channel’s carrier registration.');
      const channel = await tx.get('channel', args.channelId);
      const inbox = channel ? await tx.get('inbox', channel.inboxId) : null;
      if (!channel || !inbox || inbox.orgId !== actor.orgId) return reject('not_found', 'This channel does not exist.');
      if (channel.kind !== 'sms' && channel.kind !== 'whatsapp') {
        return reject('invalid', 'Only SMS and WhatsApp channels have a carrier registration.');
      }
      if (channel.registration === args.registration) return;
      await putRecord(tx, scopeOf.channel(channel), 'channel', { ...channel, registration: args.registration });
    },

    'chat.send': async (ctx, args) => {
      const { tx, actor } = ctx;
      const chat = await tx.get('chat', args.chatId);
      if (!chat || !chat.memberIds.includes(actor.id)) return reject('not_found', 'This chat does not exist or you are not in it.');
      const now = nextMessageTime(chat.lastMessageAt, ctx.now);
      const existing = await tx.get('chatMessage', args.messageId);
      if (existing) {
        if (existing.chatId === chat.id && existing.authorId === actor.id) return;
        return reject('conflict', 'A message with this id already exists.');
      }
      const body = args.body.trim();
      if (!body) return reject('invalid', 'A message cannot be empty.');
      const message: EntityOf<'chatMessage'> = { id: args.messageId, chatId: chat.id, authorId: actor.id, body, createdAt: now };
      await putRecord(tx, scopeOf.chatMessage(message), 'chatMessage', message);
      await putRecord(tx, scopeOf.chat(chat), 'chat', { ...chat, lastMessageAt: now });
    },
  };
  return handlers;
}

/** For log lines about a mutation that may not have passed the schema. */
export function mutationName(input: unknown): string {
  const name = typeof input === 'object' && input !== null ? (input as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name.slice(0, 64) : '(unnamed)';
}

/**
 * The one gate every mutation passes: the protocol schema (ids in their grammar, fields in range), then the
 * handler. A mutation the schema refuses is a rejection (`invalid`, naming the field), so it is answered
 * and stored like any other and never reaches a handler or the change log.
 */
export async function runHandler(handlers: Handlers, ctx: MutationContext, input: unknown): Promise<void> {
  const nul = nulIssue(input);
  if (nul) return reject('invalid', nul);
  const parsed = Mutation.safeParse(input);
  if (!parsed.success) return reject('invalid', describeIssue(parsed.error));
  const mutation = parsed.data;
  await guardPrivateData(ctx, mutation);
  // The discriminated union guarantees args match the handler; TS cannot correlate them.
  await (handlers[mutation.name] as Handler<MutationName>)(ctx, mutation.args as never);
}
