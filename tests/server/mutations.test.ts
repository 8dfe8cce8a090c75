import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { changeCount, openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(() => {
  t = openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const conversation = (id: string) => t.storage.transaction((tx) => tx.get('conversation', id));
const lastChange = () => t.storage.transaction((tx) => tx.readChanges(tx.head() - 1, ['inbox:inbox_sales', 'inbox:inbox_support', 'user:user_sam', 'user:user_maya', 'chat:chat_maya_sam'], 1)[0]);

const setStatus = (conversationId: string, status: 'open' | 'closed'): Mutation => ({ name: 'conversation.setStatus', args: { conversationId, status } });
const assign = (conversationId: string, assigneeId: string | null): Mutation => ({ name: 'conversation.assign', args: { conversationId, assigneeId } });
const send = (conversationId: string, messageId: string, body = 'Thanks for reaching out!'): Mutation => ({
  name: 'message.send',
  args: { conversationId, messageId, body, attachments: [] },
});

describe('exactly-once mutation application', () => {
  it('applies once and answers a replay with the stored result and no second effect', () => {
    const first = t.domain.applyMutation(t.user('user_sam'), 'laptop', 1, setStatus('conv_sales_0001', 'closed'));
    expect(first).toEqual({ result: { ok: true }, replayed: false });
    expect(conversation('conv_sales_0001')?.status).toBe('closed');
    t.domain.applyMutation(t.user('user_maya'), 'desk', 1, setStatus('conv_sales_0001', 'open'));
    const head = changeCount(t.storage);

    const replay = t.domain.applyMutation(t.user('user_sam'), 'laptop', 1, setStatus('conv_sales_0001', 'closed'));
    expect(replay).toEqual({ result: { ok: true }, replayed: true });
    expect(conversation('conv_sales_0001')?.status).toBe('open');
    expect(changeCount(t.storage)).toBe(head);
  });

  it('stores a rejection, advances past it, and answers its replay the same', () => {
    const rejected = t.domain.applyMutation(t.user('user_sam'), 'laptop', 1, assign('conv_sales_0001', 'user_maya'));
    expect(rejected.result).toMatchObject({ ok: false, code: 'forbidden' });
    expect(t.domain.applyMutation(t.user('user_sam'), 'laptop', 2, assign('conv_sales_0001', 'user_sam')).result).toEqual({ ok: true });
    expect(t.domain.applyMutation(t.user('user_sam'), 'laptop', 1, assign('conv_sales_0001', 'user_maya'))).toEqual({ result: rejected.result, replayed: true });
  });

  it('refuses an unseen id below the last applied one instead of applying it out of order', () => {
    t.domain.applyMutation(t.user('user_sam'), 'laptop', 10, setStatus('conv_sales_0001', 'closed'));
    const head = changeCount(t.storage);
    const late = t.domain.applyMutation(t.user('user_sam'), 'laptop', 5, setStatus('conv_sales_0001', 'open'));
    expect(late.result).toMatchObject({ ok: false, code: 'conflict' });
    expect(changeCount(t.storage)).toBe(head);
  });

  it('keeps ledgers per user and per client', () => {
    expect(t.domain.applyMutation(t.user('user_sam'), 'shared-id', 1, setStatus('conv_sales_0001', 'closed')).replayed).toBe(false);
    expect(t.domain.applyMutation(t.user('user_maya'), 'shared-id', 1, setStatus('conv_sales_0001', 'open')).replayed).toBe(false);
    expect(t.domain.applyMutation(t.user('user_sam'), 'other-device', 1, setStatus('conv_sales_0001', 'closed')).replayed).toBe(false);
    expect(conversation('conv_sales_0001')?.status).toBe('closed');
  });

  it('writes each change and its log entry in the same transaction, shaped as ChangeEntry', () => {
    t.apply('user_sam', setStatus('conv_sales_0001', 'closed'));
    const entry = lastChange();
    expect(entry).toMatchObject({ scope: 'inbox:inbox_sales', op: 'put', entity: 'conversation' });
    expect(entry?.op === 'put' && entry.record).toEqual(conversation('conv_sales_0001'));
  });
});

describe('authorization of conversation.assign (role x assignmentMode x membership)', () => {
  const roles: Role[] = ['member', 'agent', 'manager', 'supervisor', 'admin'];
  const setup = (role: Role, assignmentMode: boolean) =>
    t.storage.transaction((tx) => {
      const sam = tx.get('user', 'user_sam');
      const inbox = tx.get('inbox', 'inbox_sales');
      if (!sam || !inbox) throw new Error('demo data missing');
      tx.put('user', { ...sam, role });
      tx.put('inbox', { ...inbox, assignmentMode });
    });

  for (const role of roles) {
    const mayAssignOthers = ['manager', 'supervisor', 'admin'].includes(role);
    it(`${role}: in own inbox with assignment on`, () => {
      setup(role, true);
      expect(t.apply('user_sam', assign('conv_sales_0001', 'user_sam'))).toEqual({ ok: true });
      expect(conversation('conv_sales_0001')?.assigneeId).toBe('user_sam');
      const other = t.apply('user_sam', assign('conv_sales_0001', 'user_maya'));
      const nobody = t.apply('user_sam', assign('conv_sales_0001', null));
      if (mayAssignOthers) {
        expect([other, nobody]).toEqual([{ ok: true }, { ok: true }]);
        expect(conversation('conv_sales_0001')?.assigneeId).toBeNull();
        // Only inbox members can be assignees.
        expect(t.apply('user_sam', assign('conv_sales_0001', 'user_alex'))).toMatchObject({ ok: false, code: 'invalid' });
      } else {
        expect(other).toMatchObject({ ok: false, code: 'forbidden' });
        expect(nobody).toMatchObject({ ok: false, code: 'forbidden' });
        expect(conversation('conv_sales_0001')?.assigneeId).toBe('user_sam');
      }
    });
    it(`${role}: in own inbox with assignment off`, () => {
      setup(role, false);
      const before = conversation('conv_sales_0001')?.assigneeId;
      expect(t.apply('user_sam', assign('conv_sales_0001', 'user_sam'))).toMatchObject({ ok: false, code: 'invalid' });
      expect(conversation('conv_sales_0001')?.assigneeId).toBe(before);
    });
    it(`${role}: in an inbox they are not a member of`, () => {
      setup(role, true);
      const before = conversation('conv_support_0002')?.assigneeId;
      for (const target of ['user_sam', 'user_alex', null]) {
        expect(t.apply('user_sam', assign('conv_support_0002', target))).toMatchObject({ ok: false, code: 'not_found' });
      }
      expect(conversation('conv_support_0002')?.assigneeId).toBe(before);
    });
  }
});

describe('mutations', () => {
  it('message.send: creates a queued outbound message, adds the author, updates the preview, idempotent on messageId', () => {
    expect(t.apply('user_sam', send('conv_sales_0003', 'm-1', '  Your order shipped today.  '))).toEqual({ ok: true });
    const message = t.storage.transaction((tx) => tx.get('message', 'm-1'));
    expect(message).toMatchObject({ direction: 'out', authorType: 'user', authorId: 'user_sam', status: 'queued', body: 'Your order shipped today.' });
    const conv = conversation('conv_sales_0003');
    expect(conv?.participantIds).toContain('user_sam');
    expect(conv?.lastMessagePreview).toBe('Your order shipped today.');
    expect(conv?.lastMessageAt).toBe(message?.createdAt);
    const head = changeCount(t.storage);
    expect(t.apply('user_sam', send('conv_sales_0003', 'm-1'))).toEqual({ ok: true });
    expect(changeCount(t.storage)).toBe(head);
    expect(t.apply('user_maya', send('conv_sales_0003', 'm-1'))).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('message.send: refuses non-members, empty bodies, unregistered numbers, opted-out contacts and closed WhatsApp windows', () => {
    expect(t.apply('user_sam', send('conv_support_0002', 'm-2'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(t.apply('user_sam', send('conv_sales_0003', 'm-3', '   '))).toMatchObject({ ok: false, code: 'invalid' });
    t.storage.transaction((tx) => {
      const ch = tx.get('channel', 'ch_sales_sms');
      if (ch) tx.put('channel', { ...ch, registration: 'pending' });
    });
    const result = t.apply('user_sam', send('conv_sales_0001', 'm-4'));
    expect(result).toMatchObject({ ok: false, code: 'not_registered' });
    expect(result.ok === false && result.message).toMatch(/registration/);
    t.storage.transaction((tx) => {
      const ch = tx.get('channel', 'ch_sales_sms');
      if (ch) tx.put('channel', { ...ch, registration: 'approved' });
      const conv = tx.get('conversation', 'conv_sales_0001');
      const contact = tx.get('contact', 'contact_001');
      if (conv && contact) {
        tx.put('contact', { ...contact, smsOptOut: true });
        tx.put('conversation', { ...conv, contactId: 'contact_001' });
      }
    });
    expect(t.apply('user_sam', send('conv_sales_0001', 'm-5'))).toMatchObject({ ok: false, code: 'opted_out' });
    const wa = t.storage.transaction((tx) => tx.list('conversation', { inboxId: 'inbox_sales' }, '', 200).find((c) => c.channelId === 'ch_sales_wa'));
    t.storage.transaction((tx) => {
      for (const m of tx.list('message', { inboxId: 'inbox_sales' }, '', 5000)) {
        if (m.conversationId === wa?.id) tx.put('message', { ...m, createdAt: 1000 });
      }
    });
    expect(t.apply('user_sam', send(wa?.id ?? '', 'm-6'))).toMatchObject({ ok: false, code: 'window_closed' });
    expect(t.storage.transaction((tx) => ['m-2', 'm-3', 'm-4', 'm-5', 'm-6'].map((id) => tx.get('message', id)))).toEqual([null, null, null, null, null]);
  });

  it('message times strictly increase in the order replies are applied, and marking read covers them', () => {
    const ids = ['o-1', 'o-2', 'o-3', 'o-4'];
    for (const id of ids) t.apply('user_sam', send('conv_sales_0003', id, id));
    const times = t.storage.transaction((tx) => ids.map((id) => tx.get('message', id)?.createdAt ?? 0));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(ids.length);
    t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0003', readAt: times[3] ?? 0 } });
    expect(t.storage.transaction((tx) => tx.get('conversationUserState', 'conv_sales_0003:user_sam'))?.readAt).toBe(times[3]);
  });

  it('conversation.setStatus sets and clears closedAt', () => {
    t.apply('user_sam', setStatus('conv_sales_0001', 'closed'));
    expect(conversation('conv_sales_0001')?.closedAt).toEqual(expect.any(Number));
    t.apply('user_sam', setStatus('conv_sales_0001', 'open'));
    expect(conversation('conv_sales_0001')).toMatchObject({ status: 'open', closedAt: null });
  });

  it('conversation.markRead writes per-user state in the user scope, only forward', () => {
    t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0001', readAt: 5000 } });
    const entry = lastChange();
    expect(entry).toMatchObject({ scope: 'user:user_sam', entity: 'conversationUserState' });
    t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0001', readAt: 10 } });
    expect(t.storage.transaction((tx) => tx.get('conversationUserState', 'conv_sales_0001:user_sam'))?.readAt).toBe(5000);
  });

  it('inbox.setMember: only managers change membership, and scopes follow', () => {
    const add: Mutation = { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_alex', member: true } };
    expect(t.apply('user_sam', add)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(t.apply('user_alex', add)).toMatchObject({ ok: false, code: 'not_found' });
    expect(t.apply('user_maya', add)).toEqual({ ok: true });
    expect(t.domain.scopesOf('user_alex')).toContain('inbox:inbox_sales');
    expect(t.apply('user_maya', { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_alex', member: false } })).toEqual({ ok: true });
    expect(lastChange()).toMatchObject({ scope: 'inbox:inbox_sales', op: 'delete', entity: 'inboxMember', id: 'inbox_sales:user_alex' });
    expect(t.domain.scopesOf('user_alex')).not.toContain('inbox:inbox_sales');
  });

  it('chat.send: members only; updates lastMessageAt', () => {
    const msg = (chatId: string, messageId: string): Mutation => ({ name: 'chat.send', args: { chatId, messageId, body: 'Lunch?' } });
    expect(t.apply('user_alex', msg('chat_maya_sam', 'c-1'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(t.apply('user_sam', msg('chat_maya_sam', 'c-2'))).toEqual({ ok: true });
    const chat = t.storage.transaction((tx) => tx.get('chat', 'chat_maya_sam'));
    expect(chat?.lastMessageAt).toBe(t.storage.transaction((tx) => tx.get('chatMessage', 'c-2'))?.createdAt);
  });
});
