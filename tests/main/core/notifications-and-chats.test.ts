import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../../../protocol/sync.ts';
import type { NotificationPayload } from '../../../protocol/ipc.ts';
import { NotificationService } from '../../../main/core/notifications.ts';
import { chatDetail, chatMessagesPage, directChatWith, peopleList, previousConversations } from '../../../main/core/queries/chats.ts';
import { sidebarView } from '../../../main/core/queries/sidebar.ts';
import { changes, conversation, harness, inbox, channel, INBOX, ME, message, OTHER, put, seedWorkspace, user, type Harness } from './fixtures.ts';

const SESSION_START = 10_000;
let h: Harness;
let shown: NotificationPayload[];
let service: NotificationService;

/** Applies entries to the cache and hands them to the service, as the client core does. */
function arrive(entries: ChangeEntry[]): NotificationPayload[] {
  h.applier.apply(changes(entries));
  return service.consider(entries);
}

beforeEach(() => {
  h = harness();
  seedWorkspace(h);
  h.applier.apply(
    changes([
      put(h.seq(), 'org:org_1', 'user', user('u_third', 'Theo Third')),
      put(h.seq(), INBOX, 'conversation', conversation('c_unassigned')),
      put(h.seq(), INBOX, 'conversation', conversation('c_mine', { assigneeId: ME })),
      put(h.seq(), INBOX, 'conversation', conversation('c_theirs', { assigneeId: OTHER })),
      put(h.seq(), 'chat:chat_1', 'chat', { id: 'chat_1', kind: 'team', name: 'Floor', memberIds: [ME, OTHER], lastMessageAt: null, createdBy: OTHER }),
    ]),
  );
  shown = [];
  service = new NotificationService(h.cache, { notify: (n) => shown.push(n) }, SESSION_START);
});
afterEach(() => h.cleanup());

describe('notification service (SPEC §4)', () => {
  it('notifies new inbound messages in conversations assigned to me or to nobody, not to others', () => {
    arrive([
      put(h.seq(), INBOX, 'message', message('m1', 'c_unassigned', { createdAt: SESSION_START + 1, body: 'Hello there' })),
      put(h.seq(), INBOX, 'message', message('m2', 'c_mine', { createdAt: SESSION_START + 2 })),
      put(h.seq(), INBOX, 'message', message('m3', 'c_theirs', { createdAt: SESSION_START + 3 })),
      put(h.seq(), INBOX, 'message', message('m4', 'c_mine', { createdAt: SESSION_START + 4, direction: 'out', authorType: 'user', authorId: ME })),
    ]);
    expect(shown.map((n) => n.target)).toEqual([
      { kind: 'conversation', conversationId: 'c_unassigned' },
      { kind: 'conversation', conversationId: 'c_mine' },
    ]);
    expect(shown[0]).toMatchObject({ body: 'Hello there', title: expect.stringContaining('Sales') });
  });

  it('names a customer without a contact by their number, formatted as everywhere else', () => {
    arrive([
      put(h.seq(), INBOX, 'message', message('m1', 'c_unassigned', { createdAt: SESSION_START + 1 })),
      put(h.seq(), 'user:u_me', 'notice', { id: 'n1', userId: ME, kind: 'assigned', conversationId: 'c_unassigned', actorId: OTHER, createdAt: SESSION_START + 2 }),
    ]);
    expect(shown.map((n) => n.title)[0]).toMatch(/^\+1 415 555 0123 · /);
    expect(shown[1]?.body).toBe('Olga Other assigned you the conversation with +1 415 555 0123.');
    expect(shown.some((n) => `${n.title} ${n.body}`.includes('+14155550123'))).toBe(false);
  });

  it('never notifies catch-up older than the session start, nor the same record twice', () => {
    arrive([put(h.seq(), INBOX, 'message', message('old', 'c_unassigned', { createdAt: SESSION_START - 1 }))]);
    const fresh = put(h.seq(), INBOX, 'message', message('new', 'c_unassigned', { createdAt: SESSION_START + 1 }));
    arrive([fresh]);
    // A status update re-puts the same message.
    arrive([{ ...fresh, seq: h.seq() }]);
    expect(shown.map((n) => n.id)).toEqual(['message:new']);
  });

  it('notifies chat messages from others only', () => {
    arrive([
      put(h.seq(), 'chat:chat_1', 'chatMessage', { id: 'cm1', chatId: 'chat_1', authorId: OTHER, body: 'Lunch?', createdAt: SESSION_START + 1 }),
      put(h.seq(), 'chat:chat_1', 'chatMessage', { id: 'cm2', chatId: 'chat_1', authorId: ME, body: 'Sure', createdAt: SESSION_START + 2 }),
    ]);
    expect(shown).toEqual([{ id: 'chatMessage:cm1', title: 'Olga Other in Floor', body: 'Lunch?', target: { kind: 'chat', chatId: 'chat_1' } }]);
  });

  it('notifies a reassignment of my conversation done by someone else, never one I did', () => {
    arrive([
      put(h.seq(), 'user:u_me', 'notice', { id: 'n1', userId: ME, kind: 'reassigned', conversationId: 'c_theirs', actorId: OTHER, createdAt: SESSION_START + 1 }),
      put(h.seq(), 'user:u_me', 'notice', { id: 'n2', userId: ME, kind: 'reassigned', conversationId: 'c_mine', actorId: ME, createdAt: SESSION_START + 2 }),
    ]);
    expect(shown).toEqual([
      {
        id: 'notice:n1',
        title: 'Conversation reassigned',
        body: expect.stringContaining('Olga Other reassigned'),
        target: { kind: 'conversation', conversationId: 'c_theirs' },
      },
    ]);
  });

  it('honours this person’s mute setting, which is kept in their own cache', () => {
    service.muted = true;
    arrive([put(h.seq(), INBOX, 'message', message('m1', 'c_unassigned', { createdAt: SESSION_START + 1 }))]);
    expect(shown).toEqual([]);
    const again = new NotificationService(h.cache, { notify: (n) => shown.push(n) }, SESSION_START);
    expect(again.muted).toBe(true);
    again.muted = false;
    arrive([put(h.seq(), INBOX, 'message', message('m2', 'c_unassigned', { createdAt: SESSION_START + 2 }))]);
    expect(shown.map((n) => n.id)).toEqual(['message:m2']);
  });
});

