import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { changeCount, openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const conversation = async (id: string) => await t.storage.transaction(async (tx) => await tx.get('conversation', id));
const lastChange = async () => await t.storage.transaction(async (tx) => (await tx.readChanges(await tx.head() - 1, ['inbox:inbox_sales', 'inbox:inbox_support', 'user:user_sam', 'user:user_maya', 'chat:chat_maya_sam'], 1))[0]);

const setStatus = (conversationId: string, status: 'open' | 'closed'): Mutation => ({ name: 'conversation.setStatus', args: { conversationId, status } });
const assign = (conversationId: string, assigneeId: string | null): Mutation => ({ name: 'conversation.assign', args: { conversationId, assigneeId } });
const send = (conversationId: string, messageId: string, body = 'Thanks for reaching out!'): Mutation => ({
  name: 'message.send',
  args: { conversationId, messageId, body, attachments: [] },
});

describe('exactly-once mutation application', () => {
  it('applies once and answers a replay with the stored result and no second effect', async () => {
    const first = await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 1, setStatus('conv_sales_0001', 'closed'));
    expect(first).toEqual({ result: { ok: true }, replayed: false });
    expect((await conversation('conv_sales_0001'))?.status).toBe('closed');
    await t.domain.applyMutation(await t.user('user_maya'), 'desk', 1, setStatus('conv_sales_0001', 'open'));
    const head = await changeCount(t.storage);

    const replay = await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 1, setStatus('conv_sales_0001', 'closed'));
    expect(replay).toEqual({ result: { ok: true }, replayed: true });
    expect((await conversation('conv_sales_0001'))?.status).toBe('open');
    expect(await changeCount(t.storage)).toBe(head);
  });

  it('stores a rejection, advances past it, and answers its replay the same', async () => {
    const rejected = await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 1, assign('conv_sales_0001', 'user_maya'));
    expect(rejected.result).toMatchObject({ ok: false, code: 'forbidden' });
    expect((await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 2, assign('conv_sales_0001', 'user_sam'))).result).toEqual({ ok: true });
    expect(await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 1, assign('conv_sales_0001', 'user_maya'))).toEqual({ result: rejected.result, replayed: true });
  });

  it('refuses an unseen id below the last applied one instead of applying it out of order', async () => {
    await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 10, setStatus('conv_sales_0001', 'closed'));
    const head = await changeCount(t.storage);
    const late = await t.domain.applyMutation(await t.user('user_sam'), 'laptop', 5, setStatus('conv_sales_0001', 'open'));
    expect(late.result).toMatchObject({ ok: false, code: 'conflict' });
    expect(await changeCount(t.storage)).toBe(head);
  });

  it('keeps ledgers per user and per client', async () => {
    expect((await t.domain.applyMutation(await t.user('user_sam'), 'shared-id', 1, setStatus('conv_sales_0001', 'closed'))).replayed).toBe(false);
    expect((await t.domain.applyMutation(await t.user('user_maya'), 'shared-id', 1, setStatus('conv_sales_0001', 'open'))).replayed).toBe(false);
    expect((await t.domain.applyMutation(await t.user('user_sam'), 'other-device', 1, setStatus('conv_sales_0001', 'closed'))).replayed).toBe(false);
    expect((await conversation('conv_sales_0001'))?.status).toBe('closed');
  });

  it('writes each change and its log entry in the same transaction, shaped as ChangeEntry', async () => {
    await t.apply('user_sam', setStatus('conv_sales_0001', 'closed'));
    const entry = await lastChange();
    expect(entry).toMatchObject({ scope: 'inbox:inbox_sales', op: 'put', entity: 'conversation' });
    expect(entry?.op === 'put' && entry.record).toEqual(await conversation('conv_sales_0001'));
  });
});

