import { newQueue } from './routing/new-queue.ts';
import type { EntityOf } from '../../protocol/domain.ts';
import type { MutationArgs } from '../../protocol/mutations.ts';
import { deleteRecord, putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { recordId } from '../../protocol/scope.ts';
import { permissions } from '../../protocol/permissions.ts';

/**
 * The conversation workflow (SPEC (1), (8), (12), (15), tags) and the manager
 * screens (inboxes, SPEC (18) pre-written messages). Refusals about things the
 * actor may not see say "not found", so they learn nothing about them.
 */

const MAX_TAGS = 20;

const NOT_MEMBER_CONVERSATION = 'This conversation does not exist or is in an inbox you are not a member of.';
const NOT_MEMBER_INBOX = 'This inbox does not exist or you are not a member of it.';

async function isMember(ctx: MutationContext, inboxId: string, userId: string): Promise<boolean> {
  return await ctx.tx.get('inboxMember', recordId.inboxMember(inboxId, userId)) !== null;
}

async function memberConversation(ctx: MutationContext, conversationId: string): Promise<EntityOf<'conversation'>> {
  const conversation = await ctx.tx.get('conversation', conversationId);
  if (!conversation || !await isMember(ctx, conversation.inboxId, ctx.actor.id)) return reject('not_found', NOT_MEMBER_CONVERSATION);
  return conversation;
}

/** An inbox of the actor's organisation that the actor manages: a member with a manager role. */
async function managedInbox(ctx: MutationContext, inboxId: string): Promise<EntityOf<'inbox'>> {
  const inbox = await ctx.tx.get('inbox', inboxId);
  if (!inbox || inbox.orgId !== ctx.actor.orgId || !await isMember(ctx, inbox.id, ctx.actor.id)) return reject('not_found', NOT_MEMBER_INBOX);
  if (!permissions.manageInboxes(ctx.actor.role)) {
    return reject('forbidden', 'Only managers, supervisors and admins can change inboxes and their pre-written messages.');
  }
  return inbox;
}

/** Per-person state (read mark, archived); only ever written for the actor. */
async function putMyState(ctx: MutationContext, conversation: EntityOf<'conversation'>, patch: Partial<Pick<EntityOf<'conversationUserState'>, 'readAt' | 'archived'>>): Promise<void> {
  const id = recordId.conversationUserState(conversation.id, ctx.actor.id);
  const current = await ctx.tx.get('conversationUserState', id);
  const next: EntityOf<'conversationUserState'> = {
    id,
    conversationId: conversation.id,
    userId: ctx.actor.id,
    readAt: current?.readAt ?? null,
    archived: current?.archived ?? false,
    ...patch,
  };
  if (current && current.readAt === next.readAt && current.archived === next.archived) return;
  await putRecord(ctx.tx, scopeOf.conversationUserState(next), 'conversationUserState', next);
}

/**
 * Tells the previous assignee that their conversation moved to someone else (or to nobody), and the new
 * assignee (when someone else assigned it to them) that it is now theirs. Called by conversation.assign
 * after the change, inside its transaction.
 */
export async function noticeAssignment(ctx: MutationContext, conversation: EntityOf<'conversation'>, nextAssigneeId: string | null): Promise<void> {
  const previous = conversation.assigneeId;
  const notify = async (userId: string, kind: EntityOf<'notice'>['kind']): Promise<void> => {
    if (userId === ctx.actor.id) return; // nobody needs telling about their own action
    const notice: EntityOf<'notice'> = {
      id: `notice_${conversation.id}_${userId}_${ctx.now}_${kind}`.slice(0, 64),
      userId,
      kind,
      conversationId: conversation.id,
      actorId: ctx.actor.id,
      createdAt: ctx.now,
    };
    await putRecord(ctx.tx, scopeOf.notice(notice), 'notice', notice);
  };
  if (previous !== null && previous !== nextAssigneeId) await notify(previous, 'reassigned');
  if (nextAssigneeId !== null && nextAssigneeId !== previous) await notify(nextAssigneeId, 'assigned');
}

type SendHandler = (ctx: MutationContext, args: MutationArgs<'message.send'>) => Promise<void>;

export function createWorkflowHandlers(send: SendHandler) {
  return {
    /**
     * SPEC (1)/(8): a new conversation from a shared inbox's channel. WhatsApp refuses it (only the customer
     * may open a WhatsApp conversation); an open conversation with the same number on the same channel is
     * reused; the first message goes through message.send, so registration and opt-out rules are the same.
     */
    'conversation.create': async (ctx: MutationContext, args: MutationArgs<'conversation.create'>): Promise<void> => {
      const { tx, actor } = ctx;
      const channel = await tx.get('channel', args.channelId);
      const inbox = channel ? await tx.get('inbox', channel.inboxId) : null;
      if (!channel || !inbox || inbox.orgId !== actor.orgId || !await isMember(ctx, inbox.id, actor.id)) {
        return reject('not_found', 'This channel does not exist or belongs to an inbox you are not a member of.');
      }
      if (channel.kind === 'whatsapp') {
        return reject(
          'invalid',
          'WhatsApp does not allow a business to start a conversation: the customer has to write first. Start it by SMS from this inbox instead.',
        );
      }
      if (channel.kind === 'webchat') return reject('invalid', 'Web chat conversations are started by the visitor on the website.');
      let contact: EntityOf<'contact'> | null = null;
      if (args.contactId !== null) {
        contact = await tx.get('contact', args.contactId);
        // SPEC (3): texting from my private number, my own private contacts are fine too.
        const ownPrivate = inbox.kind === 'private' && contact?.ownerId === actor.id;
        if (!contact || contact.orgId !== actor.orgId || (contact.ownerId !== null && !ownPrivate)) {
          return reject('not_found', 'This contact does not exist or is not a shared contact.');
        }
      } else {
        contact = await tx.findSharedContactByPhone(actor.orgId, args.customerAddress);
      }

      let conversation = await tx.get('conversation', args.conversationId);
      if (conversation) {
        // A replay of the same request under a new mutation id: the same conversation, nothing to create.
        if (conversation.channelId !== channel.id || conversation.customerAddress !== args.customerAddress) {
          return reject('conflict', 'A conversation with this id already exists.');
        }
      } else {
        const latest = await tx.findLatestConversation(channel.id, args.customerAddress);
        if (latest && latest.status === 'open') {
          conversation = latest;
        } else {
          conversation = {
            id: args.conversationId,
            inboxId: inbox.id,
            channelId: channel.id,
            contactId: contact?.id ?? null,
            customerAddress: args.customerAddress,
            status: 'open',
            // Whoever starts it works it, where the inbox assigns conversations at all.
            assigneeId: inbox.assignmentMode ? actor.id : null,
            tags: [],
            createdAt: ctx.now,
            closedAt: null,
            lastMessageAt: null,
            lastMessagePreview: '',
            participantIds: [],
          };
          await putRecord(tx, scopeOf.conversation(conversation), 'conversation', conversation);
        }
      }
      await send(ctx, { conversationId: conversation.id, messageId: args.messageId, body: args.body, attachments: [] });
    },

    /** SPEC (12): archived is per person. */
    'conversation.setArchived': async (ctx: MutationContext, args: MutationArgs<'conversation.setArchived'>): Promise<void> => {
      await putMyState(ctx, await memberConversation(ctx, args.conversationId), { archived: args.archived });
    },

    /** SPEC (12): mark unread is per person: the read mark goes back before the customer's messages. */
    'conversation.markUnread': async (ctx: MutationContext, args: MutationArgs<'conversation.markUnread'>): Promise<void> => {
      await putMyState(ctx, await memberConversation(ctx, args.conversationId), { readAt: null });
    },

    'conversation.addTag': async (ctx: MutationContext, args: MutationArgs<'conversation.addTag'>): Promise<void> => {
      const conversation = await memberConversation(ctx, args.conversationId);
      const tag = args.tag.toLowerCase();
      if (conversation.tags.includes(tag)) return;
      if (conversation.tags.length >= MAX_TAGS) return reject('invalid', `A conversation can have at most ${MAX_TAGS} tags.`);
      await putRecord(ctx.tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, tags: [...conversation.tags, tag] });
    },

    'conversation.removeTag': async (ctx: MutationContext, args: MutationArgs<'conversation.removeTag'>): Promise<void> => {
      const conversation = await memberConversation(ctx, args.conversationId);
      const tag = args.tag.toLowerCase();
      if (!conversation.tags.includes(tag)) return;
      await putRecord(ctx.tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, tags: conversation.tags.filter((t) => t !== tag) });
    },

    /** SPEC (18): managers keep the pre-written messages of their inboxes; key phrases are unique per inbox. */
    'cannedResponse.save': async (ctx: MutationContext, args: MutationArgs<'cannedResponse.save'>): Promise<void> => {
      const next = { ...args.cannedResponse, title: args.cannedResponse.title.trim() };
      const existing = await ctx.tx.get('cannedResponse', next.id);
      if (existing && existing.inboxId !== next.inboxId) {
        // Moving one between inboxes would need both; refuse rather than leak it.
        await managedInbox(ctx, existing.inboxId);
        return reject('invalid', 'A pre-written message cannot be moved to another inbox.');
      }
      await managedInbox(ctx, next.inboxId);
      if (!next.title) return reject('invalid', 'A pre-written message needs a title.');
      const clash = (await ctx.tx.list('cannedResponse', { inboxId: next.inboxId }, '', 10_000)).find((c) => c.id !== next.id && c.keyPhrase === next.keyPhrase);
      if (clash) return reject('invalid', `The key phrase /${next.keyPhrase} is already used by “${clash.title}” in this inbox.`);
      if (existing && JSON.stringify(existing) === JSON.stringify(next)) return;
      await putRecord(ctx.tx, scopeOf.cannedResponse(next), 'cannedResponse', next);
    },

    'cannedResponse.delete': async (ctx: MutationContext, args: MutationArgs<'cannedResponse.delete'>): Promise<void> => {
      const existing = await ctx.tx.get('cannedResponse', args.cannedResponseId);
      if (!existing) return; // already gone: deleting is idempotent
      await managedInbox(ctx, existing.inboxId);
      await deleteRecord(ctx.tx, scopeOf.cannedResponse(existing), 'cannedResponse', existing.id);
    },

    /** A new shared inbox; its creator becomes its first member (everyone sees only inboxes they belong to). */
    'inbox.create': async (ctx: MutationContext, args: MutationArgs<'inbox.create'>): Promise<void> => {
      const { tx, actor } = ctx;
      if (!permissions.manageInboxes(actor.role)) return reject('forbidden', 'Only managers, supervisors and admins can create inboxes.');
      const existing = await tx.get('inbox', args.inboxId);
      if (existing) {
        if (existing.orgId === actor.orgId && await isMember(ctx, existing.id, actor.id) && existing.name === args.name.trim()) return;
        return reject('conflict', 'An inbox with this id already exists.');
      }
      const inbox: EntityOf<'inbox'> = { id: args.inboxId, orgId: actor.orgId, name: args.name.trim(), kind: 'shared', assignmentMode: args.assignmentMode };
      if (args.kind === 'queue') Object.assign(inbox, await newQueue(tx, actor));
      await putRecord(tx, scopeOf.inbox(inbox), 'inbox', inbox);
      const member: EntityOf<'inboxMember'> = { id: recordId.inboxMember(inbox.id, actor.id), inboxId: inbox.id, userId: actor.id };
      await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
    },

    /** Rename, or turn assignment mode on/off (SPEC §4: off hides every assign control and filter). */
    'inbox.update': async (ctx: MutationContext, args: MutationArgs<'inbox.update'>): Promise<void> => {
      const inbox = await managedInbox(ctx, args.inboxId);
      const next = { ...inbox, name: args.name.trim(), assignmentMode: args.assignmentMode };
      if (next.name === inbox.name && next.assignmentMode === inbox.assignmentMode) return;
      await putRecord(ctx.tx, scopeOf.inbox(next), 'inbox', next);
    },
  };
}
