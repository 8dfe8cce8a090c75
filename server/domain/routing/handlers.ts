import { DEFAULT_QUEUE_SETTINGS } from '../../../protocol/domain.ts';
import type { MutationArgs } from '../../../protocol/mutations.ts';
import { permissions } from '../../../protocol/permissions.ts';
import { recordId } from '../../../protocol/scope.ts';
import { putRecord, scopeOf } from '../change-log.ts';
import { reject } from '../errors.ts';
import type { MutationContext } from '../mutation-handlers.ts';
import { loginAgent, logoutAgent } from './login.ts';
import { acceptOffer, declineOffer } from './offers.ts';
import { agentOf, putAgent, queueInbox, settingsOf, type Inbox } from './queue-agents.ts';
import { routeQueue } from './route-queue.ts';

type RoutingMutation = 'queue.login' | 'queue.logout' | 'queue.setCapacity' | 'queue.settings' | 'offer.accept' | 'offer.decline';
type RoutingHandlers = { [N in RoutingMutation]: (ctx: MutationContext, args: MutationArgs<N>) => Promise<void> };

/** An inbox queue the actor is a member of; anything else is "not found" (a non-member learns nothing). */
async function memberQueue(ctx: MutationContext, inboxId: string): Promise<Inbox> {
  const inbox = await queueInbox(ctx.tx, inboxId);
  if (!inbox || !(await ctx.tx.get('inboxMember', recordId.inboxMember(inbox.id, ctx.actor.id)))) {
    return reject('not_found', 'This inbox queue does not exist or you are not a member of it.');
  }
  return inbox;
}

async function offeredConversation(ctx: MutationContext, conversationId: string) {
  const conversation = await ctx.tx.get('conversation', conversationId);
  if (!conversation || !(await ctx.tx.get('inboxMember', recordId.inboxMember(conversation.inboxId, ctx.actor.id)))) {
    return reject('not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
  }
  return conversation;
}

/** The routing mutations (issue 10); each runs in the mutation's transaction, routing included. */
export const routingHandlers: RoutingHandlers = {
  'queue.login': async (ctx, args) => {
    if (!permissions.routeSelf(ctx.actor.role)) return reject('forbidden', 'You cannot take conversations from queues.');
    for (const inboxId of new Set(args.inboxIds)) await loginAgent(ctx.tx, await memberQueue(ctx, inboxId), ctx.actor.id, ctx.now);
  },

  'queue.logout': async (ctx, args) => {
    const userId = args.userId ?? ctx.actor.id;
    const self = userId === ctx.actor.id;
    if (!self && !permissions.superviseQueues(ctx.actor.role)) return reject('forbidden', 'Only supervisors, managers and admins can log others out of queues.');
    for (const inboxId of new Set(args.inboxIds)) {
      await logoutAgent(ctx.tx, await memberQueue(ctx, inboxId), userId, self ? 'self' : 'supervisor', ctx.actor.id, ctx.now);
    }
  },

  'queue.setCapacity': async (ctx, args) => {
    if (!permissions.superviseQueues(ctx.actor.role)) return reject('forbidden', 'Only supervisors, managers and admins can change capacities.');
    const inbox = await memberQueue(ctx, args.inboxId);
    if (args.userId === null) {
      const queue = { ...settingsOf(inbox), defaultCapacity: args.capacity ?? DEFAULT_QUEUE_SETTINGS.defaultCapacity };
      await putRecord(ctx.tx, scopeOf.inbox(inbox), 'inbox', { ...inbox, queue });
    } else {
      if (!(await ctx.tx.get('inboxMember', recordId.inboxMember(inbox.id, args.userId)))) return reject('invalid', 'That person is not a member of this queue.');
      const agent = await agentOf(ctx.tx, inbox.id, args.userId, ctx.now);
      await putAgent(ctx.tx, { ...agent, capacity: args.capacity });
    }
    await routeQueue(ctx.tx, inbox.id, ctx.now);
  },

  'queue.settings': async (ctx, args) => {
    if (!permissions.configureQueues(ctx.actor.role)) return reject('forbidden', "Only managers and admins can change a queue's routing settings.");
    const inbox = await memberQueue(ctx, args.inboxId);
    const patch = Object.fromEntries(Object.entries(args.settings).filter(([, v]) => v !== undefined));
    await putRecord(ctx.tx, scopeOf.inbox(inbox), 'inbox', { ...inbox, queue: { ...settingsOf(inbox), ...patch } });
    await routeQueue(ctx.tx, inbox.id, ctx.now);
  },

  'offer.accept': async (ctx, args) => acceptOffer(ctx.tx, await offeredConversation(ctx, args.conversationId), ctx.actor.id, ctx.now),
  'offer.decline': async (ctx, args) => declineOffer(ctx.tx, await offeredConversation(ctx, args.conversationId), ctx.actor.id, ctx.now),
};
