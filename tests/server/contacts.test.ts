import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mutation, type ContactFields } from '../../protocol/mutations.ts';
import type { Scope } from '../../protocol/scope.ts';
import { readSnapshotPage } from '../../server/domain/snapshot.ts';
import { changeCount, openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

/** Parses like the sync connection does, so the protocol schema is part of what is tested. */
const apply = async (userId: string, mutation: unknown) => await t.apply(userId, Mutation.parse(mutation));
const contact = async (id: string) => await t.storage.transaction(async (tx) => await tx.get('contact', id));
const conversation = async (id: string) => await t.storage.transaction(async (tx) => await tx.get('conversation', id));
const favourite = async (contactId: string, userId: string) => await t.storage.transaction(async (tx) => await tx.get('contactFavourite', `${contactId}:${userId}`));
const changesIn = async (scope: Scope, after: number) => await t.storage.transaction(async (tx) => await tx.readChanges(after, [scope], 100));

const fields = (over: Partial<ContactFields> = {}): ContactFields => ({
  name: 'Dana Whitfield',
  phones: ['+14155550199'],
  email: 'dana@example.com',
  company: 'Whitfield Outdoor',
  notes: null,
  ...over,
});
const create = (contactId: string, shared = true, over: Partial<ContactFields> = {}) => ({
  name: 'contact.create',
  args: { contactId, shared, fields: fields(over) },
});
const SALES_CONV = 'conv_sales_0001';
/** Seeded conversations alternate inboxes: odd numbers are Sales, even ones Support. */
const SUPPORT_CONV = 'conv_support_0002';

describe('contact.create', () => {
  it('lets any active user create a shared contact, logged in the organisation scope', async () => {
    const head = await changeCount(t.storage);
    expect(await apply('user_sam', create('contact_new'))).toEqual({ ok: true });
    expect(await contact('contact_new')).toMatchObject({ ownerId: null, orgId: 'org_demo', name: 'Dana Whitfield', smsOptOut: false });
    expect((await changesIn('org:org_demo', head)).map((e) => e.entity)).toEqual(['contact']);
  });

  it('creates a private contact owned by its creator, visible only in their user scope', async () => {
    const head = await changeCount(t.storage);
    expect(await apply('user_alex', create('contact_mine', false))).toEqual({ ok: true });
    expect((await contact('contact_mine'))?.ownerId).toBe('user_alex');
    expect(await changesIn('org:org_demo', head)).toEqual([]);
    expect(await changesIn('user:user_alex', head)).toHaveLength(1);
    expect(await changesIn('user:user_sam', head)).toEqual([]);
  });

  it('refuses an id already taken, and invalid fields at the protocol boundary', async () => {
    await apply('user_sam', create('contact_dup'));
    expect(await apply('user_maya', create('contact_dup'))).toMatchObject({ ok: false, code: 'conflict' });
    expect(() => Mutation.parse(create('contact_bad', true, { phones: ['415 555 0199'] }))).toThrow(/E\.164/);
    expect(() => Mutation.parse(create('contact_bad', true, { email: 'not-an-email' }))).toThrow(/email/);
    expect(() => Mutation.parse(create('contact_bad', true, { name: '   ' }))).toThrow(/name/);
  });

  it('stores blanks as null and each number once', async () => {
    await apply('user_sam', create('contact_clean', true, { company: '', phones: ['+14155550199', '+14155550199'] }));
    expect(await contact('contact_clean')).toMatchObject({ company: null, phones: ['+14155550199'] });
  });
});

describe('contact.update', () => {
  it('lets any user of the organisation edit a shared contact', async () => {
    await apply('user_sam', create('contact_shared'));
    expect(await apply('user_alex', { name: 'contact.update', args: { contactId: 'contact_shared', fields: fields({ name: 'Dana W.', company: null }) } })).toEqual({
      ok: true,
    });
    expect(await contact('contact_shared')).toMatchObject({ name: 'Dana W.', company: null, ownerId: null });
  });

  it('lets the owner edit a private contact, and tells anyone else it does not exist', async () => {
    await apply('user_sam', create('contact_private', false));
    expect(await apply('user_sam', { name: 'contact.update', args: { contactId: 'contact_private', fields: fields({ name: 'Mine' }) } })).toEqual({ ok: true });
    const head = await changeCount(t.storage);
    expect(await apply('user_maya', { name: 'contact.update', args: { contactId: 'contact_private', fields: fields({ name: 'Theirs' }) } })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
    expect((await contact('contact_private'))?.name).toBe('Mine');
    expect(await changeCount(t.storage)).toBe(head);
  });

  it('refuses an unknown contact', async () => {
    expect(await apply('user_sam', { name: 'contact.update', args: { contactId: 'contact_nope', fields: fields() } })).toMatchObject({ ok: false, code: 'not_found' });
  });
});

describe('contact.setFavourite', () => {
  it('keeps a favourite per person, in that person’s scope only', async () => {
    const head = await changeCount(t.storage);
    expect(await apply('user_sam', { name: 'contact.setFavourite', args: { contactId: 'contact_001', favourite: true } })).toEqual({ ok: true });
    expect(await favourite('contact_001', 'user_sam')).toEqual({ id: 'contact_001:user_sam', contactId: 'contact_001', userId: 'user_sam' });
    expect(await favourite('contact_001', 'user_maya')).toBeNull();
    expect(await changesIn('user:user_sam', head)).toHaveLength(1);
    expect(await changesIn('user:user_maya', head)).toEqual([]);
    expect(await changesIn('org:org_demo', head)).toEqual([]);

    // Idempotent both ways; unmarking is a delete in the same scope.
    const marked = await changeCount(t.storage);
    await apply('user_sam', { name: 'contact.setFavourite', args: { contactId: 'contact_001', favourite: true } });
    expect(await changeCount(t.storage)).toBe(marked);
    await apply('user_sam', { name: 'contact.setFavourite', args: { contactId: 'contact_001', favourite: false } });
    expect(await favourite('contact_001', 'user_sam')).toBeNull();
    expect(await changesIn('user:user_sam', marked)).toMatchObject([{ op: 'delete', entity: 'contactFavourite', id: 'contact_001:user_sam' }]);
  });

  it('lets the owner favourite a private contact, but not another user', async () => {
    await apply('user_alex', create('contact_alex', false));
    expect(await apply('user_alex', { name: 'contact.setFavourite', args: { contactId: 'contact_alex', favourite: true } })).toEqual({ ok: true });
    expect(await apply('user_sam', { name: 'contact.setFavourite', args: { contactId: 'contact_alex', favourite: true } })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
  });

  it('sends a person their favourites in the snapshot of their user scope', async () => {
    await apply('user_sam', { name: 'contact.setFavourite', args: { contactId: 'contact_002', favourite: true } });
    const page = await t.storage.transaction(async (tx) => await readSnapshotPage(tx, 'user:user_sam', null, 500));
    expect(page.records.filter((r) => r.entity === 'contactFavourite').map((r) => r.record.id)).toEqual(['contact_002:user_sam']);
    const maya = await t.storage.transaction(async (tx) => await readSnapshotPage(tx, 'user:user_maya', null, 500));
    expect(maya.records.some((r) => r.entity === 'contactFavourite')).toBe(false);
  });
});

describe('contact.setOptOut', () => {
  it('opts a shared contact out by hand, and SMS to them is then refused', async () => {
    await apply('user_sam', create('contact_optout', true, { phones: ['+14155550111'] }));
    // The inbound finds the new contact by its number and links the conversation.
    const { conversationId } = await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+14155550111', body: 'Hi there' });
    expect((await conversation(conversationId))?.contactId).toBe('contact_optout');
    expect(await apply('user_sam', { name: 'contact.setOptOut', args: { contactId: 'contact_optout', optOut: true } })).toEqual({ ok: true });
    expect((await contact('contact_optout'))?.smsOptOut).toBe(true);
    expect(
      await apply('user_sam', { name: 'message.send', args: { conversationId, messageId: 'msg_optout', body: 'Hello', attachments: [] } }),
    ).toMatchObject({ ok: false, code: 'opted_out' });
    expect(await apply('user_sam', { name: 'contact.setOptOut', args: { contactId: 'contact_optout', optOut: false } })).toEqual({ ok: true });
    expect((await contact('contact_optout'))?.smsOptOut).toBe(false);
  });

  it('refuses another user’s private contact', async () => {
    await apply('user_maya', create('contact_maya', false));
    expect(await apply('user_sam', { name: 'contact.setOptOut', args: { contactId: 'contact_maya', optOut: true } })).toMatchObject({ ok: false, code: 'not_found' });
    expect((await contact('contact_maya'))?.smsOptOut).toBe(false);
  });
});

describe('conversation.linkContact', () => {
  it('lets a member of the inbox link a conversation to a shared contact', async () => {
    await apply('user_sam', create('contact_link'));
    const head = await changeCount(t.storage);
    expect(await apply('user_sam', { name: 'conversation.linkContact', args: { conversationId: SALES_CONV, contactId: 'contact_link' } })).toEqual({ ok: true });
    expect((await conversation(SALES_CONV))?.contactId).toBe('contact_link');
    expect((await changesIn('inbox:inbox_sales', head)).map((e) => e.entity)).toEqual(['conversation']);
  });

  it('tells a non-member the conversation does not exist', async () => {
    expect((await conversation(SUPPORT_CONV))?.inboxId).toBe('inbox_support');
    const before = (await conversation(SUPPORT_CONV))?.contactId;
    expect(await apply('user_sam', { name: 'conversation.linkContact', args: { conversationId: SUPPORT_CONV, contactId: 'contact_001' } })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
    expect((await conversation(SUPPORT_CONV))?.contactId).toBe(before);
  });

  it('refuses a private contact, even the actor’s own, and another user’s as not found', async () => {
    await apply('user_sam', create('contact_sam', false));
    await apply('user_maya', create('contact_maya2', false));
    expect(await apply('user_sam', { name: 'conversation.linkContact', args: { conversationId: SALES_CONV, contactId: 'contact_sam' } })).toMatchObject({
      ok: false,
      code: 'invalid',
    });
    expect(await apply('user_sam', { name: 'conversation.linkContact', args: { conversationId: SALES_CONV, contactId: 'contact_maya2' } })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
  });
});
