import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../../boundary/http-boundary.ts';
import type { EntityOf } from '../../../protocol/domain.ts';
import { SURVEY_EXPIRY_MS, SurveyReport, SurveySettings, surveyFigures } from '../../../protocol/surveys.ts';
import { createHttpHandler } from '../../../server/http/routes.ts';
import { sendError } from '../../../server/http/respond.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

/** The survey page and the manager API on a real loopback server over a seeded domain with a movable clock. */
let t: TestDomain;
let server: Server;
let base = '';
let now = Date.now();
const tokens: Record<'sam' | 'maya' | 'alex', string> = { sam: '', maya: '', alex: '' };
let counter = 0;

beforeAll(async () => {
  t = await openTestDomain({ startDelivery: false, clock: () => now });
  const handler = createHttpHandler({ domain: t.domain, demoAccounts: null, demoInbound: false, bodyLimitBytes: 64 * 1024, log: (l) => t.logs.push(l) });
  server = createHttpServer({ name: 'http', log: (l) => t.logs.push(l), sendError, onRequest: handler });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.domain.surveys.publicUrl = base;
  for (const [who, password] of [['sam', 'demo-agent'], ['maya', 'demo-manager'], ['alex', 'demo-agent']] as const) {
    const session = await t.domain.sessions.signIn(`${who}@demo.switchboard.test`, password);
    tokens[who] = session?.token ?? '';
  }
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

async function smsConversations(): Promise<EntityOf<'conversation'>[]> {
  const all = await t.storage.transaction((tx) => tx.list('conversation', { inboxId: 'inbox_sales' }, '', 1000), { kind: 'read' });
  return all.filter((c) => c.channelId === 'ch_sales_sms');
}

/** Sends a survey as this agent and returns its page address. */
async function sendSurvey(userId: string, conversationId?: string): Promise<{ url: string; surveyId: string }> {
  conversationId ??= (await smsConversations())[0]?.id as string;
  const surveyId = `sv-${++counter}`;
  expect(await t.apply(userId, { name: 'survey.send', args: { conversationId, surveyId, messageId: `${surveyId}-m`, template: null } })).toEqual({ ok: true });
  const url = /https?:\/\/\S+\/s\/[A-Za-z0-9_-]{32}/.exec((await t.get('message', `${surveyId}-m`))?.body ?? '')?.[0];
  if (!url) throw new Error('no link in the survey message');
  return { url, surveyId };
}

const post = (url: string, body: string, type = 'application/x-www-form-urlencoded') => fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
const api = (path: string, token: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });

describe('the survey page', () => {
  it('shows a form with a strict CSP, no script, and no referrer; takes one answer; refuses a second politely', async () => {
    const { url, surveyId } = await sendSurvey('user_sam');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/form-action 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toMatch(/Northwind Outfitters \(Sales\)/);
    expect(html.match(/name="rating"/g)).toHaveLength(5);

    const answered = await post(url, 'rating=5&comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E+lovely');
    expect(answered.status).toBe(200);
    expect(await answered.text()).toMatch(/rating of 5 out of 5/);
    expect((await t.get('survey', surveyId))?.answer).toMatchObject({ rating: 5, comment: '<script>alert(1)</script> lovely', via: 'page' });

    const again = await post(url, 'rating=1');
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/already been answered — thank you/);
    expect((await t.get('survey', surveyId))?.answer?.rating).toBe(5);
    expect(await (await fetch(url)).text()).toMatch(/Already answered/);
  });

  it('says so when opened after 7 days, and refuses the answer', async () => {
    const { url, surveyId } = await sendSurvey('user_sam');
    now += SURVEY_EXPIRY_MS;
    try {
      const page = await fetch(url);
      expect(page.status).toBe(410);
      expect(await page.text()).toMatch(/This survey has expired/);
      expect((await post(url, 'rating=4')).status).toBe(410);
      expect((await t.get('survey', surveyId))?.answer).toBeNull();
    } finally {
      now -= SURVEY_EXPIRY_MS;
    }
  });

  it('answers 404 to an unknown or tampered token', async () => {
    const { url } = await sendSurvey('user_sam');
    const token = url.slice(-32);
    for (const bad of [`${token.slice(0, 31)}${token.endsWith('x') ? 'y' : 'x'}`, token.slice(0, 31), `${token}0`, 'x', '%2e%2e%2fapi%2finfo']) {
      const res = await fetch(`${base}/s/${bad}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect((await post(`${base}/s/${bad}`, 'rating=5')).status).toBe(404);
    }
  });

  it('shows the form again with the reason for a missing rating or an over-long comment, keeping the comment (escaped)', async () => {
    const { url } = await sendSurvey('user_sam');
    const missing = await post(url, 'comment=%3Cb%3Ehi%3C%2Fb%3E');
    expect(missing.status).toBe(400);
    const html = await missing.text();
    expect(html).toMatch(/Choose a rating from 1 to 5/);
    expect(html).toContain('&#60;b&#62;hi&#60;/b&#62;');
    expect(html).not.toContain('<b>hi</b>');
    const long = await post(url, `rating=3&comment=${'a'.repeat(1001)}`);
    expect(long.status).toBe(400);
    expect(await long.text()).toMatch(/at most 1000 characters/);
    expect((await post(url, 'rating=3', 'application/json')).status).toBe(415);
  });

  test.prop(
    [
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc
          .array(fc.tuple(fc.constantFrom('rating', 'comment', 'x', ''), fc.oneof(fc.constantFrom('1', '5', '0', '6', '', ' 3 ', '2.5', '-1', '1e0', '%', '%ff'), fc.string({ maxLength: 1200 }))), { maxLength: 4 })
          .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
        fc.nat({ max: 40_000 }).map((n) => `rating=4&comment=${'z'.repeat(n)}`),
      ),
      fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x'),
      fc.boolean(),
    ],
    { numRuns: 60 },
  )('generated form bodies are answered with a page, never a 500', async (body, type, realToken) => {
    const url = realToken ? (await sendSurvey('user_sam')).url : `${base}/s/${'A'.repeat(32)}`;
    const res = await post(url, body, type);
    expect([200, 400, 404, 409, 413, 415]).toContain(res.status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    await res.arrayBuffer();
  });
});

describe('the manager API', () => {
  it('reads and saves the survey text of an inbox (managers and admins; members only)', async () => {
    const read = await api('/api/surveys/settings?inboxId=inbox_support', tokens.maya);
    expect(SurveySettings.parse(await read.json())).toMatchObject({ inboxId: 'inbox_support', isDefault: true });
    const saved = await api('/api/surveys/settings', tokens.maya, { method: 'PUT', body: JSON.stringify({ inboxId: 'inbox_support', message: '  How did Support do? {link}  ' }) });
    expect(await saved.json()).toEqual({ inboxId: 'inbox_support', message: 'How did Support do? {link}', isDefault: false });
    expect((await api('/api/surveys/settings', tokens.alex, { method: 'PUT', body: JSON.stringify({ inboxId: 'inbox_support', message: 'x' }) })).status).toBe(403);
    expect((await api('/api/surveys/settings?inboxId=inbox_support', tokens.sam)).status).toBe(404);
    expect((await api('/api/surveys/settings?inboxId=bad%20id', tokens.maya)).status).toBe(400);
    expect((await api('/api/surveys/settings', tokens.maya, { method: 'PUT', body: JSON.stringify({ inboxId: 'inbox_support', message: '' }) })).status).toBe(400);
    expect((await fetch(`${base}/api/surveys/settings?inboxId=inbox_support`)).status).toBe(401);
  });

  it('reports CSAT, answers and response rate per inbox and per agent over the period', async () => {
    now += 60_000; // after the surveys of the other tests
    const from = now;
    now += 1000;
    const conversations = await smsConversations();
    const sent = [
      await sendSurvey('user_sam', conversations[0]?.id),
      await sendSurvey('user_sam', conversations[1]?.id),
      await sendSurvey('user_sam', conversations[2]?.id),
      await sendSurvey('user_maya', conversations[3]?.id),
    ];
    for (const [i, rating] of [5, 2, null, 4].entries()) {
      if (rating !== null) expect((await post(sent[i]?.url as string, `rating=${rating}`)).status).toBe(200);
    }
    now += 1000;
    const res = await api(`/api/surveys/report?from=${from}&to=${now}`, tokens.maya);
    const report = SurveyReport.parse(await res.json());
    expect(report.total).toEqual(surveyFigures(4, 3, 2));
    expect(report.total).toMatchObject({ csat: 2 / 3, responseRate: 3 / 4 });
    expect(report.inboxes).toEqual([
      { inboxId: 'inbox_sales', name: 'Sales', ...surveyFigures(4, 3, 2) },
      { inboxId: 'inbox_support', name: 'Support', ...surveyFigures(0, 0, 0) },
    ]);
    expect(report.agents).toEqual([
      { userId: 'user_maya', name: 'Maya Patel', ...surveyFigures(1, 1, 1) },
      { userId: 'user_sam', name: 'Sam Rivera', ...surveyFigures(3, 2, 1) },
    ]);
    // A period before these surveys counts none of them.
    const before = SurveyReport.parse(await (await api(`/api/surveys/report?from=${from - 10_000}&to=${from}`, tokens.maya)).json());
    expect(before.total.sent).toBe(0);
    expect((await api(`/api/surveys/report?from=${from}&to=${now}`, tokens.sam)).status).toBe(403);
    expect((await api(`/api/surveys/report?from=${now}&to=${from}`, tokens.maya)).status).toBe(400);
    expect((await api(`/api/surveys/report?from=abc&to=${now}`, tokens.maya)).status).toBe(400);
  });
});
