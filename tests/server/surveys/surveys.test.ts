import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WHATSAPP_WINDOW_MS, type EntityOf } from '../../../protocol/domain.ts';
import type { Mutation } from '../../../protocol/mutations.ts';
import { permissions } from '../../../protocol/permissions.ts';
import { DEFAULT_SURVEY_MESSAGE, SURVEY_EXPIRY_MS, SurveyToken } from '../../../protocol/surveys.ts';
import { hashSurveyToken, newSurveyToken, surveyMessageText } from '../../../server/domain/surveys.ts';
import { changeCount, openTestDomain, type TestDomain } from '../support/fixtures.ts';

let t: TestDomain;
let now = Date.now();
beforeEach(async () => {
  now = Date.now();
  t = await openTestDomain({ startDelivery: false, clock: () => now });
  t.domain.surveys.publicUrl = 'https://switchboard.example.com';
});
afterEach(() => t.close());

const survey = (conversationId: string, id: string, template: { templateId: string; parameters?: string[] } | null = null): Mutation => ({
  name: 'survey.send',
  args: { conversationId, surveyId: id, messageId: `${id}-msg`, template: template ? { templateId: template.templateId, parameters: template.parameters ?? [] } : null },
});

async function conversationOn(channelId: string, inboxId = 'inbox_sales'): Promise<EntityOf<'conversation'>> {
  const found = (await t.storage.transaction((tx) => tx.list('conversation', { inboxId }, '', 1000), { kind: 'read' })).find((c) => c.channelId === channelId && (c.contactId !== null || channelId.endsWith('_web')));
  if (!found) throw new Error(`the demo seed has no conversation on ${channelId}`);
  return found;
}

/** The token of the link in a survey message (the test plays the customer who received it). */
async function tokenIn(messageId: string): Promise<string> {
  const body = (await t.get('message', messageId))?.body ?? '';
  const match = /\/s\/([A-Za-z0-9_-]+)/.exec(body);
  if (!match?.[1]) throw new Error(`no survey link in ${JSON.stringify(body)}`);
  return match[1];
}

async function whatsAppConversation(windowOpen: boolean): Promise<string> {
  const wa = await conversationOn('ch_sales_wa');
  const at = windowOpen ? now - 60_000 : now - WHATSAPP_WINDOW_MS - 60_000;
  await t.storage.transaction(async (tx) => {
    for (const m of await tx.list('message', { inboxId: 'inbox_sales' }, '', 10_000)) {
      if (m.conversationId === wa.id && m.direction === 'in') await tx.put('message', { ...m, createdAt: at });
    }
  });
  return wa.id;
}

