import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { scopesOfUser } from '../../server/domain/change-log.ts';
import { MOVED_NUMBER_NAME, privateInboxId, renameLegacyMovedNumbers } from '../../server/domain/private-numbers.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const setRole = async (userId: string, role: Role): Promise<void> =>
  await t.storage.transaction(async (tx) => {
    const u = await tx.get('user', userId);
    if (u) await tx.put('user', { ...u, role });
  });
const scopes = async (userId: string): Promise<string[]> => await t.storage.transaction(async (tx) => await scopesOfUser(tx, userId));

describe('chats (SPEC (5), (6))', () => {
  it('a direct chat exists once per pair: a second one is refused', async () => {
    expect(await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'dm-1', kind: 'direct', name: '', memberIds: ['user_alex'] } })).toEqual({ ok: true });
    expect(await t.get('chat', 'dm-1')).toMatchObject({ kind: 'direct', memberIds: ['user_sam', 'user_alex'], createdBy: 'user_sam' });
    // From either side, and against the seeded Maya–Sam chat too.
    expect(await t.apply('user_alex', { name: 'chat.create', args: { chatId: 'dm-2', kind: 'direct', name: '', memberIds: ['user_sam'] } })).toMatchObject({ ok: false, code: 'conflict' });
    expect(await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'dm-3', kind: 'direct', name: '', memberIds: ['user_maya'] } })).toMatchObject({ ok: false, code: 'conflict' });
    expect(await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'dm-4', kind: 'direct', name: '', memberIds: ['user_maya', 'user_alex'] } })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'dm-5', kind: 'direct', name: '', memberIds: ['user_nobody'] } })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await scopes('user_alex')).toContain('chat:dm-1');
    expect(await scopes('user_maya')).not.toContain('chat:dm-1');
  });

  it('team chats need a name and another person; members may rename; direct chats may not be renamed', async () => {
    expect(await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'tc-0', kind: 'team', name: '', memberIds: ['user_alex'] } })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'tc-1', kind: 'team', name: 'Weekend crew', memberIds: ['user_alex', 'user_maya'] } })).toEqual({ ok: true });
    expect(await t.apply('user_alex', { name: 'chat.rename', args: { chatId: 'tc-1', name: 'Saturday crew' } })).toEqual({ ok: true });
    expect((await t.get('chat', 'tc-1'))?.name).toBe('Saturday crew');
    expect(await t.apply('user_sam', { name: 'chat.rename', args: { chatId: 'chat_maya_sam', name: 'x' } })).toMatchObject({ ok: false, code: 'invalid' });
    // Not in the chat: it does not exist for them.
    await t.apply('user_sam', { name: 'chat.setMembers', args: { chatId: 'tc-1', memberIds: ['user_sam', 'user_maya'] } });
    expect(await t.apply('user_alex', { name: 'chat.rename', args: { chatId: 'tc-1', name: 'Mine now' } })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_alex', { name: 'chat.send', args: { chatId: 'tc-1', messageId: 'm-x', body: 'hi' } })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('the creator or a manager changes members; other members may only leave', async () => {
    await t.apply('user_sam', { name: 'chat.create', args: { chatId: 'tc-2', kind: 'team', name: 'Crew', memberIds: ['user_alex', 'user_maya'] } });
    // Alex (a member, not the creator) cannot remove Maya, but can leave.
    expect(await t.apply('user_alex', { name: 'chat.setMembers', args: { chatId: 'tc-2', memberIds: ['user_sam', 'user_alex'] } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await t.apply('user_alex', { name: 'chat.setMembers', args: { chatId: 'tc-2', memberIds: ['user_sam', 'user_maya'] } })).toEqual({ ok: true });
    expect(await scopes('user_alex')).not.toContain('chat:tc-2');
    // Maya is a manager: she may change members of a chat she did not start (the seeded one has no creator).
    expect(await t.apply('user_maya', { name: 'chat.setMembers', args: { chatId: 'chat_floor_leads', memberIds: ['user_maya', 'user_sam'] } })).toEqual({ ok: true });
    await setRole('user_maya', 'member');
    expect(await t.apply('user_maya', { name: 'chat.setMembers', args: { chatId: 'chat_floor_leads', memberIds: ['user_maya', 'user_sam', 'user_alex'] } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await t.apply('user_sam', { name: 'chat.setMembers', args: { chatId: 'tc-2', memberIds: ['user_sam', 'user_maya', 'user_alex'] } })).toEqual({ ok: true });
    expect(await scopes('user_alex')).toContain('chat:tc-2');
    expect(await t.apply('user_sam', { name: 'chat.setMembers', args: { chatId: 'chat_maya_sam', memberIds: ['user_sam', 'user_alex'] } })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('chat read state is per person, forward only, and only for members', async () => {
    const chat = await t.get('chat', 'chat_maya_sam');
    const at = chat?.lastMessageAt ?? 0;
    expect(await t.apply('user_sam', { name: 'chat.markRead', args: { chatId: 'chat_maya_sam', readAt: at } })).toEqual({ ok: true });
    expect(await t.apply('user_sam', { name: 'chat.markRead', args: { chatId: 'chat_maya_sam', readAt: at - 1000 } })).toEqual({ ok: true });
    expect(await t.get('chatUserState', 'chat_maya_sam:user_sam')).toEqual({ id: 'chat_maya_sam:user_sam', chatId: 'chat_maya_sam', userId: 'user_sam', readAt: at });
    expect(await t.get('chatUserState', 'chat_maya_sam:user_maya')).toBeNull();
    expect(await t.apply('user_alex', { name: 'chat.markRead', args: { chatId: 'chat_maya_sam', readAt: at } })).toMatchObject({ ok: false, code: 'not_found' });
    const entries = await t.storage.transaction(async (tx) => await tx.readChanges(0, ['user:user_sam'], 100_000));
    expect(entries.some((e) => e.op === 'put' && e.entity === 'chatUserState')).toBe(true);
  });
});

describe('private texting numbers (SPEC (3)) and previous messages (SPEC (11))', () => {
  const samInbox = privateInboxId('user_sam');

  it('the demo gives Sam and Maya a private number that only they hold', async () => {
    expect(await t.get('inbox', samInbox)).toMatchObject({ kind: 'private' });
    expect(await t.get('channel', 'pn_sam')).toMatchObject({ inboxId: samInbox, kind: 'sms', registration: 'approved' });
    expect(await scopes('user_sam')).toContain(`inbox:${samInbox}`);
    expect(await scopes('user_maya')).not.toContain(`inbox:${samInbox}`);
    expect((await scopes('user_alex')).some((s) => s.includes('private_'))).toBe(false);
  });

  it('nobody else can read or write in a private inbox, nor join it', async () => {
    const conv = 'conv_pn_sam_1';
    expect(await t.apply('user_maya', { name: 'message.send', args: { conversationId: conv, messageId: 'spy-1', body: 'hi', attachments: [] } })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_maya', { name: 'conversation.markRead', args: { conversationId: conv, readAt: 1 } })).toMatchObject({ ok: false, code: 'not_found' });
    // Even its owner (made a manager) cannot add people to it.
    await setRole('user_sam', 'manager');
    expect(await t.apply('user_sam', { name: 'inbox.setMember', args: { inboxId: samInbox, userId: 'user_maya', member: true } })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_maya', { name: 'inbox.setMember', args: { inboxId: samInbox, userId: 'user_maya', member: true } })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await scopes('user_maya')).not.toContain(`inbox:${samInbox}`);
    // The owner texts from it like from any channel.
    expect(await t.apply('user_sam', { name: 'message.send', args: { conversationId: conv, messageId: 'own-1', body: 'See you at 10', attachments: [] } })).toEqual({ ok: true });
    expect(
      await t.apply('user_sam', {
        name: 'conversation.create',
        args: { conversationId: 'pn-new', messageId: 'pn-new-m', channelId: 'pn_sam', contactId: null, customerAddress: '+16285550199', body: 'Hi from my number' },
      }),
    ).toEqual({ ok: true });
    expect((await t.get('conversation', 'pn-new'))?.inboxId).toBe(samInbox);
  });

  it('a manager moves a number into a shared inbox: history becomes read-only previous messages of that inbox', async () => {
    const move: Mutation = { name: 'privateNumber.moveToInbox', args: { ownerId: 'user_sam', number: '+14155550170', inboxId: 'inbox_sales' } };
    expect(await t.apply('user_sam', move)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await t.apply('user_maya', { name: 'privateNumber.moveToInbox', args: { ownerId: 'user_sam', number: '+14155550170', inboxId: samInbox } })).toMatchObject({ ok: false, code: 'not_found' });
    // A number that person does not own is not found (nor is anything revealed about whose it is).
    expect(await t.apply('user_maya', { name: 'privateNumber.moveToInbox', args: { ownerId: 'user_alex', number: '+14155550170', inboxId: 'inbox_sales' } })).toMatchObject({ ok: false, code: 'not_found' });
    const before = await t.storage.transaction(async (tx) => await tx.head());
    expect(await t.apply('user_maya', move)).toEqual({ ok: true });

    expect(await t.get('channel', 'pn_sam')).toMatchObject({ inboxId: 'inbox_sales', name: 'Sam Rivera’s number' });
    const previous = await t.get('conversation', 'conv_pn_sam_1');
    expect(previous).toMatchObject({ inboxId: 'inbox_sales', previousOfChannelId: 'pn_sam', status: 'closed' });
    const entries = await t.storage.transaction(async (tx) => await tx.readChanges(before, [`inbox:${samInbox}`, 'inbox:inbox_sales'], 10_000));
    expect(entries.flatMap((e) => (e.scope === `inbox:${samInbox}` && e.op === 'delete' ? [e.id] : [])).sort()).toEqual(['conv_pn_sam_1', 'pn_sam']);
    expect(entries.flatMap((e) => (e.scope === 'inbox:inbox_sales' && e.op === 'put' && e.entity === 'message' ? [e.record.id] : [])).sort()).toEqual([
      'msg_pn_sam_1_1',
      'msg_pn_sam_1_2',
      'msg_pn_sam_1_3',
    ]);
    // Snapshots of Sales now carry them (the stored messages follow their conversation's inbox).
    const salesMessages = await t.storage.transaction(async (tx) => (await tx.list('message', { inboxId: 'inbox_sales' }, 'msg_pn', 10)).map((m) => m.id));
    expect(salesMessages).toContain('msg_pn_sam_1_1');

    // Read-only for everyone, whichever handler is asked; reading them is fine.
    for (const m of [
      { name: 'message.send', args: { conversationId: 'conv_pn_sam_1', messageId: 'late-1', body: 'hello?', attachments: [] } },
      { name: 'conversation.setStatus', args: { conversationId: 'conv_pn_sam_1', status: 'open' } },
      { name: 'conversation.assign', args: { conversationId: 'conv_pn_sam_1', assigneeId: 'user_maya' } },
      { name: 'conversation.addTag', args: { conversationId: 'conv_pn_sam_1', tag: 'vip' } },
    ] satisfies Mutation[]) {
      expect(await t.apply('user_maya', m)).toMatchObject({ ok: false, code: 'forbidden' });
    }
    expect(await t.apply('user_maya', { name: 'conversation.markRead', args: { conversationId: 'conv_pn_sam_1', readAt: 1 } })).toEqual({ ok: true });
    // A new text from the same person starts a new, writable conversation in Sales.
    const inbound = await t.domain.receiveInbound({ channelId: 'pn_sam', from: '+16285550190', body: 'Are you still at Northwind?', providerId: 'after-move-1' });
    expect(inbound.conversationId).not.toBe('conv_pn_sam_1');
    expect(await t.get('conversation', inbound.conversationId)).toMatchObject({ inboxId: 'inbox_sales', status: 'open' });
    expect((await t.get('conversation', inbound.conversationId))?.previousOfChannelId ?? null).toBeNull();
  });

  it('a number moved before moves renamed it loses "My number" at the next start; a private one keeps it', async () => {
    // As earlier versions left it: Sam's number in Sales, still called "My number".
    await t.storage.transaction(async (tx) => {
      const channel = await tx.get('channel', 'pn_sam');
      if (channel) await tx.put('channel', { ...channel, inboxId: 'inbox_sales', name: 'My number' });
    });
    const mayaOwn = await t.get('channel', 'pn_maya');
    const before = await t.storage.transaction(async (tx) => await tx.head());
    expect(await t.domain.write((tx) => renameLegacyMovedNumbers(tx))).toBe(1);
    expect(await t.get('channel', 'pn_sam')).toMatchObject({ inboxId: 'inbox_sales', name: MOVED_NUMBER_NAME });
    // Sales' members hear of it through the log; the owner's own private number is left alone.
    const entries = await t.storage.transaction(async (tx) => await tx.readChanges(before, ['inbox:inbox_sales'], 100));
    expect(entries.map((e) => (e.op === 'put' ? e.record.id : e.id))).toEqual(['pn_sam']);
    expect(await t.get('channel', 'pn_maya')).toEqual(mayaOwn);
    expect(await t.domain.write((tx) => renameLegacyMovedNumbers(tx))).toBe(0);
  });
});
