import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntityOf, Role } from '../../protocol/domain.ts';
import { Mutation as MutationSchema, type Mutation } from '../../protocol/mutations.ts';
import { changeCount, openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const notices = async (userId: string): Promise<EntityOf<'notice'>[]> => await t.storage.transaction(async (tx) => await tx.list('notice', { userId }, '', 100));

const ROLES: Role[] = ['member', 'agent', 'manager', 'supervisor', 'admin'];
const MANAGERS = new Set<Role>(['manager', 'supervisor', 'admin']);
/** Sam is a member of Sales only; Support is the inbox he is not in. */
const setup = async (role: Role, assignmentMode: boolean): Promise<void> =>
  await t.storage.transaction(async (tx) => {
    const sam = await tx.get('user', 'user_sam');
    if (!sam) throw new Error('demo data missing');
    await tx.put('user', { ...sam, role });
    for (const id of ['inbox_sales', 'inbox_support']) {
      const inbox = await tx.get('inbox', id);
      if (inbox) await tx.put('inbox', { ...inbox, assignmentMode });
    }
  });

const create = (conversationId: string, channelId: string, customerAddress: string, contactId: string | null = null): Mutation => ({
  name: 'conversation.create',
  args: { conversationId, messageId: `${conversationId}-m1`, channelId, contactId, customerAddress, body: 'Hello from Northwind!' },
});
const canned = (id: string, inboxId: string, keyPhrase = 'hours'): Mutation => ({
  name: 'cannedResponse.save',
  args: { cannedResponse: { id, inboxId, title: 'Hours', keyPhrase, body: 'We open at 9.' } },
});

describe('authorization matrix (role x assignment mode x membership)', () => {
  for (const role of ROLES) {
    for (const mode of [true, false]) {
      const manager = MANAGERS.has(role);
      it(`${role}, assignment ${mode ? 'on' : 'off'}: conversation actions need membership only`, async () => {
        await setup(role, mode);
        expect(await t.apply('user_sam', create('new-1', 'ch_sales_sms', '+14155559001'))).toEqual({ ok: true });
        expect(await t.apply('user_sam', create('new-2', 'ch_support_sms', '+14155559002'))).toMatchObject({ ok: false, code: 'not_found' });
        expect(await t.get('conversation', 'new-2')).toBeNull();
        for (const [conv, ok] of [['conv_sales_0001', true], ['conv_support_0002', false]] as const) {
          const results = [
            await t.apply('user_sam', { name: 'conversation.setArchived', args: { conversationId: conv, archived: true } }),
            await t.apply('user_sam', { name: 'conversation.markUnread', args: { conversationId: conv } }),
            await t.apply('user_sam', { name: 'conversation.addTag', args: { conversationId: conv, tag: 'vip' } }),
            await t.apply('user_sam', { name: 'conversation.removeTag', args: { conversationId: conv, tag: 'vip' } }),
          ];
          for (const r of results) expect(r).toEqual(ok ? { ok: true } : expect.objectContaining({ ok: false, code: 'not_found' }));
        }
      });

      it(`${role}, assignment ${mode ? 'on' : 'off'}: pre-written messages and inboxes need a manager role`, async () => {
        await setup(role, mode);
        const own = await t.apply('user_sam', canned('c-own', 'inbox_sales', 'own'));
        const other = await t.apply('user_sam', canned('c-other', 'inbox_support', 'other'));
        expect(other).toMatchObject({ ok: false, code: 'not_found' });
        expect(await t.get('cannedResponse', 'c-other')).toBeNull();
        const update = await t.apply('user_sam', { name: 'inbox.update', args: { inboxId: 'inbox_sales', name: 'Sales West', assignmentMode: !mode } });
        const updateOther = await t.apply('user_sam', { name: 'inbox.update', args: { inboxId: 'inbox_support', name: 'X', assignmentMode: mode } });
        expect(updateOther).toMatchObject({ ok: false, code: 'not_found' });
        const created = await t.apply('user_sam', { name: 'inbox.create', args: { inboxId: `inbox_new_${role}`, name: 'Returns', assignmentMode: true } });
        const deleteSeeded = await t.apply('user_sam', { name: 'cannedResponse.delete', args: { cannedResponseId: 'canned_sales_hours' } });
        const deleteOther = await t.apply('user_sam', { name: 'cannedResponse.delete', args: { cannedResponseId: 'canned_support_hours' } });
        expect(deleteOther).toMatchObject({ ok: false, code: 'not_found' });
        expect(await t.get('cannedResponse', 'canned_support_hours')).not.toBeNull();
        if (manager) {
          expect([own, update, created, deleteSeeded]).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
          expect(await t.get('inbox', 'inbox_sales')).toMatchObject({ name: 'Sales West', assignmentMode: !mode });
          expect(await t.get('inboxMember', `inbox_new_${role}:user_sam`)).not.toBeNull();
          expect(await t.get('cannedResponse', 'canned_sales_hours')).toBeNull();
        } else {
          for (const r of [own, update, created, deleteSeeded]) expect(r).toMatchObject({ ok: false, code: 'forbidden' });
          expect(await t.get('cannedResponse', 'c-own')).toBeNull();
          expect(await t.get('inbox', 'inbox_sales')).toMatchObject({ name: 'Sales', assignmentMode: mode });
          expect(await t.get('inbox', `inbox_new_${role}`)).toBeNull();
          expect(await t.get('cannedResponse', 'canned_sales_hours')).not.toBeNull();
        }
      });

      it(`${role}, assignment ${mode ? 'on' : 'off'}: assignment and the reassignment notice`, async () => {
        await setup(role, mode);
        await t.storage.transaction(async (tx) => {
          const conv = await tx.get('conversation', 'conv_sales_0001');
          if (conv) await tx.put('conversation', { ...conv, assigneeId: 'user_maya' });
        });
        const toMe = await t.apply('user_sam', { name: 'conversation.assign', args: { conversationId: 'conv_sales_0001', assigneeId: 'user_sam' } });
        if (!mode) {
          expect(toMe).toMatchObject({ ok: false, code: 'invalid' });
          expect(await notices('user_maya')).toEqual([]);
          return;
        }
        expect(toMe).toEqual({ ok: true });
        expect(await notices('user_maya')).toEqual([
          expect.objectContaining({ userId: 'user_maya', kind: 'reassigned', conversationId: 'conv_sales_0001', actorId: 'user_sam' }),
        ]);
        // Nobody is told about their own action.
        expect(await notices('user_sam')).toEqual([]);
        const unassign = await t.apply('user_sam', { name: 'conversation.assign', args: { conversationId: 'conv_sales_0001', assigneeId: null } });
        expect(unassign).toEqual(manager ? { ok: true } : expect.objectContaining({ ok: false, code: 'forbidden' }));
      });
    }
  }

  it('a manager assigning to someone else tells both the previous and the new assignee', async () => {
    await t.storage.transaction(async (tx) => {
      const conv = await tx.get('conversation', 'conv_sales_0001');
      if (conv) await tx.put('conversation', { ...conv, assigneeId: 'user_sam' });
      await tx.put('inboxMember', { id: 'inbox_sales:user_alex', inboxId: 'inbox_sales', userId: 'user_alex' });
    });
    expect(await t.apply('user_maya', { name: 'conversation.assign', args: { conversationId: 'conv_sales_0001', assigneeId: 'user_alex' } })).toEqual({ ok: true });
    expect(await notices('user_sam')).toEqual([expect.objectContaining({ kind: 'reassigned', actorId: 'user_maya' })]);
    expect(await notices('user_alex')).toEqual([expect.objectContaining({ kind: 'assigned', actorId: 'user_maya' })]);
    // The notice travels only in its person's scope.
    const entries = (await t.storage.transaction(async (tx) => await tx.readChanges(0, ['user:user_sam'], 100_000))).filter((e) => e.entity === 'notice');
    expect(entries).toHaveLength(1);
  });
});

describe('conversation.assign with the assignee the person saw', () => {
  it('two people taking one unassigned conversation: the first gets it, the second is told who did; without it the last wins', async () => {
    await t.storage.transaction(async (tx) => {
      const conv = await tx.get('conversation', 'conv_sales_0001');
      if (conv) await tx.put('conversation', { ...conv, assigneeId: null });
    });
    const take = (userId: string, expectedAssigneeId: string | null) =>
      t.apply(userId, { name: 'conversation.assign', args: { conversationId: 'conv_sales_0001', assigneeId: userId, expectedAssigneeId } });
    expect(await take('user_sam', null)).toEqual({ ok: true });
    const before = await changeCount(t.storage);
    expect(await take('user_maya', null)).toEqual({ ok: false, code: 'conflict', message: 'Sam Rivera was assigned this conversation a moment ago.' });
    expect(await changeCount(t.storage)).toBe(before);
    expect((await t.get('conversation', 'conv_sales_0001'))?.assigneeId).toBe('user_sam');
    // Seeing the current assignee, or not saying, reassigns as before.
    expect(await take('user_maya', 'user_sam')).toEqual({ ok: true });
    expect(await take('user_sam', 'user_sam')).toMatchObject({ ok: false, message: 'Maya Patel was assigned this conversation a moment ago.' });
    expect(await t.apply('user_maya', { name: 'conversation.assign', args: { conversationId: 'conv_sales_0001', assigneeId: null } })).toEqual({ ok: true });
    expect(await take('user_sam', 'user_maya')).toEqual({ ok: false, code: 'conflict', message: 'This conversation was unassigned a moment ago.' });
  });
});

describe('conversation.create', () => {
  it('creates a conversation with its first message, assigned to its creator, linked to the contact with that number', async () => {
    expect(await t.apply('user_sam', create('new-1', 'ch_sales_sms', '+12065550100'))).toEqual({ ok: true });
    expect(await t.get('conversation', 'new-1')).toMatchObject({
      inboxId: 'inbox_sales',
      channelId: 'ch_sales_sms',
      contactId: 'contact_001',
      status: 'open',
      assigneeId: 'user_sam',
      participantIds: ['user_sam'],
      lastMessagePreview: 'Hello from Northwind!',
    });
    expect(await t.get('message', 'new-1-m1')).toMatchObject({ conversationId: 'new-1', direction: 'out', status: 'queued' });
  });

  it('reuses the open conversation with the same number on the same channel, and is idempotent', async () => {
    expect(await t.apply('user_sam', create('new-1', 'ch_sales_sms', '+14155559001'))).toEqual({ ok: true });
    expect(await t.apply('user_maya', create('new-2', 'ch_sales_sms', '+14155559001'))).toEqual({ ok: true });
    expect(await t.get('conversation', 'new-2')).toBeNull();
    expect(await t.get('message', 'new-2-m1')).toMatchObject({ conversationId: 'new-1' });
    const head = await changeCount(t.storage);
    expect(await t.apply('user_sam', create('new-1', 'ch_sales_sms', '+14155559001'))).toEqual({ ok: true });
    expect(await changeCount(t.storage)).toBe(head);
    // Once it is closed, a new one starts.
    await t.apply('user_sam', { name: 'conversation.setStatus', args: { conversationId: 'new-1', status: 'closed' } });
    expect(await t.apply('user_sam', create('new-3', 'ch_sales_sms', '+14155559001'))).toEqual({ ok: true });
    expect(await t.get('conversation', 'new-3')).toMatchObject({ status: 'open' });
  });

  it('refuses WhatsApp (saying why and what to do), web chat, opted-out contacts and unregistered numbers, leaving nothing behind', async () => {
    const whatsapp = await t.apply('user_sam', create('new-1', 'ch_sales_wa', '+14155559001'));
    expect(whatsapp).toMatchObject({ ok: false, code: 'invalid' });
    expect(whatsapp.ok === false && whatsapp.message).toMatch(/WhatsApp.*customer has to write first.*SMS/);
    expect(await t.apply('user_sam', create('new-2', 'ch_sales_web', '+14155559001'))).toMatchObject({ ok: false, code: 'invalid' });
    // contact_014 has opted out of SMS.
    expect(await t.apply('user_sam', create('new-3', 'ch_sales_sms', '+12065550113'))).toMatchObject({ ok: false, code: 'opted_out' });
    await t.storage.transaction(async (tx) => {
      const ch = await tx.get('channel', 'ch_sales_sms');
      if (ch) await tx.put('channel', { ...ch, registration: 'pending' });
    });
    expect(await t.apply('user_sam', create('new-4', 'ch_sales_sms', '+14155559004'))).toMatchObject({ ok: false, code: 'not_registered' });
    for (const id of ['new-1', 'new-2', 'new-3', 'new-4']) expect(await t.get('conversation', id)).toBeNull();
  });

  it('refuses a private contact and an unknown channel', async () => {
    await t.storage.transaction(async (tx) => {
      await tx.put('contact', { id: 'private-1', orgId: 'org_demo', ownerId: 'user_sam', name: 'P', phones: ['+14155559009'], email: null, company: null, notes: null, smsOptOut: false });
    });
    expect(await t.apply('user_sam', create('new-1', 'ch_sales_sms', '+14155559009', 'private-1'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_sam', create('new-2', 'ch_nope', '+14155559009'))).toMatchObject({ ok: false, code: 'not_found' });
  });
});

describe('per-person state, tags and pre-written messages', () => {
  it('archive and mark unread change only the actor’s state', async () => {
    await t.apply('user_sam', { name: 'conversation.markRead', args: { conversationId: 'conv_sales_0001', readAt: Date.now() } });
    await t.apply('user_sam', { name: 'conversation.setArchived', args: { conversationId: 'conv_sales_0001', archived: true } });
    expect(await t.get('conversationUserState', 'conv_sales_0001:user_sam')).toMatchObject({ archived: true });
    expect((await t.get('conversationUserState', 'conv_sales_0001:user_maya'))?.archived ?? false).toBe(false);
    await t.apply('user_sam', { name: 'conversation.markUnread', args: { conversationId: 'conv_sales_0001' } });
    expect(await t.get('conversationUserState', 'conv_sales_0001:user_sam')).toMatchObject({ archived: true, readAt: null });
  });

  it('tags are lowercased, unique, removable, and validated', async () => {
    await t.apply('user_sam', { name: 'conversation.addTag', args: { conversationId: 'conv_sales_0001', tag: 'VIP' } });
    await t.apply('user_sam', { name: 'conversation.addTag', args: { conversationId: 'conv_sales_0001', tag: 'vip' } });
    await t.apply('user_sam', { name: 'conversation.addTag', args: { conversationId: 'conv_sales_0001', tag: 'follow up' } });
    expect((await t.get('conversation', 'conv_sales_0001'))?.tags).toEqual(expect.arrayContaining(['vip', 'follow up']));
    expect((await t.get('conversation', 'conv_sales_0001'))?.tags.filter((x) => x === 'vip')).toHaveLength(1);
    await t.apply('user_sam', { name: 'conversation.removeTag', args: { conversationId: 'conv_sales_0001', tag: 'vip' } });
    expect((await t.get('conversation', 'conv_sales_0001'))?.tags).not.toContain('vip');
    for (const tag of ['<b>', '', ' ', 'x'.repeat(33)]) {
      expect(MutationSchema.safeParse({ name: 'conversation.addTag', args: { conversationId: 'conv_sales_0001', tag } }).success).toBe(false);
    }
  });

  it('key phrases are unique per inbox, and a pre-written message cannot move between inboxes', async () => {
    expect(await t.apply('user_maya', canned('c-1', 'inbox_sales', 'hours'))).toMatchObject({ ok: false, code: 'invalid' });
    expect(await t.apply('user_maya', canned('c-1', 'inbox_sales', 'hours2'))).toEqual({ ok: true });
    expect(await t.apply('user_maya', canned('c-1', 'inbox_support', 'hours2'))).toMatchObject({ ok: false, code: 'invalid' });
    expect(await t.apply('user_maya', canned('canned_sales_hours', 'inbox_sales', 'hours'))).toEqual({ ok: true });
  });

  it('an inbound message on a closed conversation reopens it', async () => {
    await t.apply('user_sam', create('new-1', 'ch_sales_sms', '+14155559001'));
    await t.apply('user_sam', { name: 'conversation.setStatus', args: { conversationId: 'new-1', status: 'closed' } });
    expect((await t.get('conversation', 'new-1'))?.status).toBe('closed');
    const result = await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+14155559001', body: 'One more question' });
    expect(result.conversationId).toBe('new-1');
    expect(await t.get('conversation', 'new-1')).toMatchObject({ status: 'open', closedAt: null });
  });
});