describe('sending a survey', () => {
  it('writes the survey, its message (with the inbox text and the link) and its send job in one mutation', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    expect(await t.apply('user_sam', survey(conversation.id, 'sv1'))).toEqual({ ok: true });
    const record = await t.get('survey', 'sv1');
    expect(record).toMatchObject({ conversationId: conversation.id, inboxId: 'inbox_sales', messageId: 'sv1-msg', sentBy: 'user_sam', sentAt: now, expiresAt: now + SURVEY_EXPIRY_MS, answer: null });
    const message = await t.get('message', 'sv1-msg');
    expect(message).toMatchObject({ direction: 'out', status: 'queued', authorId: 'user_sam', surveyId: 'sv1' });
    expect(message?.body).toMatch(/^Thanks for talking with us! How did we do\? Rate us from 1 to 5 here: https:\/\/switchboard\.example\.com\/s\/[A-Za-z0-9_-]{32}$/);
    expect(await t.storage.transaction((tx) => tx.getSendJob('sv1-msg'))).not.toBeNull();
    expect((await t.get('conversation', conversation.id))?.lastMessagePreview).toMatch(/^Thanks for talking with us!/);
  });

  it('is applied once: the same survey again changes nothing, another survey id reusing its message id is a conflict', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    expect(await t.apply('user_sam', survey(conversation.id, 'sv1'))).toEqual({ ok: true });
    const token = await tokenIn('sv1-msg');
    const head = await changeCount(t.storage);
    expect(await t.apply('user_sam', survey(conversation.id, 'sv1'))).toEqual({ ok: true });
    expect(await changeCount(t.storage)).toBe(head);
    expect(await tokenIn('sv1-msg')).toBe(token);
    const other: Mutation = { name: 'survey.send', args: { conversationId: conversation.id, surveyId: 'sv2', messageId: 'sv1-msg', template: null } };
    expect(await t.apply('user_sam', other)).toMatchObject({ ok: false, code: 'conflict' });
  });

  it("uses the inbox's own text, with the link where {link} stands", async () => {
    await t.domain.surveys.saveSettings(await t.user('user_maya'), { inboxId: 'inbox_sales', message: 'Rate Sales: {link} — thanks!' });
    const conversation = await conversationOn('ch_sales_sms');
    await t.apply('user_sam', survey(conversation.id, 'sv1'));
    expect((await t.get('message', 'sv1-msg'))?.body).toMatch(/^Rate Sales: https:\/\/switchboard\.example\.com\/s\/\S{32} — thanks!$/);
  });

  it('refuses non-members as "not found" and writes nothing', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    const head = await changeCount(t.storage);
    expect(await t.apply('user_alex', survey(conversation.id, 'sv1'))).toMatchObject({ ok: false, code: 'not_found' });
    expect(await changeCount(t.storage)).toBe(head);
    expect(await t.get('survey', 'sv1')).toBeNull();
  });

  it('refuses a contact who opted out of texts, and an SMS channel without carrier registration', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    expect(await t.apply('user_sam', { name: 'contact.setOptOut', args: { contactId: conversation.contactId as string, optOut: true } })).toEqual({ ok: true });
    expect(await t.apply('user_sam', survey(conversation.id, 'sv1'))).toMatchObject({ ok: false, code: 'opted_out' });
    expect(await t.apply('user_sam', { name: 'contact.setOptOut', args: { contactId: conversation.contactId as string, optOut: false } })).toEqual({ ok: true });
    expect(await t.apply('user_ava', { name: 'channel.setRegistration', args: { channelId: 'ch_sales_sms', registration: 'pending' } })).toEqual({ ok: true });
    expect(await t.apply('user_sam', survey(conversation.id, 'sv2'))).toMatchObject({ ok: false, code: 'not_registered' });
    expect(await t.get('survey', 'sv1')).toBeNull();
    expect(await t.get('survey', 'sv2')).toBeNull();
  });

  it('on WhatsApp: free text inside the window; outside it only an approved template, whose last {{n}} carries the link', async () => {
    const open = await whatsAppConversation(true);
    expect(await t.apply('user_sam', survey(open, 'sv-open'))).toEqual({ ok: true });
    expect((await t.get('message', 'sv-open-msg'))?.template).toBeUndefined();

    const closed = await whatsAppConversation(false);
    expect(await t.apply('user_sam', survey(closed, 'sv-closed'))).toMatchObject({ ok: false, code: 'window_closed', message: expect.stringMatching(/template/) });
    expect(await t.apply('user_sam', survey(closed, 'sv-none', { templateId: 'tpl_sales_follow_up' }))).toMatchObject({ ok: false, code: 'invalid', message: expect.stringMatching(/no \{\{n\}\}/) });
    expect(await t.apply('user_sam', survey(closed, 'sv-two', { templateId: 'tpl_sales_order_update' }))).toMatchObject({ ok: false, code: 'invalid' });
    expect(await t.apply('user_sam', survey(closed, 'sv-tpl', { templateId: 'tpl_sales_survey' }))).toEqual({ ok: true });
    const message = await t.get('message', 'sv-tpl-msg');
    const token = await tokenIn('sv-tpl-msg');
    expect(message?.template).toEqual({ name: 'satisfaction_survey', language: 'en_US', parameters: [`https://switchboard.example.com/s/${token}`] });
    expect(message?.body).toBe(`Thanks for contacting Northwind Outfitters! How did we do? Rate us from 1 to 5: https://switchboard.example.com/s/${token}`);
    // A template with more values: the agent fills the first ones.
    expect(await t.apply('user_sam', survey(closed, 'sv-two-ok', { templateId: 'tpl_sales_order_update', parameters: ['Dana'] }))).toEqual({ ok: true });
    expect((await t.get('message', 'sv-two-ok-msg'))?.body).toMatch(/^Hi Dana, your Northwind Outfitters order https:\/\/\S+\/s\/\S{32} has an update/);
  });

  it('in web chat the message has no link (the widget shows the rating inline)', async () => {
    const conversation = await conversationOn('ch_sales_web');
    expect(await t.apply('user_sam', survey(conversation.id, 'sv1'))).toEqual({ ok: true });
    expect((await t.get('message', 'sv1-msg'))?.body).toBe('Thanks for talking with us! How did we do? Rate us from 1 to 5 here');
  });
});

