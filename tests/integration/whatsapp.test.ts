import { describe, expect, it } from 'vitest';
import { configureWhatsAppChannel } from '../../server/channels/whatsapp-cli.ts';
import { SAM, SyncClient, type TestServer } from '../server/support/sync-client.ts';
import { whatsAppChannelHarness } from './support/channel-harness.ts';
import { messagesByProviderId, storedRecord, until } from './support/server-records.ts';
import { serverExec } from './support/server-sql.ts';

const CHANNEL = 'ch_sales_wa';
const CUSTOMER = '+12065550105';

const channel = whatsAppChannelHarness(CHANNEL);
const setup = channel.setup;

const messagesByWamid = messagesByProviderId;
const message = (s: TestServer, id: string) => storedRecord(s, 'message', id);


async function samOn(server: TestServer): Promise<SyncClient> {
  const { client: sam } = await channel.signedIn(server, SAM, 'sam-whatsapp');
  return sam;
}

describe('WhatsApp Cloud API channel', () => {
  it('answers the verification handshake only with the configured verify token', async () => {
    const { sim, hookUrl } = await setup();
    const ok = await fetch(`${hookUrl}?hub.mode=subscribe&hub.verify_token=${sim.verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${hookUrl}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${hookUrl}?hub.mode=unsubscribe&hub.verify_token=${sim.verifyToken}&hub.challenge=1`)).status).toBe(403);
  });

  it('stores a signed inbound text once, refuses tampered or unsigned payloads, 400s malformed ones, never logs secrets', async () => {
    const { sim, t, hookUrl } = await setup();
    const payload = sim.inboundText({ from: CUSTOMER, body: 'Hola from WhatsApp', id: 'wamid.inbound0001' });
    expect((await sim.postSigned(hookUrl, payload)).status).toBe(200);
    expect((await sim.postSigned(hookUrl, payload)).status).toBe(200); // Meta retry
    const stored = await messagesByWamid(t, 'wamid.inbound0001');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ direction: 'in', body: 'Hola from WhatsApp' });

    const forged = sim.inboundText({ from: CUSTOMER, body: 'evil', id: 'wamid.forged0001' });
    const harmless = JSON.stringify(sim.inboundText({ from: CUSTOMER, body: 'harmless', id: 'wamid.forged0001' }));
    expect((await sim.postSigned(hookUrl, forged, { signedBody: harmless })).status).toBe(403);
    expect((await sim.postSigned(hookUrl, forged, { secret: 'not-the-secret' })).status).toBe(403);
    expect((await sim.postSigned(hookUrl, forged, { signature: null })).status).toBe(403);
    // The signature covers the raw bytes: the same JSON re-spaced no longer matches.
    const raw = JSON.stringify(forged);
    expect((await sim.postSigned(hookUrl, JSON.stringify(forged, null, 1), { signedBody: raw })).status).toBe(403);
    expect(await messagesByWamid(t, 'wamid.forged0001')).toHaveLength(0);

    expect((await sim.postSigned(hookUrl, '{not json')).status).toBe(400);
    expect((await sim.postSigned(hookUrl, { entry: [{ changes: [{ value: { messages: [] } }] }] })).status).toBe(400);
    const textless = sim.envelope({ messages: [{ from: '12065550105', id: 'wamid.bad', type: 'text' }] });
    expect((await sim.postSigned(hookUrl, textless)).status).toBe(400);
    expect(await messagesByWamid(t, 'wamid.bad')).toHaveLength(0);
    // Media are downloaded before the webhook is answered (whatsapp-media.test.ts); a media id the
    // Graph API does not know cannot be, so the webhook is answered 500 for Meta to retry and nothing is stored.
    const unknownMedia = sim.envelope({ messages: [{ from: '12065550105', id: 'wamid.img', type: 'image', image: { id: 'media-1', mime_type: 'image/jpeg' } }] });
    expect((await sim.postSigned(hookUrl, unknownMedia)).status).toBe(500);
    expect(await messagesByWamid(t, 'wamid.img')).toHaveLength(0);

    const logs = t.logs.join('\n');
    for (const secret of [sim.appSecret, sim.accessToken, sim.verifyToken]) expect(logs).not.toContain(secret);
  });

  it('sends replies through the Graph API and follows status webhooks to delivered or failed', async () => {
    const { sim, t, hookUrl } = await setup();
    await sim.postSigned(hookUrl, sim.inboundText({ from: CUSTOMER, body: 'Where is my order?', id: 'wamid.inbound0002' }));
    const conversationId = (await messagesByWamid(t, 'wamid.inbound0002'))[0]!.conversationId;
    const sam = await samOn(t);

    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_wa_1', body: 'On its way!' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    const sent = await until(async () => sim.sends[0], 'the simulator to receive the reply');
    expect(sent.authorized).toBe(true);
    expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'On its way!' } });
    const delivered = await until(async () => ((await message(t, 'msg_wa_1'))?.status === 'delivered' ? (await message(t, 'msg_wa_1')) : null), 'delivered');
    expect(delivered.providerId).toBe(sent.wamid);

    sim.autoStatuses = [{ status: 'sent' }, { status: 'failed', error: { code: 131047, title: 'Re-engagement message' } }];
    sam.send({ type: 'mutate', mutations: [{ id: 2, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_wa_2', body: 'Still there?' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 2)).result).toEqual({ ok: true });
    const failed = await until(async () => ((await message(t, 'msg_wa_2'))?.status === 'failed' ? (await message(t, 'msg_wa_2')) : null), 'failed');
    expect(failed.statusReason).toBe('WhatsApp error 131047: Re-engagement message');

    // Status webhooks are signed too.
    const forged = sim.envelope({ statuses: [{ id: sent.wamid, status: 'failed', errors: [{ code: 1, title: 'x' }] }] });
    expect((await sim.postSigned(hookUrl, forged, { secret: 'wrong' })).status).toBe(403);
    expect((await message(t, 'msg_wa_1'))?.status).toBe('delivered');
  });

  it('a refused send is failed with the Graph error', async () => {
    const { sim, t, hookUrl } = await setup();
    await configureWhatsAppChannel(t.options, CHANNEL, {
      phoneNumberId: sim.phoneNumberId,
      accessToken: 'EAAGexpired',
      appSecret: sim.appSecret,
      verifyToken: sim.verifyToken,
      graphBaseUrl: sim.url,
    });
    await sim.postSigned(hookUrl, sim.inboundText({ from: CUSTOMER, body: 'hi', id: 'wamid.inbound0003' }));
    const conversationId = (await messagesByWamid(t, 'wamid.inbound0003'))[0]!.conversationId;
    const sam = await samOn(t);
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_wa_401', body: 'hello' } } }] });
    const failed = await until(async () => ((await message(t, 'msg_wa_401'))?.status === 'failed' ? (await message(t, 'msg_wa_401')) : null), 'failed');
    expect(failed.statusReason).toBe('WhatsApp refused the message (190): Invalid OAuth access token.');
    expect(t.logs.join('\n')).not.toContain('EAAGexpired');
  });

  it('refuses a reply outside the 24-hour window with window_closed before any provider call', async () => {
    const { sim, t, hookUrl } = await setup();
    await sim.postSigned(hookUrl, sim.inboundText({ from: CUSTOMER, body: 'old question', id: 'wamid.old0001' }));
    const conversationId = (await messagesByWamid(t, 'wamid.old0001'))[0]!.conversationId;
    await serverExec(t.options, "UPDATE messages SET created_at = 1000 WHERE conversation_id = ? AND direction = 'in'", conversationId);
    const sam = await samOn(t);
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_wa_late', body: 'sorry for the delay' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toMatchObject({ ok: false, code: 'window_closed' });
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.sends).toHaveLength(0);
    expect(await message(t, 'msg_wa_late')).toBeUndefined();
  });

  it('sends an approved template outside the window as a Cloud API template message', async () => {
    const { sim, t, hookUrl } = await setup();
    await sim.postSigned(hookUrl, sim.inboundText({ from: CUSTOMER, body: 'old question', id: 'wamid.old0002' }));
    const conversationId = (await messagesByWamid(t, 'wamid.old0002'))[0]!.conversationId;
    await serverExec(t.options, "UPDATE messages SET created_at = 1000 WHERE conversation_id = ? AND direction = 'in'", conversationId);
    const sam = await samOn(t);
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.sendTemplate', args: { conversationId, messageId: 'msg_wa_tpl', templateId: 'tpl_sales_follow_up' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    const sent = await until(async () => sim.sends[0], 'the simulator to receive the template');
    expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'follow_up', language: { code: 'en_US' } } });
    expect(sent.body).not.toHaveProperty('text');
    expect(sent.body.template).not.toHaveProperty('components');
    await until(async () => (await message(t, 'msg_wa_tpl'))?.status === 'delivered', 'delivered');

    // A template with {{1}} {{2}}: the values go as body parameters, in order; the stored body is the filled text.
    const parameters = ['Dana', '#4417'];
    sam.send({ type: 'mutate', mutations: [{ id: 2, mutation: { name: 'message.sendTemplate', args: { conversationId, messageId: 'msg_wa_tpl2', templateId: 'tpl_sales_order_update', parameters } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 2)).result).toEqual({ ok: true });
    const second = await until(async () => sim.sends[1], 'the simulator to receive the second template');
    expect(second.body.template).toEqual({
      name: 'order_update',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Dana' }, { type: 'text', text: '#4417' }] }],
    });
    expect((await message(t, 'msg_wa_tpl2'))?.body).toBe('Hi Dana, your Northwind Outfitters order #4417 has an update. Reply to this message and we will share the details.');
    await until(async () => (await message(t, 'msg_wa_tpl2'))?.status === 'delivered', 'delivered');
  });
});
