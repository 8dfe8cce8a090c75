import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { User } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import type { NotificationService } from './notifications.ts';
import { chatDetail, directChatWith, peopleList, previousConversations } from './queries/chats.ts';
import { sidebarView } from './queries/sidebar.ts';
import { permissions } from '../../protocol/permissions.ts';

export interface ChatActionDeps {
  /** The signed-in session; throws IpcFailure('unauthenticated') when there is none. */
  session(): { cache: CacheDb; user: User; notifications: NotificationService };
  /** Queues a mutation and sends it when online. */
  enqueue(mutation: Mutation): void;
}

type ChatMethods =
  | 'people.list'
  | 'chat.get'
  | 'actions.sendChatMessage'
  | 'actions.openDirectChat'
  | 'actions.createTeamChat'
  | 'actions.renameChat'
  | 'actions.setChatMembers'
  | 'actions.markChatRead'
  | 'previous.list'
  | 'actions.movePrivateNumber'
  | 'notifications.getSettings'
  | 'notifications.setSettings'
  | 'notifications.unreadTotal';

const DONE = {} as Record<string, never>;

function requireChat(cache: CacheDb, chatId: string): { kind: string; last_message_at: number | null } {
  const row = cache.db.prepare('SELECT kind, last_message_at FROM chats WHERE id = ?').get(chatId) as { kind: string; last_message_at: number | null } | undefined;
  if (!row) throw new IpcFailure('not_found', 'That chat is not available (you may have been removed from it).');
  return row;
}

/** SPEC (3), (5), (6), (11) and the notification settings of SPEC §4, as IPC handlers. */
export function chatIpcHandlers(deps: ChatActionDeps): Pick<IpcHandlers, ChatMethods> {
  return {
    'people.list': () => peopleList(deps.session().cache),
    'chat.get': ({ id }) => chatDetail(deps.session().cache, id),
    'actions.sendChatMessage': ({ chatId, body }) => {
      requireChat(deps.session().cache, chatId);
      const messageId = randomUUID();
      deps.enqueue({ name: 'chat.send', args: { chatId, messageId, body } });
      return { messageId };
    },

    'actions.openDirectChat': ({ userId }) => {
      const { cache, user } = deps.session();
      if (userId === user.id) throw new IpcFailure('invalid', 'Pick someone else to chat with.');
      const existing = directChatWith(cache, userId);
      if (existing) return { chatId: existing, created: false };
      const chatId = randomUUID();
      deps.enqueue({ name: 'chat.create', args: { chatId, kind: 'direct', name: '', memberIds: [userId] } });
      return { chatId, created: true };
    },

    'actions.createTeamChat': ({ name, memberIds }) => {
      const chatId = randomUUID();
      deps.enqueue({ name: 'chat.create', args: { chatId, kind: 'team', name, memberIds } });
      return { chatId };
    },

    'actions.renameChat': ({ chatId, name }) => {
      if (requireChat(deps.session().cache, chatId).kind !== 'team') throw new IpcFailure('invalid', 'Only team chats can be renamed.');
      deps.enqueue({ name: 'chat.rename', args: { chatId, name } });
      return DONE;
    },

    'actions.setChatMembers': ({ chatId, memberIds }) => {
      const { cache } = deps.session();
      const detail = chatDetail(cache, chatId);
      if (!detail) throw new IpcFailure('not_found', 'That chat is not available.');
      if (!detail.canManageMembers) throw new IpcFailure('forbidden', 'Only the person who started this team chat or a manager can change its members.');
      deps.enqueue({ name: 'chat.setMembers', args: { chatId, memberIds } });
      return DONE;
    },

    'actions.markChatRead': ({ chatId }) => {
      const chat = requireChat(deps.session().cache, chatId);
      deps.enqueue({ name: 'chat.markRead', args: { chatId, readAt: Math.max(Date.now(), chat.last_message_at ?? 0) } });
      return DONE;
    },

    'previous.list': ({ inboxId }) => previousConversations(deps.session().cache, inboxId),

    'actions.movePrivateNumber': ({ ownerId, number, inboxId }) => {
      const { user } = deps.session();
      if (!permissions.movePrivateNumber(user.role)) throw new IpcFailure('forbidden', 'Only managers can move a private number into a shared inbox.');
      const parsed = parsePhoneNumberFromString(number, number.startsWith('+') ? undefined : { defaultCallingCode: '1' });
      if (!parsed || !parsed.isValid()) throw new IpcFailure('invalid', `“${number}” is not a valid phone number. Type it with its country code, for example +1 415 555 0170.`);
      deps.enqueue({ name: 'privateNumber.moveToInbox', args: { ownerId, number: parsed.number, inboxId } });
      return DONE;
    },

    'notifications.getSettings': () => ({ muted: deps.session().notifications.muted }),
    'notifications.setSettings': ({ muted }) => {
      deps.session().notifications.muted = muted;
      return { muted };
    },
    'notifications.unreadTotal': () => ({ total: sidebarView(deps.session().cache).unreadTotal }),
  };
}
