import type { EntityOf } from '../../protocol/domain.ts';
import type { MutationArgs } from '../../protocol/mutations.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { recordId } from '../../protocol/scope.ts';
import { permissions } from '../../protocol/permissions.ts';

/**
 * Direct and team chats (SPEC (5), (6)). A chat travels in scope chat:<id>,
 * held by its members only, so changing `memberIds` is what grants (snapshot)
 * or takes away (scopeLost) a chat from someone's client.
 *
 * Rules (decided here, documented in the README):
 * - anyone may start a chat with active people of their organisation; a direct
 *   chat has exactly one other member and exists once per pair;
 * - every member of a team chat may rename it; direct chats have no name;
 * - the team chat's creator, or a manager/supervisor/admin who is a member, may
 *   change its members; anyone may remove only themselves (leave).
 * Refusals about chats the actor is not in say "not found".
 */

const NOT_FOUND = 'This chat does not exist or you are not in it.';

export async function memberChat(ctx: MutationContext, chatId: string): Promise<EntityOf<'chat'>> {
  const chat = await ctx.tx.get('chat', chatId);
  if (!chat || !chat.memberIds.includes(ctx.actor.id)) return reject('not_found', NOT_FOUND);
  return chat;
}

/** The others, de-duplicated, each an active person of the actor's organisation. */
async function colleagues(ctx: MutationContext, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)].filter((id) => id !== ctx.actor.id);
  for (const id of unique) {
    const user = await ctx.tx.get('user', id);
    if (!user || user.orgId !== ctx.actor.orgId || user.status !== 'active') {
      return reject('invalid', 'Everyone in a chat must be an active member of your organisation.');
    }
  }
  return unique;
}

async function existingDirectChat(ctx: MutationContext, otherId: string): Promise<EntityOf<'chat'> | null> {
  for (const id of await ctx.tx.chatIdsOfUser(ctx.actor.id)) {
    const chat = await ctx.tx.get('chat', id);
    if (chat?.kind === 'direct' && chat.memberIds.length === 2 && chat.memberIds.includes(otherId)) return chat;
  }
  return null;
}

async function put(ctx: MutationContext, chat: EntityOf<'chat'>): Promise<void> {
  await putRecord(ctx.tx, scopeOf.chat(chat), 'chat', chat);
}

export const chatHandlers = {
  'chat.create': async (ctx: MutationContext, args: MutationArgs<'chat.create'>): Promise<void> => {
    const existing = await ctx.tx.get('chat', args.chatId);
    if (existing) {
      if (existing.memberIds.includes(ctx.actor.id) && existing.createdBy === ctx.actor.id) return; // replayed create
      return reject('conflict', 'A chat with this id already exists.');
    }
    const others = await colleagues(ctx, args.memberIds);
    if (args.kind === 'direct') {
      const [other] = others;
      if (others.length !== 1 || !other) return reject('invalid', 'A direct chat is between you and exactly one other person.');
      const twin = await existingDirectChat(ctx, other);
      if (twin) return reject('conflict', 'You already have a direct chat with this person; open it instead.');
      await put(ctx, { id: args.chatId, kind: 'direct', name: '', memberIds: [ctx.actor.id, other], lastMessageAt: null, createdBy: ctx.actor.id });
      return;
    }
    if (!args.name) return reject('invalid', 'A team chat needs a name.');
    if (others.length === 0) return reject('invalid', 'Pick at least one other person for a team chat.');
    await put(ctx, { id: args.chatId, kind: 'team', name: args.name, memberIds: [ctx.actor.id, ...others], lastMessageAt: null, createdBy: ctx.actor.id });
  },

  'chat.rename': async (ctx: MutationContext, args: MutationArgs<'chat.rename'>): Promise<void> => {
    const chat = await memberChat(ctx, args.chatId);
    if (chat.kind !== 'team') return reject('invalid', 'Only team chats have a name; a direct chat is named after the other person.');
    if (chat.name === args.name) return;
    await put(ctx, { ...chat, name: args.name });
  },

  'chat.setMembers': async (ctx: MutationContext, args: MutationArgs<'chat.setMembers'>): Promise<void> => {
    const chat = await memberChat(ctx, args.chatId);
    if (chat.kind !== 'team') return reject('invalid', 'The members of a direct chat cannot change; start a team chat instead.');
    const next = [...new Set(args.memberIds)];
    const mayManage = permissions.manageTeamChat(ctx.actor.role, chat.createdBy, ctx.actor.id);
    const onlyLeaving = !next.includes(ctx.actor.id) && chat.memberIds.filter((id) => id !== ctx.actor.id).every((id) => next.includes(id)) && next.every((id) => chat.memberIds.includes(id));
    if (!mayManage && !onlyLeaving) {
      return reject('forbidden', 'Only the person who started this team chat or a manager can change its members.');
    }
    // New members must be colleagues; people already in it stay valid even if since disabled.
    await colleagues(ctx, next.filter((id) => !chat.memberIds.includes(id)));
    if (next.length === 0) return reject('invalid', 'A team chat needs at least one member.');
    if (next.length === chat.memberIds.length && next.every((id) => chat.memberIds.includes(id))) return;
    await put(ctx, { ...chat, memberIds: next });
  },

  'chat.markRead': async (ctx: MutationContext, args: MutationArgs<'chat.markRead'>): Promise<void> => {
    const chat = await memberChat(ctx, args.chatId);
    const id = recordId.chatUserState(chat.id, ctx.actor.id);
    const current = await ctx.tx.get('chatUserState', id);
    // Forward only, and never past now or the last message (whose time may be bumped ahead of now).
    const readAt = Math.min(Math.max(args.readAt, current?.readAt ?? 0), Math.max(ctx.now, chat.lastMessageAt ?? 0));
    if (current && current.readAt === readAt) return;
    const state: EntityOf<'chatUserState'> = { id, chatId: chat.id, userId: ctx.actor.id, readAt };
    await putRecord(ctx.tx, scopeOf.chatUserState(state), 'chatUserState', state);
  },
};
