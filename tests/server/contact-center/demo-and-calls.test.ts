import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import { putRecord, scopeOf } from '../../../server/domain/change-log.ts';
import { DEMO_CC_ACCOUNTS, seedDemoContactCenter } from '../../../server/domain/demo-contact-center.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

/** The demo Contact Center organisation and the call mutations, on a real SQLite domain (the CE demo seeded too). */
let t: TestDomain;
const ADMIN: EntityOf<'user'> = { id: 'user_cc_admin', orgId: 'org_cc', name: 'Casey Admin', email: 'casey@cc.test', role: 'admin', status: 'active', avatarColor: '#333333' };

beforeAll(async () => {
  t = await openTestDomain({ startDelivery: false });
  await t.storage.transaction(async (tx) => {
    await seedDemoContactCenter(tx, Date.now());
    await putRecord(tx, scopeOf.user(ADMIN), 'user', ADMIN);
  });
});
afterAll(() => t.close());

describe('the demo Contact Center organisation', () => {
  it('has the agreed org, people, queues (one per routing mode), channels and members', async () => {
    const data = await t.storage.transaction(
      async (tx) => ({
        org: await tx.get('org', 'org_cc'),
        users: await tx.list('user', { orgId: 'org_cc' }, '', 100),
        billing: await tx.get('inbox', 'queue_billing'),
        tech: await tx.get('inbox', 'queue_tech'),
        channels: [...(await tx.list('channel', { inboxId: 'queue_billing' }, '', 10)), ...(await tx.list('channel', { inboxId: 'queue_tech' }, '', 10))],
        history: await tx.list('conversation', { inboxId: 'queue_tech' }, '', 1000),
      }),
      { kind: 'read' },
    );
    expect(data.org).toEqual({ id: 'org_cc', name: 'Northwind Contact Center', edition: 'contact_center', softphoneUrlTemplate: null });
    expect(data.users.map((u) => [u.email, u.role])).toEqual(expect.arrayContaining(DEMO_CC_ACCOUNTS.map((a) => [a.email, a.role])));
    expect([data.billing?.kind, data.billing?.name, data.billing?.queue?.mode]).toEqual(['queue', 'Billing', 'assign']);
    expect([data.tech?.kind, data.tech?.name, data.tech?.queue?.mode]).toEqual(['queue', 'Technical support', 'offer']);
    expect(data.channels.map((c) => c.id).sort()).toEqual(['ch_billing_sms', 'ch_billing_web', 'ch_tech_sms', 'ch_tech_web']);
    for (const userId of ['user_sofia', 'user_jordan', 'user_priya', 'user_tom']) {
      expect(await t.domain.scopesOf(userId)).toEqual(expect.arrayContaining(['org:org_cc', 'inbox:queue_billing', 'inbox:queue_tech']));
    }
    // History: closed, routed conversations, first answered after they queued, some of them today.
    expect(data.history.length).toBeGreaterThan(0);
    for (const c of data.history) {
      expect(c.status).toBe('closed');
      expect(c.routing?.firstResponseAt).toBeGreaterThan(c.routing?.firstQueuedAt ?? Infinity);
      expect(c.routing?.handledBy).toEqual([c.assigneeId]);
    }
    expect(data.history.some((c) => Date.now() - c.createdAt < 24 * 3600 * 1000)).toBe(true);
    // Nobody of the Customer Engagement demo sees any of it.
    expect(await t.domain.scopesOf('user_maya')).not.toContain('org:org_cc');
  });
});

describe('conversation.noteCall', () => {
  it('notes "Call started by <name>" as an outbound system line that is never sent, once per message id', async () => {
    const before = await t.get('conversation', 'conv_billing_0001');
    const args = { conversationId: 'conv_billing_0001', messageId: 'call-note-1' };
    expect(await t.apply('user_jordan', { name: 'conversation.noteCall', args })).toEqual({ ok: true });
    expect(await t.apply('user_jordan', { name: 'conversation.noteCall', args })).toEqual({ ok: true });
    const note = await t.get('message', 'call-note-1');
    expect(note).toMatchObject({ direction: 'out', authorType: 'system', authorId: 'user_jordan', body: 'Call started by Jordan Lee', status: 'delivered', providerId: null });
    const after = await t.get('conversation', 'conv_billing_0001');
    expect(after?.lastMessageAt).toBe(note?.createdAt);
    expect(after?.lastMessagePreview).toBe('Call started by Jordan Lee');
    expect(note!.createdAt).toBeGreaterThan(before?.lastMessageAt ?? 0);
    // No send job: nothing is ever queued to the customer for it.
    expect(await t.storage.transaction((tx) => tx.getSendJob('call-note-1'), { kind: 'read' })).toBeNull();
  });

  it('is refused outside Contact Center, to non-members, and on a taken message id', async () => {
    expect(await t.apply('user_sam', { name: 'conversation.noteCall', args: { conversationId: 'conv_sales_0001', messageId: 'call-note-2' } })).toMatchObject({
      ok: false,
      code: 'forbidden',
      message: 'Calling a contact is part of Contact Center.',
    });
    expect(await t.apply('user_sam', { name: 'conversation.noteCall', args: { conversationId: 'conv_billing_0001', messageId: 'call-note-3' } })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.apply('user_priya', { name: 'conversation.noteCall', args: { conversationId: 'conv_billing_0002', messageId: 'call-note-1' } })).toMatchObject({ ok: false, code: 'conflict' });
  });
});

describe('org.setSoftphone', () => {
  it('lets only an admin set an https template with {number}, and clear it', async () => {
    const template = 'https://softphone.example.com/dial?to={number}';
    expect(await t.apply('user_sofia', { name: 'org.setSoftphone', args: { urlTemplate: template } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await t.apply(ADMIN.id, { name: 'org.setSoftphone', args: { urlTemplate: 'http://softphone.example.com/dial?to={number}' } })).toMatchObject({
      ok: false,
      code: 'invalid',
      message: expect.stringMatching(/https/),
    });
    expect(await t.apply(ADMIN.id, { name: 'org.setSoftphone', args: { urlTemplate: template } })).toEqual({ ok: true });
    expect((await t.get('org', 'org_cc'))?.softphoneUrlTemplate).toBe(template);
    // The change travels to everyone in the organisation.
    const changes = await t.storage.transaction((tx) => tx.readChanges(0, ['org:org_cc'], 100_000), { kind: 'read' });
    expect(changes.some((c) => c.entity === 'org' && c.op === 'put' && (c.record as EntityOf<'org'>).softphoneUrlTemplate === template)).toBe(true);
    expect(await t.apply(ADMIN.id, { name: 'org.setSoftphone', args: { urlTemplate: null } })).toEqual({ ok: true });
    expect((await t.get('org', 'org_cc'))?.softphoneUrlTemplate).toBeNull();
  });
});
