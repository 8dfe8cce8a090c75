import type { ChatMessageView, IpcInput, IpcOutput, Person } from '../../protocol/ipc.ts';

type ChatMethods =
  | 'people.list'
  | 'chat.get'
  | 'chat.messages'
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

/** The chats / private numbers / notification-settings part of the fake API: in memory, enough for store tests. */
export function fakeChatHandlers(): { [M in ChatMethods]: (input: IpcInput<M>) => IpcOutput<M> } {
  const people: Person[] = [
    { id: 'user_maya', name: 'Maya Patel', avatarColor: '#7c3aed' },
    { id: 'user_alex', name: 'Alex Chen', avatarColor: '#ea580c' },
  ];
  const messages: ChatMessageView[] = [];
  let muted = false;
  let next = 1;
  return {
    'people.list': () => people,
    'chat.get': ({ id }) => ({ id, kind: 'team', name: 'Fake chat', members: people, createdBy: null, canRename: true, canManageMembers: false }),
    'chat.messages': ({ chatId }) => ({ items: messages.filter((m) => m.chatId === chatId), hasMore: false }),
    'actions.sendChatMessage': ({ chatId, body }) => {
      const id = `fake-chat-${next++}`;
      messages.push({ id, chatId, authorId: 'me', authorName: 'You', body, createdAt: Date.now(), mine: true, outbox: null });
      return { messageId: id };
    },
    'actions.openDirectChat': ({ userId }) => ({ chatId: `dm-${userId}`, created: false }),
    'actions.createTeamChat': () => ({ chatId: `team-${next++}` }),
    'actions.renameChat': () => ({}),
    'actions.setChatMembers': () => ({}),
    'actions.markChatRead': () => ({}),
    'previous.list': () => [],
    'actions.movePrivateNumber': () => ({}),
    'notifications.getSettings': () => ({ muted }),
    'notifications.setSettings': (input) => {
      muted = input.muted;
      return { muted };
    },
    'notifications.unreadTotal': () => ({ total: 0 }),
  };
}
