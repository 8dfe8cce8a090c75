import type { EntityOf } from '../../protocol/domain.ts';
import type { MutationArgs } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { recordId } from '../../protocol/scope.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { nextMessageTime, preview } from './outbound-message.ts';

/**
 * Contact Center calls (issue 10 §3). The call itself happens outside Switchboard (the operating system's phone
 * handler or the organisation's softphone); what the server keeps is the note that it started, so everyone in the
 * queue sees it in the conversation, and the admin's softphone address.
 */

/**
 * The note is an outbound system line with the caller as its author and no send job: it is never sent to the
 * customer (web chat visitors are not shown system lines either), and being outbound it neither opens WhatsApp's
 * window nor makes the conversation unread.
 */
export function callNote(fields: { id: string; conversationId: string; caller: EntityOf<'user'>; createdAt: number }): EntityOf<'message'> {
  return {
    id: fields.id,
    conversationId: fields.conversationId,
    direction: 'out',
    authorType: 'system',
    authorId: fields.caller.id,
    body: `Call started by ${fields.caller.name}`,
    attachments: [],
    status: 'delivered',
    statusReason: null,
    providerId: null,
    createdAt: fields.createdAt,
  };
}

async function noteCall(ctx: MutationContext, args: MutationArgs<'conversation.noteCall'>): Promise<void> {
  const { tx, actor } = ctx;
  const conversation = await tx.get('conversation', args.conversationId);
  if (!conversation || !(await tx.get('inboxMember', recordId.inboxMember(conversation.inboxId, actor.id)))) {
    return reject('not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
  }
  if (!permissions.placeCall(await tx.orgEdition(actor.orgId))) return reject('forbidden', 'Calling a contact is part of Contact Center.');
  const existing = await tx.get('message', args.messageId);
  if (existing) {
    if (existing.conversationId === conversation.id && existing.authorId === actor.id) return; // already noted
    return reject('conflict', 'A message with this id already exists.');
  }
  const note = callNote({ id: args.messageId, conversationId: conversation.id, caller: actor, createdAt: nextMessageTime(conversation.lastMessageAt, ctx.now) });
  await putRecord(tx, scopeOf.conversation(conversation), 'message', note);
  await putRecord(tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, lastMessageAt: note.createdAt, lastMessagePreview: preview(note.body) });
}

async function setSoftphone(ctx: MutationContext, args: MutationArgs<'org.setSoftphone'>): Promise<void> {
  if (!permissions.configureSoftphone(ctx.actor.role)) return reject('forbidden', 'Only admins can set the softphone address.');
  const org = await ctx.tx.get('org', ctx.actor.orgId);
  if (!org) return reject('not_found', 'Your organisation was not found.');
  if (org.softphoneUrlTemplate === args.urlTemplate) return;
  await putRecord(ctx.tx, scopeOf.org(org), 'org', { ...org, softphoneUrlTemplate: args.urlTemplate });
}

export const callHandlers = {
  'conversation.noteCall': noteCall,
  'org.setSoftphone': setSoftphone,
};
