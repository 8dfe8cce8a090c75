import { afterEach, describe, expect, it } from 'vitest';
import { ASSISTANT_PATHS, AssistantStatus, AssistantUse } from '../../protocol/assistant.ts';
import { runAssistantCli } from '../../server/assistant/cli.ts';
import { InProcessAssistantRateLimit } from '../../server/assistant/rate-limit.ts';
import { OpenAiSimulator, type OpenAiFailure } from '../../server/simulator/openai-simulator.ts';
import { ALEX, postInbound, SAM, signIn, startTestServer, type TestServer } from '../server/support/sync-client.ts';
import { api, AVA, collect, configure, streamEvents } from './support/assistant-client.ts';
import { until } from './support/server-records.ts';
import { serverQuery } from './support/server-sql.ts';
import { adminArgsFor } from './support/test-server.ts';

// contact_006 of the demo seed writes to the Sales SMS number (Sam is a member of Sales, Alex is not).
const CUSTOMER = '+12065550105';
const KEY = 'sk-test-very-secret-key-0123456789';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function setup(options: { sim?: Parameters<typeof OpenAiSimulator.start>[0]; server?: Parameters<typeof startTestServer>[0]; mask?: boolean } = {}) {
  const sim = await OpenAiSimulator.start({ apiKey: KEY, ...options.sim });
  open.push(sim);
  const t = await startTestServer({ enableDemoInbound: true, ...options.server });
  open.push(t);
  const admin = await signIn(t.server.url, AVA);
  await configure(t.server.url, admin, { baseUrl: `${sim.url}/v1/`, key: KEY, maskContactDetails: options.mask ?? false });
  const sam = await signIn(t.server.url, SAM);
  const first = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: CUSTOMER, body: 'My parcel never arrived, can you check the delivery?' });
  const second = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: CUSTOMER, body: 'Call me on +1 (503) 555-0142 or write to jo@example.com' });
  return { sim, t, admin, sam, conversationId: first.conversationId, messageIds: [first.messageId, second.messageId] };
}