describe('authorization of conversation.assign (role x assignmentMode x membership)', () => {
  const roles: Role[] = ['member', 'agent', 'manager', 'supervisor', 'admin'];
  const setup = async (role: Role, assignmentMode: boolean) =>
    await t.storage.transaction(async (tx) => {
      const sam = await tx.get('user', 'user_sam');
      const inbox = await tx.get('inbox', 'inbox_sales');
      if (!sam || !inbox) throw new Error('demo data missing');
      await tx.put('user', { ...sam, role });
      await tx.put('inbox', { ...inbox, assignmentMode });
    });

  for (const role of roles) {
    const mayAssignOthers = ['manager', 'supervisor', 'admin'].includes(role);
    it(`${role}: in own inbox with assignment on`, async () => {
      await setup(role, true);
      expect(await t.apply('user_sam', assign('conv_sales_0001', 'user_sam'))).toEqual({ ok: true });
      expect((await conversation('conv_sales_0001'))?.assigneeId).toBe('user_sam');
      const other = await t.apply('user_sam', assign('conv_sales_0001', 'user_maya'));
      const nobody = await t.apply('user_sam', assign('conv_sales_0001', null));
      if (mayAssignOthers) {
        expect([other, nobody]).toEqual([{ ok: true }, { ok: true }]);
        expect((await conversation('conv_sales_0001'))?.assigneeId).toBeNull();
        // Only inbox members can be assignees.
        expect(await t.apply('user_sam', assign('conv_sales_0001', 'user_alex'))).toMatchObject({ ok: false, code: 'invalid' });
      } else {
        expect(other).toMatchObject({ ok: false, code: 'forbidden' });
        expect(nobody).toMatchObject({ ok: false, code: 'forbidden' });
        expect((await conversation('conv_sales_0001'))?.assigneeId).toBe('user_sam');
      }
    });
    it(`${role}: in own inbox with assignment off`, async () => {
      await setup(role, false);
      const before = (await conversation('conv_sales_0001'))?.assigneeId;
      expect(await t.apply('user_sam', assign('conv_sales_0001', 'user_sam'))).toMatchObject({ ok: false, code: 'invalid' });
      expect((await conversation('conv_sales_0001'))?.assigneeId).toBe(before);
    });
    it(`${role}: in an inbox they are not a member of`, async () => {
      await setup(role, true);
      const before = (await conversation('conv_support_0002'))?.assigneeId;
      for (const target of ['user_sam', 'user_alex', null]) {
        expect(await t.apply('user_sam', assign('conv_support_0002', target))).toMatchObject({ ok: false, code: 'not_found' });
      }
      expect((await conversation('conv_support_0002'))?.assigneeId).toBe(before);
    });
  }
});

