import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../protocol/domain.ts';
import { MediaLinks } from '../../server/channels/media-links.ts';
import { storedMediaSecret } from './support/server-records.ts';
import { ALEX, SAM, signIn, type TestServer } from '../server/support/sync-client.ts';
import { twilioChannelHarness } from './support/channel-harness.ts';
import { messagesByProviderId, until } from './support/server-records.ts';

const CHANNEL = 'ch_sales_sms';
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+12065550105';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);

const channel = twilioChannelHarness(CHANNEL);
const setup = channel.setup;

const messagesBySid = messagesByProviderId;


const getAttachment = (s: TestServer, id: string, token: string) => fetch(`${s.server.url}/api/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });

describe('Twilio MMS media', () => {
  it('downloads inbound media (Basic auth) into attachments readable by members only, and refuses media over the limits', async () => {
    const { sim, t, smsUrl } = await setup();
    const url = sim.serveMedia('photo1', 'image/png', PNG);
    const params = sim.withMedia(sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'See the tear', messageSid: 'MMinbound0001' }), [{ url, contentType: 'image/png' }]);
    expect((await sim.postSigned(smsUrl, params)).status).toBe(200);
    expect(sim.mediaFetches).toEqual([{ name: 'photo1', authorized: true }]);
    const [stored] = await messagesBySid(t, 'MMinbound0001');
    expect(stored?.body).toBe('See the tear');
    expect(stored?.attachments).toHaveLength(1);
    const att = stored!.attachments[0] as Attachment;
    expect(att).toMatchObject({ contentType: 'image/png', size: PNG.length });

    const samRead = await getAttachment(t, att.id, await signIn(t.server.url, SAM));
    expect(samRead.status).toBe(200);
    expect(Buffer.from(await samRead.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await getAttachment(t, att.id, await signIn(t.server.url, ALEX))).status).toBe(404);

    // Over the limits: a disallowed type and a file over 5 MB are not stored, and the message says so.
    const big = sim.serveMedia('big', 'video/mp4', Buffer.alloc(5 * 1024 * 1024 + 1, 1));
    const exe = sim.serveMedia('exe', 'application/x-msdownload', Buffer.from('MZ'));
    const over = sim.withMedia(sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: '', messageSid: 'MMinbound0002' }), [
      { url: big, contentType: 'video/mp4' },
      { url: exe, contentType: 'application/x-msdownload' },
    ]);
    expect((await sim.postSigned(smsUrl, over)).status).toBe(200);
    const [refused] = await messagesBySid(t, 'MMinbound0002');
    expect(refused?.attachments).toEqual([]);
    expect(refused?.body).toMatch(/not stored: .*over the 5\.0 MB limit.*not accepted/);
  });

  it('sends outbound attachments as signed, expiring MediaUrl links; tampered or expired links are 403', async () => {
    const { sim, t, smsUrl } = await setup();
    await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'Photo please', messageSid: 'MMinbound0003' }));
    const conversationId = (await messagesBySid(t, 'MMinbound0003'))[0]!.conversationId;
    const token = await signIn(t.server.url, SAM);
    const upload = await fetch(`${t.server.url}/api/attachments?conversationId=${conversationId}&name=pack.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(upload.status).toBe(201);
    const attachment = (await upload.json()) as Attachment;

    const { client: sam } = await channel.signedIn(t, SAM, 'sam-mms');
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_mms_1', body: 'Here it is', attachments: [attachment] } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    const sent = await until(async () => sim.sent[0], 'the simulator to receive the MMS');
    expect(sent.mediaUrls).toHaveLength(1);
    const link = new URL(sent.mediaUrls[0]!);
    expect(`${link.origin}${link.pathname}`).toBe(`${t.server.url}/media/${attachment.id}`);
    expect(link.searchParams.get('sig')).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(link.searchParams.get('exp'))).toBeGreaterThan(Date.now());

    const fetched = await fetch(link);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(PNG)).toBe(true);

    const tampered = new URL(link);
    tampered.searchParams.set('exp', String(Number(link.searchParams.get('exp')) + 1000));
    expect((await fetch(tampered)).status).toBe(403);
    const badSig = new URL(link);
    badSig.searchParams.set('sig', 'f'.repeat(64));
    expect((await fetch(badSig)).status).toBe(403);
    expect((await fetch(`${t.server.url}/media/${attachment.id}`)).status).toBe(403);
    const expired = new URL(new MediaLinks(await storedMediaSecret(t.options)).url(t.server.url, attachment.id, Date.now() - 2 * 60 * 60 * 1000));
    expect((await fetch(expired)).status).toBe(403);
  });
});
