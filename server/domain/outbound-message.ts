import { noteAgentActivity } from './routing/hooks.ts';
import { onReply } from './routing/transitions.ts';
import type { EntityOf } from '../../protocol/domain.ts';
import { attachmentSummary } from '../../protocol/attachments.ts';
import { linkMessageAttachments } from './attachments.ts';
import { putRecord, scopeOf } from './change-log.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { enqueueSend } from './send-queue.ts';

const PREVIEW_LENGTH = 140;

/**
 * Message times strictly increase within a conversation or chat, so replies
 * applied in the same millisecond still sort in the order they were applied.
 */
export function nextMessageTime(lastMessageAt: number | null, now: number): number {
  return Math.max(now, (lastMessageAt ?? 0) + 1);
}

export function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}

/** A new outbound message of this person, queued: the fields every agent-written message shares. */
export function agentMessage(
  fields: Pick<EntityOf<'message'>, 'id' | 'conversationId' | 'authorId' | 'body' | 'createdAt'> & Partial<Pick<EntityOf<'message'>, 'attachments' | 'template' | 'surveyId'>>,
): EntityOf<'message'> {
  return { direction: 'out', authorType: 'user', attachments: [], status: 'queued', statusReason: null, providerId: null, ...fields };
}

/**
 * The one write of an agent's outbound message (a reply, a template, a survey): the message, its conversation's
 * preview and participants, the link of its attachments to it, and its send job, all in the caller's transaction, so a crash after the ack cannot
 * lose the send; the send worker is poked once it commits.
 */
export async function appendOutbound(
  ctx: MutationContext,
  conversation: EntityOf<'conversation'>,
  message: EntityOf<'message'>,
  sendQueued: () => void,
): Promise<void> {
  const target = scopeOf.conversation(conversation);
  await putRecord(ctx.tx, target, 'message', message);
  const participantIds = conversation.participantIds.includes(ctx.actor.id) ? conversation.participantIds : [...conversation.participantIds, ctx.actor.id];
  await putRecord(ctx.tx, target, 'conversation', onReply({
    ...conversation,
    participantIds,
    lastMessageAt: message.createdAt,
    lastMessagePreview: preview(message.body || attachmentSummary(message.attachments)),
  }, message.createdAt));
  await noteAgentActivity(ctx.tx, conversation, ctx.actor.id, ctx.now);
  await linkMessageAttachments(ctx.tx, message, ctx.now);
  await enqueueSend(ctx.tx, message.id, ctx.now);
  ctx.afterCommit(sendQueued);
}