describe('mutations', () => {
  it('message.send: creates a queued outbound message, adds the author, updates the preview, idempotent on messageId', async () => {
    expect(await t.apply('user_sam', send('conv_sales_0003', 'm-1', '  Your order shipped today.  '))).toEqual({ ok: true });
    const message = await t.storage.transaction(async (tx) => await tx.get('message', 'm-1'));
    expect(message).toMatchObject({ direction: 'out', authorType: 'user', authorId: 'user_sam', status: 'queued', body: 'Your order shipped today.' });
    const conv = await conversation('conv_sales_0003');
    expect(conv?.participantIds).toContain('user_sam');
    expect(conv?.lastMessagePreview).toBe('Your order shipped today.');
    expect(conv?.lastMessageAt).toBe(message?.createdAt);
    const head = await changeCount(t.storage);
    expect(await t.apply('user_sam', send('conv_sales_0003', 'm-1'))).toEqual({ ok: true });
    expect(await changeCount(t.storage)).toBe(head);
    expect(await t.apply('user_maya', send('conv_sales_0003', 'm-1'))).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('message.send: refuses non-members, empty bodies, unregistered numbers, opted-out contacts and closed WhatsApp windows', async () => {
    expect(await t.apply('user_sam', send('conv_support_0002', 'm-2'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_sam', send('conv_sales_0003', 'm-3', '   '))).toMatchObject({ ok: false, code: 'invalid' });
    await t.storage.transaction(async (tx) => {
      const ch = await tx.get('channel', 'ch_sales_sms');
      if (ch) await tx.put('channel', { ...ch, registration: 'pending' });
    });
    const result = await t.apply('user_sam', send('conv_sales_0001', 'm-4'));
    expect(result).toMatchObject({ ok: false, code: 'not_registered' });
    expect(result.ok === false && result.message).toMatch(/registration/);
    await t.storage.transaction(async (tx) => {
      const ch = await tx.get('channel', 'ch_sales_sms');
      if (ch) await tx.put('channel', { ...ch, registration: 'approved' });
      const conv = await tx.get('conversation', 'conv_sales_0001');
      const contact = await tx.get('contact', 'contact_001');
      if (conv && contact) {
        await tx.put('contact', { ...contact, smsOptOut: true });
        await tx.put('conversation', { ...conv, contactId: 'contact_001' });
      }
    });
    expect(await t.apply('user_sam', send('conv_sales_0001', 'm-5'))).toMatchObject({ ok: false, code: 'opted_out' });
    const wa = await t.storage.transaction(async (tx) => (await tx.list('conversation', { inboxId: 'inbox_sales' }, '', 200)).find((c) => c.channelId === 'ch_sales_wa'));
    await t.storage.transaction(async (tx) => {
      for (const m of await tx.list('message', { inboxId: 'inbox_sales' }, '', 5000)) {
        if (m.conversationId === wa?.id) await tx.put('message', { ...m, createdAt: 1000 });
      }
    });
    expect(await t.apply('user_sam', send(wa?.id ?? '', 'm-6'))).toMatchObject({ ok: false, code: 'window_closed' });
    expect(await t.storage.transaction(async (tx) => Promise.all(['m-2', 'm-3', 'm-4', 'm-5', 'm-6'].map(async (id) => await tx.get('message', id))))).toEqual([null, null, null, null, null]);
  });

  it('message times strictly increase in the order replies are applied, and marking read covers them', async () => {
    const ids = ['o-1', 'o-2', 'o-3', 'o-4'];
    for (const id of ids) await t.apply('user_sam', send('conv_sales_0003', id, id));
    const times = await t.storage.transaction(async (tx) => Promise.all(ids.map(async (id) => (await tx.get('message', id))?.createdAt ?? 0)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(ids.length);
    await t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0003', readAt: times[3] ?? 0 } });
    expect((await t.storage.transaction(async (tx) => await tx.get('conversationUserState', 'conv_sales_0003:user_sam')))?.readAt).toBe(times[3]);
  });

  it('conversation.setStatus sets and clears closedAt', async () => {
    await t.apply('user_sam', setStatus('conv_sales_0001', 'closed'));
    expect((await conversation('conv_sales_0001'))?.closedAt).toEqual(expect.any(Number));
    await t.apply('user_sam', setStatus('conv_sales_0001', 'open'));
    expect(await conversation('conv_sales_0001')).toMatchObject({ status: 'open', closedAt: null });
  });

  it('conversation.markRead writes per-user state in the user scope, only forward', async () => {
    await t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0001', readAt: 5000 } });
    const entry = await lastChange();
    expect(entry).toMatchObject({ scope: 'user:user_sam', entity: 'conversationUserState' });
    await t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0001', readAt: 10 } });
    expect((await t.storage.transaction(async (tx) => await tx.get('conversationUserState', 'conv_sales_0001:user_sam')))?.readAt).toBe(5000);
  });

  it('inbox.setMember: only managers change membership, and scopes follow', async () => {
    const add: Mutation = { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_alex', member: true } };
    expect(await t.apply('user_sam', add)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await t.apply('user_alex', add)).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_maya', add)).toEqual({ ok: true });
    expect(await t.domain.scopesOf('user_alex')).toContain('inbox:inbox_sales');
    expect(await t.apply('user_maya', { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_alex', member: false } })).toEqual({ ok: true });
    expect(await lastChange()).toMatchObject({ scope: 'inbox:inbox_sales', op: 'delete', entity: 'inboxMember', id: 'inbox_sales:user_alex' });
    expect(await t.domain.scopesOf('user_alex')).not.toContain('inbox:inbox_sales');
  });

  it('chat.send: members only; updates lastMessageAt', async () => {
    const msg = (chatId: string, messageId: string): Mutation => ({ name: 'chat.send', args: { chatId, messageId, body: 'Lunch?' } });
    expect(await t.apply('user_alex', msg('chat_maya_sam', 'c-1'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_sam', msg('chat_maya_sam', 'c-2'))).toEqual({ ok: true });
    const chat = await t.storage.transaction(async (tx) => await tx.get('chat', 'chat_maya_sam'));
    expect(chat?.lastMessageAt).toBe((await t.storage.transaction(async (tx) => await tx.get('chatMessage', 'c-2')))?.createdAt);
  });
});
