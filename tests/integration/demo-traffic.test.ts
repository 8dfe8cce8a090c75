import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CAST } from '../../server/simulator/demo-cast.ts';
import { startDemoTraffic, type CustomerMessage, type DemoTraffic, type DemoTrafficOptions } from '../../server/simulator/demo-traffic.ts';
import { MAYA, SAM, SyncClient, signIn, startTestServer, type TestServer } from '../server/support/sync-client.ts';
import { messagesByProviderId, storedRecord, until } from './support/server-records.ts';
import { serverQuery } from './support/server-sql.ts';
import { seededRandom } from '../support/seeded-random.ts';

let t: TestServer | null = null;
let traffic: DemoTraffic | null = null;
let clients: SyncClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await traffic?.stop();
  await t?.close();
  traffic = null;
  t = null;
});

const conversationOf = (s: TestServer, id: string) => storedRecord(s, 'conversation', id);
const storedInbound = async (s: TestServer, m: CustomerMessage) => (await messagesByProviderId(s, m.providerId))[0];

async function start(options: Partial<DemoTrafficOptions>): Promise<{ t: TestServer; traffic: DemoTraffic; logs: string[] }> {
  t ??= await startTestServer();
  const logs: string[] = [];
  traffic = await startDemoTraffic({ server: t.server, dataDir: t.dataDir, database: t.options, log: (line) => logs.push(line), firstMessageAfterMs: 0, watchMs: 20, answerAfterMs: { min: 0, spread: 0 }, ...options });
  return { t, traffic, logs };
}

async function samReplies(s: TestServer, conversationId: string, messageId: string, body: string): Promise<void> {
  const sam = await SyncClient.connect(s.server.url);
  clients.push(sam);
  await sam.sync(await signIn(s.server.url, SAM), { clientId: `sam-${messageId}` });
  sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId, body } } }] });
  expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
}

