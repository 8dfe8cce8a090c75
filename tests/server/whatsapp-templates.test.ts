import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WHATSAPP_WINDOW_MS } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const sendTemplate = (conversationId: string, messageId: string, templateId: string, parameters: string[] = []): Mutation => ({
  name: 'message.sendTemplate',
  args: { conversationId, messageId, templateId, parameters },
});
const send = (conversationId: string, messageId: string): Mutation => ({
  name: 'message.send',
  args: { conversationId, messageId, body: 'Are you still there?', attachments: [] },
});

/** A Sales WhatsApp conversation whose inbound messages are all older than the window. */
async function closedWhatsAppConversation(): Promise<string> {
  const wa = await t.storage.transaction(async (tx) => (await tx.list('conversation', { inboxId: 'inbox_sales' }, '', 500)).find((c) => c.channelId === 'ch_sales_wa'));
  if (!wa) throw new Error('the demo seed has no Sales WhatsApp conversation');
  await t.storage.transaction(async (tx) => {
    for (const m of await tx.list('message', { inboxId: 'inbox_sales' }, '', 10_000)) {
      if (m.conversationId === wa.id && m.direction === 'in') await tx.put('message', { ...m, createdAt: Date.now() - WHATSAPP_WINDOW_MS - 60_000 });
    }
  });
  return wa.id;
}

describe('WhatsApp templates outside the 24-hour window', () => {
  it('seeds approved templates on the demo WhatsApp channels', async () => {
    const channel = await t.storage.transaction(async (tx) => await tx.get('channel', 'ch_sales_wa'));
    expect(channel?.whatsappTemplates?.map((x) => x.id)).toContain('tpl_sales_follow_up');
  });

  it('refuses free text but sends an approved template of the channel', async () => {
    const conversationId = await closedWhatsAppConversation();
    expect(await t.apply('user_sam', send(conversationId, 'wa-free'))).toMatchObject({ ok: false, code: 'window_closed' });
    expect(await t.apply('user_sam', sendTemplate(conversationId, 'wa-tpl', 'tpl_sales_follow_up'))).toEqual({ ok: true });
    const message = await t.storage.transaction(async (tx) => await tx.get('message', 'wa-tpl'));
    expect(message).toMatchObject({ direction: 'out', status: 'queued', template: { name: 'follow_up', language: 'en_US' } });
    expect(message?.body).toMatch(/following up/);
    expect((await t.storage.transaction(async (tx) => await tx.get('conversation', conversationId)))?.lastMessageAt).toBe(message?.createdAt);
    // Replaying the same message id is idempotent.
    expect(await t.apply('user_sam', sendTemplate(conversationId, 'wa-tpl', 'tpl_sales_follow_up'))).toEqual({ ok: true });
  });

  it("fills a template's {{1}}…{{n}} with the agent's values and keeps them for the provider", async () => {
    const conversationId = await closedWhatsAppConversation();
    expect(await t.apply('user_sam', sendTemplate(conversationId, 'wa-order', 'tpl_sales_order_update', ['Dana', '#4417']))).toEqual({ ok: true });
    const message = await t.storage.transaction(async (tx) => await tx.get('message', 'wa-order'));
    expect(message?.body).toBe('Hi Dana, your Northwind Outfitters order #4417 has an update. Reply to this message and we will share the details.');
    expect(message?.template).toEqual({ name: 'order_update', language: 'en_US', parameters: ['Dana', '#4417'] });
    expect((await t.storage.transaction(async (tx) => await tx.get('conversation', conversationId)))?.lastMessagePreview).toMatch(/^Hi Dana, your Northwind/);
  });

  it('refuses missing, extra or blank values, and values Meta would refuse, storing nothing', async () => {
    const conversationId = await closedWhatsAppConversation();
    const tries: [string, string[], RegExp][] = [
      ['wa-none', [], /needs 2 values \(\{\{1\}\} to \{\{2\}\}\); 0 given/],
      ['wa-one', ['Dana'], /needs 2 values/],
      ['wa-three', ['Dana', '#4417', 'extra'], /needs 2 values/],
      ['wa-blank', ['Dana', ' '], /Fill in \{\{2\}\}/],
      ['wa-newline', ['Dana', '#44\n17'], /line breaks/],
    ];
    for (const [messageId, values, reason] of tries) {
      const result = await t.apply('user_sam', sendTemplate(conversationId, messageId, 'tpl_sales_order_update', values));
      expect(result).toMatchObject({ ok: false, code: 'invalid' });
      expect(result.ok ? '' : result.message).toMatch(reason);
      expect(await t.storage.transaction(async (tx) => await tx.get('message', messageId))).toBeNull();
    }
    expect(await t.apply('user_sam', sendTemplate(conversationId, 'wa-extra', 'tpl_sales_follow_up', ['unexpected']))).toMatchObject({
      ok: false,
      message: 'This template takes no values.',
    });
  });

  it('refuses a template of another channel', async () => {
    const conversationId = await closedWhatsAppConversation();
    expect(await t.apply('user_sam', sendTemplate(conversationId, 'wa-other', 'tpl_support_follow_up'))).toMatchObject({ ok: false, code: 'invalid' });
    expect(await t.storage.transaction(async (tx) => await tx.get('message', 'wa-other'))).toBeNull();
  });

  it('refuses a non-member without revealing the conversation', async () => {
    const conversationId = await closedWhatsAppConversation();
    expect(await t.apply('user_alex', sendTemplate(conversationId, 'wa-alex', 'tpl_sales_follow_up'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(await t.storage.transaction(async (tx) => await tx.get('message', 'wa-alex'))).toBeNull();
  });

  it('refuses templates on non-WhatsApp conversations', async () => {
    expect(await t.apply('user_sam', sendTemplate('conv_sales_0001', 'sms-tpl', 'tpl_sales_follow_up'))).toMatchObject({ ok: false, code: 'invalid' });
  });
});
