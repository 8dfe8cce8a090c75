import { createHash } from 'node:crypto';
import type { EntityOf, Registration } from '../../protocol/domain.ts';
import type { Mutation, MutationArgs } from '../../protocol/mutations.ts';
import type { StorageTx } from '../storage/storage.ts';
import { recordId, scope as scopes } from '../../protocol/scope.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';

/**
 * Private texting numbers (SPEC (3)) and "Previous messages" (SPEC (11)).
 *
 * Model: each person with a private number has one hidden inbox of kind
 * `private` whose only member is that person; each of their numbers is an sms
 * channel of it. Their private conversations are ordinary conversations of that
 * inbox. Chosen over "conversations without an inbox" because everything that
 * already keeps shared inboxes correct — the inbox:<id> scope (isolation on
 * catch-up, live and snapshot), send rules (registration, opt-out), inbound
 * routing, read state, list queries and the outbox — applies unchanged. The
 * only new rules are below: nobody may join, or be added to, a private inbox.
 *
 * Moving a number into a shared inbox makes its channel a channel of that inbox.
 * Its past conversations move along, flagged `previousOfChannelId` and
 * read-only, so the inbox's members see them under (11); the owner's client
 * drops them unless the owner is a member of that inbox too.
 */

export const PRIVATE_INBOX_NAME = 'My texting numbers';

export function privateInboxId(userId: string): string {
  const plain = `private_${userId}`;
  return plain.length <= 64 ? plain : `private_${createHash('sha256').update(userId).digest('hex').slice(0, 40)}`;
}

/** Creates the owner's private inbox if needed and the number as its channel (demo seed, admin tooling). */
export async function addPrivateNumber(
  tx: StorageTx,
  input: { orgId: string; ownerId: string; channelId: string; number: string; name?: string; registration: Registration },
): Promise<EntityOf<'channel'>> {
  const inboxId = privateInboxId(input.ownerId);
  if (!await tx.get('inbox', inboxId)) {
    const inbox: EntityOf<'inbox'> = { id: inboxId, orgId: input.orgId, name: PRIVATE_INBOX_NAME, kind: 'private', assignmentMode: false };
    await putRecord(tx, scopeOf.inbox(inbox), 'inbox', inbox);
    const member: EntityOf<'inboxMember'> = { id: recordId.inboxMember(inboxId, input.ownerId), inboxId, userId: input.ownerId };
    await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
  }
  const channel: EntityOf<'channel'> = {
    id: input.channelId,
    inboxId,
    kind: 'sms',
    name: input.name ?? 'My number',
    address: input.number,
    registration: input.registration,
  };
  await putRecord(tx, scopeOf.channel(channel), 'channel', channel);
  return channel;
}

/** Mutations that only touch the actor's own view of a conversation stay allowed on read-only ones. */
const ALLOWED_ON_PREVIOUS = new Set<Mutation['name']>(['conversation.markRead', 'conversation.markUnread', 'conversation.setArchived']);

/**
 * Runs before every mutation handler: the rules that keep private inboxes
 * private and previous messages read-only, whichever handler is asked.
 */
export async function guardPrivateData(ctx: MutationContext, mutation: Mutation): Promise<void> {
  const args = mutation.args as Record<string, unknown>;
  if (typeof args.conversationId === 'string' && !ALLOWED_ON_PREVIOUS.has(mutation.name)) {
    const conversation = await ctx.tx.get('conversation', args.conversationId);
    if (conversation?.previousOfChannelId) {
      return reject('forbidden', 'These are previous messages of a private number: they are kept read-only.');
    }
  }
  if ((mutation.name === 'inbox.setMember' || mutation.name === 'inbox.update') && (await ctx.tx.get('inbox', mutation.args.inboxId))?.kind === 'private') {
    return reject('not_found', 'This inbox does not exist or you are not a member of it.');
  }
}

const MANAGER_ROLES = ['manager', 'supervisor', 'admin'];

