import type { EntityOf } from '../../protocol/domain.ts';
import type { MutationArgs } from '../../protocol/mutations.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { recordId } from '../../protocol/scope.ts';

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

const MANAGE_CHAT_ROLES = ['manager', 'supervisor', 'admin'] as const;
const NOT_FOUND = 'This chat does not exist or you are not in it.';

export function memberChat(ctx: MutationContext, chatId: string): EntityOf<'chat'> {
  const chat = ctx.tx.get('chat', chatId);
  if (!chat || !chat.memberIds.includes(ctx.actor.id)) return reject('not_found', NOT_FOUND);
  return chat;
}

/** The others, de-duplicated, each an active person of the actor's organisation. */
function colleagues(ctx: MutationContext, ids: readonly string[]): string[] {
  const unique = [...new Set(ids)].filter((id) => id !== ctx.actor.id);
  for (const id of unique) {
    const user = ctx.tx.get('user', id);
    if (!user || user.orgId !== ctx.actor.orgId || user.status !== 'active') {
      return reject('invalid', 'Everyone in a chat must be an active member of your organisation.');
    }
  }
  return unique;
}

function existingDirectChat(ctx: MutationContext, otherId: string): EntityOf<'chat'> | null {
  for (const id of ctx.tx.chatIdsOfUser(ctx.actor.id)) {
    const chat = ctx.tx.get('chat', id);
    if (chat?.kind === 'direct' && chat.memberIds.length === 2 && chat.memberIds.includes(otherId)) return chat;
  }
  return null;
}

function put(ctx: MutationContext, chat: EntityOf<'chat'>): void {
  putRecord(ctx.tx, scopeOf.chat(chat), 'chat', chat);
}

export const chatHandlers = {
  'chat.create': (ctx: MutationContext, args: MutationArgs<'chat.create'>): void => {
    const existing = ctx.tx.get('chat', args.chatId);
    if (existing) {
      if (existing.memberIds.includes(ctx.actor.id) && existing.createdBy === ctx.actor.id) return; // replayed create
      return reject('conflict', 'A chat with this id already exists.');
    }
    const others = colleagues(ctx, args.memberIds);
    if (args.kind === 'direct') {
      const [other] = others;
      if (others.length !== 1 || !other) return reject('invalid', 'A direct chat is between you and exactly one other person.');
      const twin = existingDirectChat(ctx, other);
      if (twin) return reject('conflict', 'You already have a direct chat with this person; open it instead.');
      put(ctx, { id: args.chatId, kind: 'direct', name: '', memberIds: [ctx.actor.id, other], lastMessageAt: null, createdBy: ctx.actor.id });
      return;
    }
    if (!args.name) return reject('invalid', 'A team chat needs a name.');
    if (others.length === 0) return reject('invalid', 'Pick at least one other person for a team chat.');
    put(ctx, { id: args.chatId, kind: 'team', name: args.name, memberIds: [ctx.actor.id, ...others], lastMessageAt: null, createdBy: ctx.actor.id });
  },

  'chat.rename': (ctx: MutationContext, args: MutationArgs<'chat.rename'>): void => {
    const chat = memberChat(ctx, args.chatId);
    if (chat.kind !== 'team') return reject('invalid', 'Only team chats have a name; a direct chat is named after the other person.');
    if (chat.name === args.name) return;
    put(ctx, { ...chat, name: args.name });
  },

  'chat.setMembers': (ctx: MutationContext, args: MutationArgs<'chat.setMembers'>): void => {
    const chat = memberChat(ctx, args.chatId);
    if (chat.kind !== 'team') return reject('invalid', 'The members of a direct chat cannot change; start a team chat instead.');
    const next = [...new Set(args.memberIds)];
    const mayManage = chat.createdBy === ctx.actor.id || (MANAGE_CHAT_ROLES as readonly string[]).includes(ctx.actor.role);
    const onlyLeaving = !next.includes(ctx.actor.id) && chat.memberIds.filter((id) => id !== ctx.actor.id).every((id) => next.includes(id)) && next.every((id) => chat.memberIds.includes(id));
    if (!mayManage && !onlyLeaving) {
      return reject('forbidden', 'Only the person who started this team chat or a manager can change its members.');
    }
    // New members must be colleagues; people already in it stay valid even if since disabled.
    colleagues(ctx, next.filter((id) => !chat.memberIds.includes(id)));
    if (next.length === 0) return reject('invalid', 'A team chat needs at least one member.');
    if (next.length === chat.memberIds.length && next.every((id) => chat.memberIds.includes(id))) return;
    put(ctx, { ...chat, memberIds: next });
  },

  'chat.markRead': (ctx: MutationContext, args: MutationArgs<'chat.markRead'>): void => {
    const chat = memberChat(ctx, args.chatId);
    const id = recordId.chatUserState(chat.id, ctx.actor.id);
    const current = ctx.tx.get('chatUserState', id);
    // Forward only, and never past now or the last message (whose time may be bumped ahead of now).
    const readAt = Math.min(Math.max(args.readAt, current?.readAt ?? 0), Math.max(ctx.now, chat.lastMessageAt ?? 0));
    if (current && current.readAt === readAt) return;
    const state: EntityOf<'chatUserState'> = { id, chatId: chat.id, userId: ctx.actor.id, readAt };
    putRecord(ctx.tx, scopeOf.chatUserState(state), 'chatUserState', state);
  },
};
