import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationListQuery } from '../../../protocol/ipc.ts';
import { ConversationListQueries } from '../../../main/core/queries/conversation-list.ts';
import { conversationDetail } from '../../../main/core/queries/conversation-detail.ts';
import { messagesPage } from '../../../main/core/queries/messages.ts';
import { sidebarView } from '../../../main/core/queries/sidebar.ts';
import { channel, changes, conversation, harness, INBOX, ME, message, OTHER, put, seedWorkspace, userState, type Harness } from './fixtures.ts';

let h: Harness;
let lists: ConversationListQueries;
const ids = (q: Partial<ConversationListQuery>, offset = 0, limit = 50): string[] =>
  lists.page(ConversationListQuery.parse(q), offset, limit).items.map((i) => i.id);

/**
 * Fixed data:
 *  o1 open, mine, created 100, last msg 900 (inbound, unread)
 *  o2 open, other's, created 200, no messages, tag vip
 *  o3 open, unassigned, created 300, last msg 500 (inbound, read at 600), I wrote in it
 *  o4 open, unassigned, created 400, no messages, channel ch_b
 *  o5 open, mine, created 50, last msg 700, archived by me
 *  k1 closed, mine, created 10, closed 1000, last msg 800
 *  k2 closed, unassigned, created 20, closed 2000, last msg 850
 */
beforeEach(() => {
  h = harness();
  seedWorkspace(h);
  lists = new ConversationListQueries(h.cache);
  let s = 100;
  const c = (id: string, over: Parameters<typeof conversation>[1]) => put(++s, INBOX, 'conversation', conversation(id, over));
  h.applier.apply(changes([
    put(++s, INBOX, 'channel', channel('ch_b', 'inbox_a')),
    c('o1', { assigneeId: ME, createdAt: 100, lastMessageAt: 900 }),
    put(++s, INBOX, 'message', message('m1', 'o1', { createdAt: 900 })),
    c('o2', { assigneeId: OTHER, createdAt: 200, tags: ['vip'] }),
    c('o3', { createdAt: 300, lastMessageAt: 500, participantIds: [ME] }),
    put(++s, INBOX, 'message', message('m3', 'o3', { createdAt: 500 })),
    put(++s, 'user:u_me', 'conversationUserState', userState('o3', { readAt: 600 })),
    c('o4', { createdAt: 400, channelId: 'ch_b' }),
    c('o5', { assigneeId: ME, createdAt: 50, lastMessageAt: 700 }),
    put(++s, 'user:u_me', 'conversationUserState', userState('o5', { archived: true })),
    c('k1', { status: 'closed', assigneeId: ME, createdAt: 10, closedAt: 1000, lastMessageAt: 800 }),
    c('k2', { status: 'closed', createdAt: 20, closedAt: 2000, lastMessageAt: 850 }),
  ]));
});
afterEach(() => h.cleanup());

describe('conversation list', () => {
  it('sorts open conversations by creation and closed ones by closing time', () => {
    expect(ids({ sort: 'recentConversations' })).toEqual(['o4', 'o3', 'o2', 'o1']);
    expect(ids({ sort: 'oldestConversations' })).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(ids({ folder: 'closed', sort: 'recentConversations' })).toEqual(['k2', 'k1']);
    expect(ids({ folder: 'closed', sort: 'oldestConversations' })).toEqual(['k1', 'k2']);
  });

  it('sorts by last message with conversations without messages first, both ways', () => {
    const recent = ids({ sort: 'recentMessages' });
    expect(recent.slice(0, 2).sort()).toEqual(['o2', 'o4']);
    expect(recent.slice(2)).toEqual(['o1', 'o3']);
    const oldest = ids({ sort: 'oldestMessages' });
    expect(oldest.slice(0, 2).sort()).toEqual(['o2', 'o4']);
    expect(oldest.slice(2)).toEqual(['o3', 'o1']);
  });

  it('filters by assignment', () => {
    const sorted = (q: Partial<ConversationListQuery>) => ids(q).sort();
    expect(sorted({ assignment: 'me' })).toEqual(['o1']);
    expect(sorted({ assignment: 'others' })).toEqual(['o2']);
    expect(sorted({ assignment: 'unassigned' })).toEqual(['o3', 'o4']);
    expect(sorted({ assignment: 'withMe' })).toEqual(['o3']);
  });

  it('filters unread and archived; All hides archived', () => {
    expect(ids({ read: 'unread' })).toEqual(['o1']);
    expect(ids({ read: 'archived' })).toEqual(['o5']);
    expect(ids({ read: 'all' })).not.toContain('o5');
  });

  it('filters by channel, inbox and tag', () => {
    expect(ids({ channelId: 'ch_b' })).toEqual(['o4']);
    expect(ids({ inboxId: 'inbox_a' }).length).toBe(4);
    expect(ids({ inboxId: 'nope' })).toEqual([]);
    expect(ids({ tag: 'vip' })).toEqual(['o2']);
  });

  it('pages with offset/limit and reports the total', () => {
    const q = ConversationListQuery.parse({ sort: 'oldestConversations' });
    const page = lists.page(q, 1, 2);
    expect(page).toMatchObject({ total: 4, offset: 1 });
    expect(page.items.map((i) => i.id)).toEqual(['o2', 'o3']);
    expect(page.items[0]).toMatchObject({ assigneeName: 'Olga Other', channelKind: 'sms', title: '+1 415 555 0123', tags: ['vip'], unread: false });
  });

  it('counts every folder and filter, and totals follow new data', () => {
    expect(lists.counts(null, null)).toEqual({ open: 4, closed: 2, me: 1, others: 1, unassigned: 2, withMe: 1 });
    expect(lists.counts(null, 'ch_b')).toEqual({ open: 1, closed: 0, me: 0, others: 0, unassigned: 1, withMe: 0 });
    h.applier.apply(changes([put(500, INBOX, 'conversation', conversation('o9', { assigneeId: ME }))]));
    expect(lists.counts('inbox_a', null)).toMatchObject({ open: 5, me: 2 });
  });

  it('reflects pending actions at once (optimistic) in lists and counts', () => {
    h.outbox.enqueue({ name: 'conversation.setStatus', args: { conversationId: 'o1', status: 'closed' } });
    expect(ids({ assignment: 'me' })).toEqual([]);
    expect(lists.counts(null, null)).toMatchObject({ open: 3, closed: 3 });
    h.outbox.enqueue({ name: 'conversation.markRead', args: { conversationId: 'o1', readAt: 950 } });
    expect(ids({ folder: 'closed', read: 'unread' })).toEqual([]);
  });
});