const suggest = (t: TestServer, token: string, body: unknown, signal?: AbortSignal) =>
  fetch(`${t.server.url}${ASSISTANT_PATHS.suggest}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

async function everythingStored(t: TestServer): Promise<string> {
  return JSON.stringify(await serverQuery(t.options, 'SELECT * FROM changes'));
}

describe('Message Assistant through the server against the OpenAI-compatible simulator', () => {
  it('streams three suggestions for ticked messages, records the use, and keeps the key out of answers, logs and the change log', async () => {
    const { sim, t, admin, sam, conversationId, messageIds } = await setup();
    const status = AssistantStatus.parse(await (await api(t.server.url, sam, ASSISTANT_PATHS.status)).json());
    expect(status).toMatchObject({ available: true, edition: 'customer_engagement' });
    expect(status.notice).toContain(new URL(sim.url).host);

    const res = await suggest(t, sam, { conversationId, messageIds });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const { events, texts, end } = await collect(res);
    expect(events[0]).toEqual({ type: 'start', model: 'sim-model' });
    expect(texts).toHaveLength(3);
    for (const text of texts) expect(text).toMatch(/^(Hi|Thanks|Hello) /);
    expect(end).toMatchObject({ type: 'done', usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number) } });
    // Streamed: more than one delta per suggestion.
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(6);

    const sent = sim.completions[0]!;
    expect(sent.authorized).toBe(true);
    expect(sent.stream).toBe(true);
    const prompt = sent.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Customer: My parcel never arrived');
    expect(prompt).toContain('one SMS segment is 160 characters');
    expect(prompt).toContain('+1 (503) 555-0142'); // masking is off

    const uses = AssistantUse.array().parse(await (await api(t.server.url, admin, ASSISTANT_PATHS.uses)).json());
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({ userId: SAM.id, conversationId, kind: 'suggest', providerHost: new URL(sim.url).host, model: 'sim-model', outcome: 'ok' });
    expect(uses[0]!.completionTokens).toBeGreaterThan(0);

    const settings = await (await api(t.server.url, admin, ASSISTANT_PATHS.settings)).text();
    expect(settings).toContain('"hasKey":true');
    expect(settings).not.toContain(KEY);
    expect(t.logs.join('\n')).not.toContain(KEY);
    expect(await everythingStored(t)).not.toContain(KEY);
  });

  it('masks phone numbers and email addresses before the prompt leaves the server when the admin asks', async () => {
    const { sim, t, sam, conversationId, messageIds } = await setup({ mask: true });
    await collect(await suggest(t, sam, { conversationId, messageIds }));
    const prompt = sim.completions[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).not.toContain('555-0142');
    expect(prompt).not.toContain('jo@example.com');
    expect(prompt).toContain('Call me on [phone] or write to [email]');
  });

  it('generates one draft in the chosen tone', async () => {
    const { sim, t, sam, conversationId } = await setup();
    const res = await fetch(`${t.server.url}${ASSISTANT_PATHS.generate}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sam}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId, intent: 'the replacement ships tomorrow', tone: 'apologetic' }),
    });
    const { texts, end } = await collect(res);
    expect(end?.type).toBe('done');
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/we are very sorry about this\. The replacement ships tomorrow\./);
    expect(sim.completions[0]!.messages.at(-1)!.content).toContain('Tone: apologetic');
  });

  it('answers only members of the conversation’s inbox, and only admins see or change the settings', async () => {
    const { t, sam, conversationId, messageIds } = await setup();
    const alex = await signIn(t.server.url, ALEX);
    const refused = await suggest(t, alex, { conversationId, messageIds });
    expect(refused.status).toBe(404);
    expect((await api(t.server.url, sam, ASSISTANT_PATHS.settings)).status).toBe(403);
    expect((await api(t.server.url, sam, ASSISTANT_PATHS.uses)).status).toBe(403);
    expect((await suggest(t, 'not-a-token', { conversationId, messageIds })).status).toBe(401);
    const bad = await suggest(t, sam, { conversationId, messageIds: [] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('tick at least one message');
  });

  const failures: Array<[OpenAiFailure, string]> = [
    ['key_refused', 'key_refused'],
    ['quota', 'quota_exhausted'],
    ['payment_required', 'quota_exhausted'],
    ['rate_limited', 'provider_rate_limited'],
    ['server_error', 'provider_error'],
    ['drop_mid_stream', 'unreachable'],
  ];
  it.each(failures)('a provider failing with %s is told as %s, in words, and audited', async (failure, code) => {
    const { sim, t, admin, sam, conversationId, messageIds } = await setup();
    sim.failNext.push(failure);
    const { end } = await collect(await suggest(t, sam, { conversationId, messageIds }));
    expect(end).toMatchObject({ type: 'error', code });
    expect(end?.type === 'error' && end.message.length).toBeGreaterThan(20);
    const uses = AssistantUse.array().parse(await (await api(t.server.url, admin, ASSISTANT_PATHS.uses)).json());
    expect(uses[0]?.outcome).toBe(code);
    expect(t.logs.join('\n')).not.toContain(KEY);
  });

  it('says the provider is unreachable when nothing listens at its address, and timed out when it hangs', async () => {
    const { sim, t, admin, sam, conversationId, messageIds } = await setup({ server: { assistant: { timeoutMs: 300 } } });
    sim.failNext.push('hang');
    expect((await collect(await suggest(t, sam, { conversationId, messageIds }))).end).toMatchObject({ type: 'error', code: 'timed_out' });
    await sim.close();
    expect((await collect(await suggest(t, sam, { conversationId, messageIds }))).end).toMatchObject({ type: 'error', code: 'unreachable' });
    await configure(t.server.url, admin, { baseUrl: 'http://127.0.0.1:9', key: KEY });
    expect((await collect(await suggest(t, sam, { conversationId, messageIds }))).end).toMatchObject({ type: 'error', code: 'unreachable' });
  });

  it('aborts the upstream request when the agent cancels, and audits the use as cancelled', async () => {
    const { sim, t, admin, sam, conversationId, messageIds } = await setup({ sim: { chunkDelayMs: 40 } });
    const cancel = new AbortController();
    const res = await suggest(t, sam, { conversationId, messageIds }, cancel.signal);
    const events = streamEvents(res);
    for await (const e of events) if (e.type === 'delta') break;
    cancel.abort();
    await until(() => sim.completions[0]?.aborted, 'the provider call to be aborted');
    let uses: AssistantUse[] = [];
    // The server records the use once its provider call has unwound; poll its listing until it shows.
    for (let i = 0; i < 100 && uses.length === 0; i++) {
      uses = AssistantUse.array().parse(await (await api(t.server.url, admin, ASSISTANT_PATHS.uses)).json());
      if (uses.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(uses[0]?.outcome).toBe('cancelled');
  });

  it('limits how often one person asks', async () => {
    const { t, sam, conversationId, messageIds } = await setup({ server: { assistant: { rateLimit: new InProcessAssistantRateLimit({ limit: 2, windowMs: 3_600_000 }) } } });
    for (let i = 0; i < 2; i++) expect((await collect(await suggest(t, sam, { conversationId, messageIds }))).end?.type).toBe('done');
    const refused = await suggest(t, sam, { conversationId, messageIds });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('offers nothing to a Contact Center organisation, and refuses to enable it there', async () => {
    const { t, admin, sam, conversationId, messageIds } = await setup();
    const quiet = () => {};
    expect(await runAssistantCli('org:edition', ['contact-center', ...(await adminArgsFor(t.dataDir))], quiet, quiet)).toBe(0);
    const status = AssistantStatus.parse(await (await api(t.server.url, sam, ASSISTANT_PATHS.status)).json());
    expect(status).toMatchObject({ edition: 'contact_center', available: false, enabled: false });
    const refused = await suggest(t, sam, { conversationId, messageIds });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'not_available' } });
    const enable = await api(t.server.url, admin, ASSISTANT_PATHS.settings, { method: 'PUT', body: { baseUrl: 'http://127.0.0.1:9', model: 'm', maskContactDetails: false, enabled: true } });
    expect(enable.status).toBe(409);
  });
});