describe('demo traffic', () => {
  it('customers write in through signed provider webhooks onto every demo SMS and WhatsApp channel, with MMS photos and a WhatsApp voice note', async () => {
    const { t, traffic, logs } = await start({ intervalMs: 40, random: seededRandom(7) });
    const accepted = () => traffic.customerMessages.filter((m) => m.status === 200);
    await until(async () => new Set(accepted().map((m) => m.channelId)).size === 4 && accepted().some((m) => m.withPhoto) && accepted().some((m) => m.withVoice), 'messages on all four channels, a photo and a voice note', 20_000);
    await traffic.stop();

    expect(traffic.customerMessages.every((m) => m.status === 200)).toBe(true);
    for (const sent of traffic.customerMessages) {
      const stored = await storedInbound(t, sent);
      expect(stored, `${sent.channelId} ${sent.providerId}`).toMatchObject({ direction: 'in', body: sent.withVoice ? '' : sent.body });
      expect(await conversationOf(t, stored!.conversationId)).toMatchObject({ channelId: sent.channelId, customerAddress: sent.from });
      const castMember = DEMO_CAST.find((c) => c.number === sent.from);
      expect(castMember?.channelId).toBe(sent.channelId);
      if (sent.withPhoto) expect(stored!.attachments).toEqual([expect.objectContaining({ contentType: 'image/png' })]);
      if (sent.withVoice) expect(stored!.attachments).toEqual([expect.objectContaining({ contentType: 'audio/ogg', name: 'voice-note.ogg' })]);
      // Provider ids of webhooks, not of the demo injection endpoint.
      expect(sent.providerId).toMatch(sent.channelId.endsWith('_wa') ? /^wamid\./ : sent.withPhoto ? /^MM/ : /^SM/);
      // Demo contacts (+1 206 555 01xx = contact_0xx in the seed) land on their contact; strangers on none.
      const contactId = sent.from.startsWith('+120655501') ? `contact_${String(Number(sent.from.slice(-2)) + 1).padStart(3, '0')}` : null;
      expect(stored!.authorId).toBe(contactId);
    }
    expect(traffic.simulators.twilio.mediaFetches.every((f) => f.authorized)).toBe(true);
    expect(logs.join('\n')).not.toContain(traffic.simulators.twilio.authToken);
  });

  it('an agent reply on a demo SMS channel goes to the simulator, comes back delivered, and the customer answers', async () => {
    // random 0: the first customer of the cast (Olivia, Sales SMS) writes, and always answers.
    const { t, traffic } = await start({ intervalMs: 600_000, random: () => 0 });
    const opening = await until(async () => traffic.customerMessages.find((m) => m.status === 200), 'the first customer message');
    expect(opening).toMatchObject({ channelId: 'ch_sales_sms', from: '+12065550100' });
    const conversationId = (await until(async () => (await storedInbound(t, opening)), 'the stored inbound')).conversationId;

    await samReplies(t, conversationId, 'msg_demo_reply_1', 'Yes! Want me to hold one?');
    const sent = await until(async () => traffic.simulators.twilio.sent.find((m) => m.form.Body === 'Yes! Want me to hold one?'), 'the reply at the simulator');
    expect(sent).toMatchObject({ authorized: true, form: { To: '+12065550100', From: '+14155550100' } });
    await until(async () => (await storedRecord(t, 'message', 'msg_demo_reply_1'))?.status === 'delivered', 'delivered');

    const answer = await until(async () => traffic.customerMessages.find((m) => m.followUp && m.status === 200), 'the customer to answer');
    expect(answer).toMatchObject({ channelId: 'ch_sales_sms', from: '+12065550100', body: DEMO_CAST[0]!.scripts[0]!.followUps[0] });
    expect((await storedInbound(t, answer))?.conversationId).toBe(conversationId);
  });

  it('an agent reply on a demo WhatsApp channel is delivered and answered on the same conversation', async () => {
    // random 0.25 picks the third customer of the cast (Jordan, Sales WhatsApp, not a contact).
    const { t, traffic } = await start({ intervalMs: 600_000, random: () => 0.25 });
    const opening = await until(async () => traffic.customerMessages.find((m) => m.status === 200), 'the first customer message');
    expect(opening).toMatchObject({ channelId: 'ch_sales_wa', from: DEMO_CAST[2]!.number });
    const conversationId = (await until(async () => (await storedInbound(t, opening)), 'the stored inbound')).conversationId;

    await samReplies(t, conversationId, 'msg_demo_wa_1', 'They run a half size small.');
    const sim = traffic.simulators.whatsapp.ch_sales_wa;
    const sent = await until(async () => sim.sends.find((m) => m.body.text?.body === 'They run a half size small.'), 'the reply at the simulator');
    expect(sent.authorized).toBe(true);
    await until(async () => (await storedRecord(t, 'message', 'msg_demo_wa_1'))?.status === 'delivered', 'delivered');
    const answer = await until(async () => traffic.customerMessages.find((m) => m.followUp && m.status === 200), 'the customer to answer');
    expect(answer.body).toBe(DEMO_CAST[2]!.scripts[0]!.followUps[0]);
    expect((await storedInbound(t, answer))?.conversationId).toBe(conversationId);
  });

  it('with interval 0 no customer writes, yet replies are still delivered; stop() closes the simulators and a restart reconfigures', async () => {
    const first = await start({ intervalMs: 0 });
    const { twilio, whatsapp } = first.traffic.simulators;
    await first.traffic.stop();
    for (const url of [twilio.url, whatsapp.ch_sales_wa.url, whatsapp.ch_support_wa.url]) await expect(fetch(url)).rejects.toThrow();
    // Without its simulators the workspace is back on the demo delivery: no channel points at a dead port.
    expect(await serverQuery(first.t.options, 'SELECT channel_id FROM channel_provider_config')).toEqual([]);

    // New simulators on new ports: the channels follow them.
    const { t, traffic } = await start({ intervalMs: 0 });
    expect(traffic.simulators.twilio.url).not.toBe(twilio.url);
    const sms = traffic.simulators.twilio;
    const params = sms.inboundParams({ from: '+12065550105', to: '+14155550110', body: 'Is the store open late today?', messageSid: 'SMdemo0001' });
    expect((await sms.postSigned(`${t.server.url}/webhooks/twilio/sms`, params)).status).toBe(200);
    const conversationId = (await messagesByProviderId(t, 'SMdemo0001'))[0]!.conversationId;
    const maya = await SyncClient.connect(t.server.url);
    clients.push(maya);
    await maya.sync(await signIn(t.server.url, MAYA), { clientId: 'maya-demo' });
    maya.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_demo_off', body: 'Until 8pm!' } } }] });
    expect((await maya.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    await until(async () => (await storedRecord(t, 'message', 'msg_demo_off'))?.status === 'delivered', 'delivered');
    expect(sms.sent.map((m) => m.form.Body)).toContain('Until 8pm!');
    expect(traffic.customerMessages).toEqual([]);
  });
});