describe('sidebar, detail, messages', () => {
  it('sidebar lists the inbox with channels and unread counts', () => {
    const view = sidebarView(h.cache);
    expect(view.inboxes).toHaveLength(1);
    expect(view.inboxes[0]).toMatchObject({ id: 'inbox_a', name: 'Sales', unread: 1, assignmentMode: true });
    expect(view.inboxes[0]?.channels.map((c) => [c.id, c.unread])).toEqual([['ch_a', 1], ['ch_b', 0]]);
    expect(view.unreadTotal).toBe(1);
  });

  it('sidebar counts chat messages by others after my last one', () => {
    h.applier.apply(changes([
      put(600, 'chat:t1', 'chat', { id: 't1', kind: 'direct', name: '', memberIds: [ME, OTHER], lastMessageAt: 30 }),
      put(601, 'chat:t1', 'chatMessage', { id: 'x1', chatId: 't1', authorId: OTHER, body: 'a', createdAt: 10 }),
      put(602, 'chat:t1', 'chatMessage', { id: 'x2', chatId: 't1', authorId: ME, body: 'b', createdAt: 20 }),
      put(603, 'chat:t1', 'chatMessage', { id: 'x3', chatId: 't1', authorId: OTHER, body: 'c', createdAt: 30 }),
    ]));
    expect(sidebarView(h.cache).chats).toEqual([{ id: 't1', kind: 'direct', name: 'Olga Other', unread: 1, lastMessageAt: 30 }]);
  });

  it('detail shows the conversation with pending actions', () => {
    const id = h.outbox.enqueue({ name: 'conversation.assign', args: { conversationId: 'o3', assigneeId: ME } }).id;
    const d = conversationDetail(h.cache, 'o3');
    expect(d?.conversation.assigneeId).toBe(ME);
    expect(d?.pendingActions).toEqual([{ mutationId: id, state: 'pending', error: null }]);
    expect(d?.members).toEqual([{ id: ME, name: 'Me Myself' }]);
    expect(conversationDetail(h.cache, 'missing')).toBeNull();
  });

  it('messages: oldest first, pages backwards, outbox state wins the display status', () => {
    const id = h.outbox.enqueue({ name: 'message.send', args: { conversationId: 'o1', messageId: 'r1', body: 'reply', attachments: [] } }).id;
    const page = messagesPage(h.cache, 'o1', null, 50);
    expect(page.items.map((m) => [m.id, m.displayStatus, m.authorName])).toEqual([
      ['m1', 'delivered', '+1 415 555 0123'],
      ['r1', 'pending', 'Me Myself'],
    ]);
    h.outbox.resolve(id, { ok: false, code: 'not_registered', message: 'Number not registered' });
    const failed = messagesPage(h.cache, 'o1', null, 1);
    expect(failed.hasMore).toBe(true);
    expect(failed.items[0]).toMatchObject({ id: 'r1', displayStatus: 'failed', outbox: { state: 'failed', error: { code: 'not_registered' } } });
    expect(messagesPage(h.cache, 'o1', failed.items[0]?.createdAt ?? 0, 1).items.map((m) => m.id)).toEqual(['m1']);
  });

  it('a pending reply with only a voice note previews as "Voice note" in the list', () => {
    const attachments = [{ id: 'att_0123456789abcdef0123456789abcdef', name: 'Voice note 0:04.ogg', contentType: 'audio/ogg', size: 2048 }];
    h.outbox.enqueue({ name: 'message.send', args: { conversationId: 'o1', messageId: 'v1', body: ' ', attachments } });
    expect(conversationDetail(h.cache, 'o1')?.conversation.lastMessagePreview).toBe('Voice note');
  });

  it('messages: an automatic reply (HELP) is named as such and keeps its delivery status', () => {
    h.applier.apply(changes([put(700, INBOX, 'message', message('auto1', 'o1', { direction: 'out', authorType: 'system', status: 'sent', createdAt: 950 }))]));
    const auto = messagesPage(h.cache, 'o1', null, 50).items.find((m) => m.id === 'auto1');
    expect(auto).toMatchObject({ authorName: 'Automatic reply', direction: 'out', displayStatus: 'sent' });
  });
});