describe('tokens', () => {
  it('are 192 random bits in base64url, distinct, and only their hash is stored', async () => {
    const tokens = new Set(Array.from({ length: 2000 }, newSurveyToken));
    expect(tokens.size).toBe(2000);
    for (const token of tokens) expect(SurveyToken.safeParse(token).success).toBe(true);
    const conversation = await conversationOn('ch_sales_sms');
    await t.apply('user_sam', survey(conversation.id, 'sv1'));
    const token = await tokenIn('sv1-msg');
    expect(await t.storage.transaction((tx) => tx.findSurveyIdByTokenHash(hashSurveyToken(token)))).toBe('sv1');
    // Nothing in the synced records or the change log holds the token or its hash.
    const log = JSON.stringify((await t.storage.transaction((tx) => tx.readChanges(0, [`inbox:inbox_sales`], 1_000_000))).filter((e) => e.entity === 'survey'));
    expect(log).not.toContain(token);
    expect(log).not.toContain(hashSurveyToken(token));
  });

  it('a tampered or unknown token opens nothing', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    await t.apply('user_sam', survey(conversation.id, 'sv1'));
    const token = await tokenIn('sv1-msg');
    expect(await t.domain.surveys.page(token)).toMatchObject({ state: 'open', organisation: 'Northwind Outfitters', inbox: 'Sales' });
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [flipped, token.slice(1), `${token}x`, '', '../../etc/passwd', token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()]) {
      expect(await t.domain.surveys.page(bad)).toBeNull();
      expect(await t.domain.surveys.answerByToken(bad, { rating: 5, comment: '' })).toBeNull();
    }
    expect((await t.get('survey', 'sv1'))?.answer).toBeNull();
  });
});

