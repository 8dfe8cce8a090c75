import { expect, it } from 'vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import { chat, contact, conversation, inbox, message, read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

const ids = (rows: Array<{ id: string }>): string[] => rows.map((r) => r.id);
const DAY = 86_400_000;

/** Windowed first sync and history on demand (issue 13): the reads of server/storage/history-storage.ts. */
export function historyContract(ctx: ContractContext): void {
  it('lists an inbox’s conversations by status and last activity, newest first, in keyset pages, from a day on', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('conversation', conversation('conv_1', { createdAt: 1000, lastMessageAt: 5000 }));
      await tx.put('conversation', conversation('conv_2', { createdAt: 2000 }));
      await tx.put('conversation', conversation('conv_3', { createdAt: 1000, status: 'closed', closedAt: 9000, lastMessageAt: 3000 }));
      await tx.put('conversation', conversation('conv_4', { createdAt: 5000 }));
      await tx.put('conversation', conversation('conv_5', { createdAt: 100, status: 'closed', closedAt: 200 }));
    });
    expect(ids(await read(s, (tx) => tx.conversationsByActivity('inbox_1', 'open', 0, null, 10)))).toEqual(['conv_4', 'conv_1', 'conv_2']);
    // conv_4 and conv_1 tie at 5000: the id breaks it, descending, and a page resumes strictly after it.
    expect(ids(await read(s, (tx) => tx.conversationsByActivity('inbox_1', 'open', 0, null, 1)))).toEqual(['conv_4']);
    expect(ids(await read(s, (tx) => tx.conversationsByActivity('inbox_1', 'open', 0, { at: 5000, id: 'conv_4' }, 10)))).toEqual(['conv_1', 'conv_2']);
    expect(ids(await read(s, (tx) => tx.conversationsByActivity('inbox_1', 'closed', 0, null, 10)))).toEqual(['conv_3', 'conv_5']);
    expect(ids(await read(s, (tx) => tx.conversationsByActivity('inbox_1', 'closed', 1000, null, 10)))).toEqual(['conv_3']);
    // A conversation that closes moves between the lists (the columns follow every put).
    await write(s, (tx) => tx.put('conversation', conversation('conv_2', { createdAt: 2000, status: 'closed', closedAt: 9500 })));
    expect(ids(await read(s, (tx) => tx.conversationsByActivity('inbox_1', 'closed', 1000, null, 10)))).toEqual(['conv_2', 'conv_3']);
  });

  it('reads the latest messages of many conversations, pages of older messages, and their surveys', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('conversation', conversation('conv_2'));
      for (let i = 1; i <= 5; i++) await tx.put('message', message(`m1_${i}`, { createdAt: 1000 + i }));
      await tx.put('message', message('m1_5b', { createdAt: 1005 }));
      await tx.put('message', message('m2_1', { conversationId: 'conv_2', createdAt: 10 }));
      await tx.put('survey', { id: 'sv_1', conversationId: 'conv_1', inboxId: 'inbox_1', messageId: 'm1_5', sentBy: 'user_a', sentAt: 1005, expiresAt: 9000, answer: null });
    });
    const latest = await read(s, (tx) => tx.latestMessagesOf(['conv_1', 'conv_2', 'conv_missing'], 2));
    expect(ids(latest).sort()).toEqual(['m1_5', 'm1_5b', 'm2_1']);
    expect(ids(await read(s, (tx) => tx.messagesBefore('conv_1', null, 3)))).toEqual(['m1_5b', 'm1_5', 'm1_4']);
    expect(ids(await read(s, (tx) => tx.messagesBefore('conv_1', { at: 1005, id: 'm1_5' }, 10)))).toEqual(['m1_4', 'm1_3', 'm1_2', 'm1_1']);
    // From one message (inclusive) up to below another, oldest first; a tie on time is ordered by id.
    expect(ids(await read(s, (tx) => tx.messagesFrom('conv_1', { at: 1002, id: 'm1_2' }, null, 10)))).toEqual(['m1_2', 'm1_3', 'm1_4', 'm1_5', 'm1_5b']);
    expect(ids(await read(s, (tx) => tx.messagesFrom('conv_1', { at: 1002, id: 'm1_2' }, { at: 1005, id: 'm1_5b' }, 10)))).toEqual(['m1_2', 'm1_3', 'm1_4', 'm1_5']);
    expect(ids(await read(s, (tx) => tx.messagesFrom('conv_1', { at: 1005, id: 'm1_5b' }, null, 10)))).toEqual(['m1_5b']);
    expect(ids(await read(s, (tx) => tx.messagesFrom('conv_1', { at: 1001, id: 'm1_1' }, null, 2)))).toEqual(['m1_1', 'm1_2']);
    expect(ids(await read(s, (tx) => tx.inboxMessagesBefore('inbox_1', 1004, null, 10)))).toEqual(['m1_3', 'm1_2', 'm1_1', 'm2_1']);
    expect(ids(await read(s, (tx) => tx.inboxMessagesBefore('inbox_1', 1004, { at: 1002, id: 'm1_2' }, 10)))).toEqual(['m1_1', 'm2_1']);
    expect(ids(await read(s, (tx) => tx.surveysOfConversations(['conv_1', 'conv_2'])))).toEqual(['sv_1']);
    expect(ids(await read(s, (tx) => tx.getMany('message', ['m2_1', 'nope', 'm1_1']))).sort()).toEqual(['m1_1', 'm2_1']);
  });

  it('pages a chat’s messages newest first', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('chat', chat('chat_1', ['user_a', 'user_b']));
      for (let i = 1; i <= 4; i++) await tx.put('chatMessage', { id: `cm_${i}`, chatId: 'chat_1', authorId: 'user_a', body: `hi ${i}`, createdAt: 100 * i });
    });
    expect(ids(await read(s, (tx) => tx.chatMessagesBefore('chat_1', null, 2)))).toEqual(['cm_4', 'cm_3']);
    expect(ids(await read(s, (tx) => tx.chatMessagesBefore('chat_1', { at: 300, id: 'cm_3' }, 5)))).toEqual(['cm_2', 'cm_1']);
    expect(ids(await read(s, (tx) => tx.chatMessagesOlderThan('chat_1', 300, null, 5)))).toEqual(['cm_2', 'cm_1']);
  });

  it('lists a conversation list in each sort order with the person’s state and last inbound time', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('conversation', conversation('conv_1', { createdAt: 300, lastMessageAt: 1000 }));
      await tx.put('conversation', conversation('conv_2', { createdAt: 200, lastMessageAt: null }));
      await tx.put('conversation', conversation('conv_3', { createdAt: 100, lastMessageAt: 2000, channelId: 'ch_sms' }));
      await tx.put('message', message('in_1', { direction: 'in', authorType: 'contact', authorId: null, createdAt: 900 }));
      await tx.put('message', message('out_1', { createdAt: 1000 }));
      await tx.put('conversationUserState', { id: 'conv_1:user_a', conversationId: 'conv_1', userId: 'user_a', readAt: 950, archived: true });
    });
    const scan = { inboxId: 'inbox_1', channelId: null, status: 'open' as const, after: null, limit: 10 };
    const list = (sort: 'recentConversations' | 'oldestConversations' | 'recentMessages' | 'oldestMessages', after: { key: number | null; id: string } | null = null) =>
      read(s, (tx) => tx.conversationList('user_a', { ...scan, sort, after }));
    expect((await list('recentMessages')).map((r) => r.conversation.id)).toEqual(['conv_2', 'conv_3', 'conv_1']);
    expect((await list('oldestMessages')).map((r) => r.conversation.id)).toEqual(['conv_2', 'conv_1', 'conv_3']);
    expect((await list('oldestMessages', { key: null, id: 'conv_2' })).map((r) => r.conversation.id)).toEqual(['conv_1', 'conv_3']);
    expect((await list('recentConversations')).map((r) => r.conversation.id)).toEqual(['conv_1', 'conv_2', 'conv_3']);
    expect((await list('oldestConversations', { key: 100, id: 'conv_3' })).map((r) => r.conversation.id)).toEqual(['conv_2', 'conv_1']);
    const first = (await list('recentConversations'))[0];
    expect(first?.state).toEqual({ id: 'conv_1:user_a', conversationId: 'conv_1', userId: 'user_a', readAt: 950, archived: true });
    expect(first?.lastInboundAt).toBe(900);
    const other = await read(s, (tx) => tx.conversationList('user_b', { ...scan, sort: 'recentConversations' }));
    expect(other[0]?.state).toBeNull();
    expect(await read(s, (tx) => tx.conversationList('user_a', { ...scan, channelId: 'ch_other', sort: 'recentMessages' }))).toEqual([]);
    expect(await read(s, (tx) => tx.conversationList('user_a', { ...scan, status: 'closed', sort: 'recentMessages' }))).toEqual([]);
  });

  it('tallies conversations by the person’s facts: status, assignee, archived, unread, with me, tag, listed', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('inbox', inbox('inbox_2'));
      await tx.put('channel', { id: 'ch_2', inboxId: 'inbox_2', kind: 'sms', name: 'two', address: '+14155550111', registration: null });
      await tx.put('conversation', conversation('conv_1', { assigneeId: 'user_a', tags: ['vip', 'x'], participantIds: ['user_a'] }));
      await tx.put('conversation', conversation('conv_2', { assigneeId: 'user_b', participantIds: ['user_b'] }));
      await tx.put('conversation', conversation('conv_3', { status: 'closed', closedAt: 2000 }));
      await tx.put('conversation', conversation('conv_4', { previousOfChannelId: 'ch_old' }));
      await tx.put('conversation', conversation('conv_5', { inboxId: 'inbox_2', channelId: 'ch_2', tags: ['vip'] }));
      await tx.put('conversation', conversation('conv_6', { assigneeId: 'user_b' }));
      await tx.put('message', message('in_1', { direction: 'in', authorType: 'contact', authorId: null, createdAt: 900 }));
      await tx.put('message', message('in_2', { conversationId: 'conv_2', direction: 'in', authorType: 'contact', authorId: null, createdAt: 500 }));
      await tx.put('message', message('out_6', { conversationId: 'conv_6', createdAt: 900 }));
      await tx.put('conversationUserState', { id: 'conv_1:user_a', conversationId: 'conv_1', userId: 'user_a', readAt: 800, archived: false });
      await tx.put('conversationUserState', { id: 'conv_2:user_a', conversationId: 'conv_2', userId: 'user_a', readAt: 600, archived: true });
      await tx.put('conversationUserState', { id: 'conv_1:user_b', conversationId: 'conv_1', userId: 'user_b', readAt: 1000, archived: true });
    });
    const tally = async (userId: string, over: Partial<{ inboxIds: string[]; channelId: string | null; tag: string | null; unread: 'open' | 'closed' | null }> = {}) => {
      const rows = await read(s, (tx) => tx.conversationTally(userId, { inboxIds: ['inbox_1', 'inbox_2'], channelId: null, tag: null, unread: 'open', ...over }));
      return rows
        .map((r) => `${r.inboxId} ${r.channelId} ${r.status} ${r.assignee} a${+r.archived} u${+r.unread} w${+r.withMe} t${+r.tagged} l${+r.listed} ×${r.n}`)
        .sort();
    };
    expect(await tally('user_a', { tag: 'vip' })).toEqual([
      'inbox_1 ch_sms closed none a0 u0 w0 t0 l1 ×1',
      'inbox_1 ch_sms open me a0 u1 w1 t1 l1 ×1',
      'inbox_1 ch_sms open none a0 u0 w0 t0 l0 ×1',
      'inbox_1 ch_sms open other a0 u0 w0 t0 l1 ×1',
      'inbox_1 ch_sms open other a1 u0 w0 t0 l1 ×1',
      'inbox_2 ch_2 open none a0 u0 w0 t1 l1 ×1',
    ]);
    // Another person's facts; no tag asked: every row is tagged; unread not worked out: false.
    expect(await tally('user_b', { inboxIds: ['inbox_1'], unread: null })).toEqual([
      'inbox_1 ch_sms closed none a0 u0 w0 t1 l1 ×1',
      'inbox_1 ch_sms open me a0 u0 w0 t1 l1 ×1',
      'inbox_1 ch_sms open me a0 u0 w1 t1 l1 ×1',
      'inbox_1 ch_sms open none a0 u0 w0 t1 l0 ×1',
      'inbox_1 ch_sms open other a1 u0 w0 t1 l1 ×1',
    ]);
    expect(await tally('user_b', { inboxIds: ['inbox_1'] })).toContain('inbox_1 ch_sms open me a0 u1 w1 t1 l1 ×1');
    expect(await tally('user_a', { channelId: 'ch_2' })).toEqual(['inbox_2 ch_2 open none a0 u0 w0 t1 l1 ×1']);
    expect(await tally('user_a', { inboxIds: [] })).toEqual([]);
    // Equal facts are one group.
    await write(s, (tx) => tx.put('conversation', conversation('conv_7', { inboxId: 'inbox_2', channelId: 'ch_2', tags: ['vip'] })));
    expect(await tally('user_a', { channelId: 'ch_2' })).toEqual(['inbox_2 ch_2 open none a0 u0 w0 t1 l1 ×2']);
  });

  it('finds the contacts a window uses and a contact’s conversations in the given inboxes only', async () => {
    const s = ctx.storage();
    const now = 100 * DAY;
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('inbox', inbox('inbox_2'));
      await tx.put('channel', { id: 'ch_2', inboxId: 'inbox_2', kind: 'sms', name: 'two', address: '+14155550111', registration: null });
      for (const c of ['ct_open', 'ct_recent', 'ct_old', 'ct_other']) await tx.put('contact', contact(c, []));
      await tx.put('conversation', conversation('conv_1', { contactId: 'ct_open', createdAt: 10 }));
      await tx.put('conversation', conversation('c_recent', { contactId: 'ct_recent', status: 'closed', createdAt: 10, closedAt: now - DAY }));
      await tx.put('conversation', conversation('c_old', { contactId: 'ct_old', status: 'closed', createdAt: 10, closedAt: now - 40 * DAY }));
      await tx.put('conversation', conversation('c_other', { contactId: 'ct_other', inboxId: 'inbox_2', channelId: 'ch_2' }));
      await tx.put('conversation', conversation('c_old2', { contactId: 'ct_open', status: 'closed', createdAt: 5, closedAt: 6 }));
    });
    expect(await read(s, (tx) => tx.windowContactIds(['inbox_1'], now - 30 * DAY))).toEqual(['ct_open', 'ct_recent']);
    await write(s, async (tx) => {
      for (const c of ['conv_1', 'c_recent', 'c_old', 'c_other']) await tx.put('conversationUserState', { id: `${c}:user_a`, conversationId: c, userId: 'user_a', readAt: 1, archived: false });
      await tx.put('conversationUserState', { id: 'conv_1:user_b', conversationId: 'conv_1', userId: 'user_b', readAt: 1, archived: false });
    });
    expect(ids(await read(s, (tx) => tx.windowUserStates('user_a', now - 30 * DAY, '', 10)))).toEqual(['c_other:user_a', 'c_recent:user_a', 'conv_1:user_a']);
    expect(ids(await read(s, (tx) => tx.windowUserStates('user_a', now - 30 * DAY, 'c_recent:user_a', 1)))).toEqual(['conv_1:user_a']);
    expect(ids(await read(s, (tx) => tx.conversationsOfContact('ct_open', ['inbox_1'], 10)))).toEqual(['conv_1', 'c_old2']);
    expect(await read(s, (tx) => tx.conversationsOfContact('ct_other', ['inbox_1'], 10))).toEqual([]);
  });

  it('searches message bodies by word prefixes in the given inboxes, newest first, kept current by every write', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('inbox', inbox('inbox_2'));
      await tx.put('channel', { id: 'ch_2', inboxId: 'inbox_2', kind: 'sms', name: 'two', address: '+14155550111', registration: null });
      await tx.put('conversation', conversation('conv_2', { inboxId: 'inbox_2', channelId: 'ch_2' }));
      await tx.put('message', message('m_1', { body: 'Where is my parcel?', createdAt: 10 }));
      await tx.put('message', message('m_2', { body: 'The PARCELS shipped "today" AND* (ok)', createdAt: 20 }));
      await tx.put('message', message('m_3', { conversationId: 'conv_2', body: 'parcel in another inbox', createdAt: 30 }));
    });
    const search = (inboxIds: string[], terms: string[]) => read(s, (tx) => tx.searchMessages(inboxIds, terms, 10));
    expect((await search(['inbox_1'], ['parcel'])).map((m) => m.message.id)).toEqual(['m_2', 'm_1']);
    expect((await search(['inbox_1', 'inbox_2'], ['parc'])).map((m) => m.message.id)).toEqual(['m_3', 'm_2', 'm_1']);
    expect((await search(['inbox_1'], ['parcel', 'today'])).map((m) => m.message.id)).toEqual(['m_2']);
    expect((await search(['inbox_1'], ['"today"', 'AND*', '(ok)'])).map((m) => m.message.id)).toEqual(['m_2']);
    const [hit] = await search(['inbox_1'], ['where']);
    expect(hit?.conversation.id).toBe('conv_1');
    await write(s, async (tx) => {
      await tx.put('message', message('m_1', { body: 'edited text', createdAt: 10 }));
      await tx.remove('message', 'm_2');
    });
    expect(await search(['inbox_1'], ['parcel'])).toEqual([]);
    expect((await search(['inbox_1'], ['edited'])).map((m) => m.message.id)).toEqual(['m_1']);
    expect(await search([], ['edited'])).toEqual([]);
  });

  it('searches contacts by name, email, company or phone: shared ones and the person’s own private ones', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('contact', { ...contact('ct_1', ['+14155550123']), name: 'Dana 50% Off' } satisfies EntityOf<'contact'>);
      await tx.put('contact', { ...contact('ct_2', [], 'user_a'), name: 'Dana private', company: 'Acme' });
      await tx.put('contact', { ...contact('ct_3', [], 'user_b'), name: 'Dana of B' });
    });
    const find = (userId: string, text: string) => read(s, (tx) => tx.searchContacts('org_1', userId, text, 10));
    expect(ids(await find('user_a', 'dana'))).toEqual(['ct_1', 'ct_2']);
    expect(ids(await find('user_b', 'dana'))).toEqual(['ct_1', 'ct_3']);
    expect(ids(await find('user_a', 'acme'))).toEqual(['ct_2']);
    expect(ids(await find('user_a', '5550123'))).toEqual(['ct_1']);
    expect(ids(await find('user_a', '50%'))).toEqual(['ct_1']);
    expect(ids(await find('user_a', '_'))).toEqual([]);
  });
}