export const privateNumberHandlers = {
  'privateNumber.moveToInbox': async (ctx: MutationContext, args: MutationArgs<'privateNumber.moveToInbox'>): Promise<void> => {
    const { tx, actor } = ctx;
    if (!MANAGER_ROLES.includes(actor.role)) return reject('forbidden', 'Only managers can move a private number into a shared inbox.');
    const target = await tx.get('inbox', args.inboxId);
    if (!target || target.orgId !== actor.orgId || target.kind === 'private' || !await tx.get('inboxMember', recordId.inboxMember(target.id, actor.id))) {
      return reject('not_found', 'This inbox does not exist or you are not a member of it.');
    }
    const source = await tx.get('inbox', privateInboxId(args.ownerId));
    const channel = source ? (await tx.list('channel', { inboxId: source.id }, '', 100)).find((c) => c.address === args.number) : undefined;
    if (!channel || !source || source.kind !== 'private' || source.orgId !== actor.orgId) {
      return reject('not_found', `That person has no private texting number ${args.number}.`);
    }
    const oldScope = scopeOf.channel(channel);
    // In a shared inbox "My number" would mislead everyone but its owner: it is named for the owner instead.
    const ownerName = (await tx.get('user', args.ownerId))?.name;
    const moved: EntityOf<'channel'> = { ...channel, inboxId: target.id, name: ownerName ? `${ownerName}’s number` : channel.address };
    // The owner's client drops the channel from the private inbox; the inbox's members receive it.
    await tx.appendChange({ scope: oldScope, op: 'delete', entity: 'channel', id: channel.id });
    await putRecord(tx, scopeOf.channel(moved), 'channel', moved);

    const conversations: EntityOf<'conversation'>[] = [];
    for (let after = ''; ; ) {
      const page = await tx.list('conversation', { inboxId: source.id }, after, 200);
      conversations.push(...page.filter((c) => c.channelId === channel.id));
      if (page.length < 200) break;
      after = (page[page.length - 1] as EntityOf<'conversation'>).id;
    }
    const messages: EntityOf<'message'>[] = [];
    for (let after = ''; ; ) {
      const page = await tx.list('message', { inboxId: source.id }, after, 500);
      const ids = new Set(conversations.map((c) => c.id));
      messages.push(...page.filter((m) => ids.has(m.conversationId)));
      if (page.length < 500) break;
      after = (page[page.length - 1] as EntityOf<'message'>).id;
    }
    for (const conversation of conversations) {
      // A delete entry only (no row removal): the row is re-put below in its new inbox.
      await tx.appendChange({ scope: oldScope, op: 'delete', entity: 'conversation', id: conversation.id });
      await putRecord(tx, scopes.inbox(target.id), 'conversation', {
        ...conversation,
        inboxId: target.id,
        assigneeId: null,
        status: 'closed',
        closedAt: conversation.closedAt ?? ctx.now,
        previousOfChannelId: channel.id,
      });
    }
    // Re-put after the conversations: the stored message rows take their inbox from their conversation.
    for (const message of messages) await putRecord(tx, scopes.inbox(target.id), 'message', message);
  },
};


/**
 * Numbers moved before moves renamed them still carry the owner's "My number" in a shared inbox, where it
 * misleads every other member. The owner is no longer recorded on the channel, so they are named for what
 * they are; clients show the number beside the name. Idempotent: run at every start, writes only what it fixes.
 */
export async function renameLegacyMovedNumbers(tx: StorageTx): Promise<number> {
  let renamed = 0;
  for (const channel of await tx.listAllChannels()) {
    if (channel.name !== 'My number') continue;
    const inbox = await tx.get('inbox', channel.inboxId);
    if (!inbox || inbox.kind === 'private') continue;
    await putRecord(tx, scopeOf.channel(channel), 'channel', { ...channel, name: MOVED_NUMBER_NAME });
    renamed++;
  }
  return renamed;
}
export const MOVED_NUMBER_NAME = 'Moved private number';
