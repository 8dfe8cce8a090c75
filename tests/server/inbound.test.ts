import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnknownChannelError } from '../../server/domain/inbound.ts';
import { changeCount, openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain();
});
afterEach(() => t.close());

describe('receiveInbound', () => {
  it('creates an open conversation for a new customer, linked to the shared contact with that phone', async () => {
    const result = await t.domain.receiveInbound({ channelId: 'ch_support_sms', from: '+12065550105', body: 'Hi, is my order ready?' });
    expect(result.created).toBe(true);
    const conversation = await t.get('conversation', result.conversationId);
    // contact_006 owns +12065550105 in the demo seed; this channel may already have a conversation with it.
    expect(conversation).toMatchObject({ inboxId: 'inbox_support', channelId: 'ch_support_sms', status: 'open', contactId: 'contact_006', lastMessagePreview: 'Hi, is my order ready?' });
    expect(await t.get('message', result.messageId)).toMatchObject({ direction: 'in', authorType: 'contact', authorId: 'contact_006', status: 'delivered' });
  });

  it('reuses the conversation of the same customer on the same channel, and leaves unknown numbers unlinked', async () => {
    const a = await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+15005550006', body: 'first' });
    const b = await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+15005550006', body: 'second' });
    const other = await t.domain.receiveInbound({ channelId: 'ch_sales_wa', from: '+15005550006', body: 'third' });
    expect(b.conversationId).toBe(a.conversationId);
    expect(other.conversationId).not.toBe(a.conversationId);
    expect(await t.get('conversation', a.conversationId)).toMatchObject({ contactId: null, customerAddress: '+15005550006', lastMessagePreview: 'second' });
  });

  it('ignores a repeated provider id', async () => {
    const first = await t.domain.receiveInbound({ channelId: 'ch_sales_web', from: 'visitor-1', body: 'hello', providerId: 'prov-1' });
    const head = await changeCount(t.storage);
    const again = await t.domain.receiveInbound({ channelId: 'ch_sales_web', from: 'visitor-1', body: 'hello', providerId: 'prov-1' });
    expect(again).toEqual({ ...first, created: false });
    expect(await changeCount(t.storage)).toBe(head);
  });

  it('reopens a closed conversation', async () => {
    const first = await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+15005550007', body: 'hello' });
    await t.domain.applyMutation((await t.domain.user('user_sam'))!, 'c', 1, { name: 'conversation.setStatus', args: { conversationId: first.conversationId, status: 'closed' } });
    expect((await t.get('conversation', first.conversationId))?.status).toBe('closed');
    const again = await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+15005550007', body: 'one more thing' });
    expect(again.conversationId).toBe(first.conversationId);
    expect(await t.get('conversation', first.conversationId)).toMatchObject({ status: 'open', closedAt: null });
  });

  it('writes conversation and message entries to the inbox scope, and STOP/START toggle the contact opt-out', async () => {
    const head = await changeCount(t.storage);
    await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+12065550100', body: 'STOP' });
    const entries = await t.storage.transaction(async (tx) => await tx.readChanges(head, ['inbox:inbox_sales', 'org:org_demo'], 10));
    expect(entries.map((e) => [e.scope, e.entity])).toEqual([
      ['inbox:inbox_sales', 'conversation'],
      ['inbox:inbox_sales', 'message'],
      ['org:org_demo', 'contact'],
    ]);
    expect((await t.get('contact', 'contact_001'))?.smsOptOut).toBe(true);
    await t.domain.receiveInbound({ channelId: 'ch_sales_sms', from: '+12065550100', body: 'start' });
    expect((await t.get('contact', 'contact_001'))?.smsOptOut).toBe(false);
  });

  it('rejects an unknown channel', async () => {
    await expect(t.domain.receiveInbound({ channelId: 'nope', from: '+15005550006', body: 'x' })).rejects.toThrow(UnknownChannelError);
  });

  it('moves outbound replies queued → sent → delivered through the demo adapter', async () => {
    await t.domain.applyMutation((await t.domain.user('user_sam'))!, 'c', 1, {
      name: 'message.send',
      args: { conversationId: 'conv_sales_0003', messageId: 'out-1', body: 'On it', attachments: [] },
    });
    // Polled: a commit landing between a read and a listener's registration would otherwise be missed.
    await vi.waitFor(async () => expect((await t.get('message', 'out-1'))?.status).toBe('delivered'), { timeout: 5000, interval: 5 });
    const statuses = (await t.storage.transaction(async (tx) => await tx.readChanges(0, ['inbox:inbox_sales'], 100_000))).flatMap((e) => (e.op === 'put' && e.entity === 'message' && e.record.id === 'out-1' ? [e.record.status] : []));
    expect(statuses).toEqual(['queued', 'sent', 'delivered']);
  });
});