describe('answers', () => {
  it('takes one answer, live in the inbox scope; a second is refused and changes nothing', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    await t.apply('user_sam', survey(conversation.id, 'sv1'));
    const token = await tokenIn('sv1-msg');
    now += 60_000;
    const first = await t.domain.surveys.answerByToken(token, { rating: 4, comment: '<b>Quick</b> & kind' });
    expect(first).toMatchObject({ taken: true, state: 'answered' });
    expect((await t.get('survey', 'sv1'))?.answer).toEqual({ rating: 4, comment: '<b>Quick</b> & kind', answeredAt: now, via: 'page' });
    const entry = (await t.storage.transaction((tx) => tx.readChanges(0, ['inbox:inbox_sales'], 1_000_000))).at(-1);
    expect(entry).toMatchObject({ scope: 'inbox:inbox_sales', op: 'put', entity: 'survey', record: { id: 'sv1', answer: { rating: 4 } } });
    const head = await changeCount(t.storage);
    expect(await t.domain.surveys.answerByToken(token, { rating: 1, comment: 'changed my mind' })).toMatchObject({ taken: false, state: 'answered' });
    expect(await changeCount(t.storage)).toBe(head);
    expect((await t.get('survey', 'sv1'))?.answer?.rating).toBe(4);
    expect(await t.domain.surveys.page(token)).toMatchObject({ state: 'answered', rating: 4 });
  });

  it('expires 7 days after it was sent', async () => {
    const conversation = await conversationOn('ch_sales_sms');
    await t.apply('user_sam', survey(conversation.id, 'sv1'));
    const token = await tokenIn('sv1-msg');
    now += SURVEY_EXPIRY_MS - 1;
    expect((await t.domain.surveys.page(token))?.state).toBe('open');
    now += 1;
    expect((await t.domain.surveys.page(token))?.state).toBe('expired');
    expect(await t.domain.surveys.answerByToken(token, { rating: 5, comment: '' })).toMatchObject({ taken: false, state: 'expired' });
    expect((await t.get('survey', 'sv1'))?.answer).toBeNull();
  });

  it("a web chat visitor answers only their own conversation's survey", async () => {
    const conversation = await conversationOn('ch_sales_web');
    await t.apply('user_sam', survey(conversation.id, 'sv1'));
    expect(await t.domain.surveys.answerFromVisitor('ch_sales_web', 'visitor-0000000000000000', 'sv1', { rating: 5, comment: '' })).toBeNull();
    expect(await t.domain.surveys.answerFromVisitor('ch_sales_sms', conversation.customerAddress, 'sv1', { rating: 5, comment: '' })).toBeNull();
    expect(await t.domain.surveys.answerFromVisitor('ch_sales_web', conversation.customerAddress, 'sv1', { rating: 5, comment: 'great' })).toMatchObject({ taken: true });
    expect((await t.get('survey', 'sv1'))?.answer).toMatchObject({ rating: 5, comment: 'great', via: 'webchat' });
  });
});

describe('permissions', () => {
  it('survey text: managers and admins; report: managers and supervisors (and admins); sending: everyone', async () => {
    expect(['member', 'agent', 'manager', 'supervisor', 'admin'].filter((r) => permissions.editSurveySettings(r as never))).toEqual(['manager', 'admin']);
    expect(['member', 'agent', 'manager', 'supervisor', 'admin'].filter((r) => permissions.viewSurveyReport(r as never))).toEqual(['manager', 'supervisor', 'admin']);
    expect(['member', 'agent', 'manager', 'supervisor', 'admin'].every((r) => permissions.sendSurvey(r as never))).toBe(true);
  });

  it('an agent can neither change the survey text nor read the report; a manager of another inbox is told "not found"', async () => {
    await expect(t.domain.surveys.saveSettings(await t.user('user_sam'), { inboxId: 'inbox_sales', message: 'x {link}' })).rejects.toThrow(/Only managers and admins/);
    await expect(t.domain.surveys.report(await t.user('user_sam'), { from: 0, to: now })).rejects.toThrow(/Only managers and supervisors/);
    await expect(t.domain.surveys.settings(await t.user('user_alex'), 'inbox_sales')).rejects.toThrow(/not a member/);
    expect(await t.domain.surveys.settings(await t.user('user_maya'), 'inbox_sales')).toEqual({ inboxId: 'inbox_sales', message: DEFAULT_SURVEY_MESSAGE, isDefault: true });
  });
});

describe('the message text', () => {
  it('puts the link in place of {link}, or on its own line; web chat drops it with the dangling colon', async () => {
    expect(surveyMessageText('Rate us: {link} thanks', 'https://x/s/t')).toBe('Rate us: https://x/s/t thanks');
    expect(surveyMessageText('Rate us', 'https://x/s/t')).toBe('Rate us\nhttps://x/s/t');
    expect(surveyMessageText('Rate us here: {link}', null)).toBe('Rate us here');
  });
});