describe('chat and private-number views of the cache', () => {
  it('counts unread chat messages from my read mark and my own last message; the badge total includes them', () => {
    arrive([
      put(h.seq(), 'chat:chat_1', 'chatMessage', { id: 'a', chatId: 'chat_1', authorId: OTHER, body: 'one', createdAt: 100 }),
      put(h.seq(), 'chat:chat_1', 'chatMessage', { id: 'b', chatId: 'chat_1', authorId: OTHER, body: 'two', createdAt: 200 }),
    ]);
    expect(sidebarView(h.cache).chats[0]).toMatchObject({ id: 'chat_1', unread: 2 });
    const before = sidebarView(h.cache).unreadTotal;
    arrive([put(h.seq(), 'user:u_me', 'chatUserState', { id: `chat_1:${ME}`, chatId: 'chat_1', userId: ME, readAt: 150 })]);
    expect(sidebarView(h.cache).chats[0]?.unread).toBe(1);
    expect(sidebarView(h.cache).unreadTotal).toBe(before - 1);
    arrive([put(h.seq(), 'chat:chat_1', 'chatMessage', { id: 'c', chatId: 'chat_1', authorId: ME, body: 'me', createdAt: 300 })]);
    expect(sidebarView(h.cache).chats[0]?.unread).toBe(0);
    expect(chatMessagesPage(h.cache, 'chat_1', null, 50).items.map((m) => [m.id, m.authorName])).toEqual([
      ['a', 'Olga Other'],
      ['b', 'Olga Other'],
      ['c', 'You'],
    ]);
  });

  it('finds my existing direct chat with someone, names it after them, and lists people', () => {
    expect(directChatWith(h.cache, OTHER)).toBeNull();
    arrive([put(h.seq(), 'chat:dm', 'chat', { id: 'dm', kind: 'direct', name: 'Old name', memberIds: [OTHER, ME], lastMessageAt: null })]);
    expect(directChatWith(h.cache, OTHER)).toBe('dm');
    expect(directChatWith(h.cache, 'u_third')).toBeNull();
    expect(sidebarView(h.cache).chats.find((c) => c.id === 'dm')?.name).toBe('Olga Other');
    expect(chatDetail(h.cache, 'dm')).toMatchObject({ name: 'Olga Other', canRename: false, canManageMembers: false });
    expect(chatDetail(h.cache, 'chat_1')).toMatchObject({ canRename: true, canManageMembers: false, createdBy: OTHER });
    expect(peopleList(h.cache).map((p) => p.id)).toEqual([OTHER, 'u_third']);
  });

  it('lists my private numbers under (3), not as an inbox, and keeps previous messages out of the lists', () => {
    arrive([
      put(h.seq(), 'inbox:private_me', 'inbox', inbox('private_me', { kind: 'private', assignmentMode: false, name: 'My texting numbers' })),
      put(h.seq(), 'inbox:private_me', 'channel', { ...channel('pn_me', 'private_me'), name: 'My number' }),
      put(h.seq(), INBOX, 'conversation', conversation('c_prev', { previousOfChannelId: 'pn_old', status: 'closed', lastMessagePreview: 'bye' })),
      put(h.seq(), INBOX, 'message', message('pm1', 'c_prev', { createdAt: 500 })),
    ]);
    const view = sidebarView(h.cache);
    expect(view.inboxes.map((i) => i.id)).toEqual(['inbox_a']);
    expect(view.privateNumbers?.map((c) => c.id)).toEqual(['pn_me']);
    expect(view.privateInboxId).toBe('private_me');
    expect(view.previousMessages).toEqual([{ inboxId: 'inbox_a', count: 1 }]);
    expect(previousConversations(h.cache, 'inbox_a').map((p) => p.id)).toEqual(['c_prev']);
    expect(h.cache.db.prepare("SELECT count(*) FROM conversations WHERE id = 'c_prev'").pluck().get()).toBe(0);
    // Its messages stay readable.
    expect(h.cache.db.prepare("SELECT count(*) FROM messages WHERE conversation_id = 'c_prev'").pluck().get()).toBe(1);
  });
});
