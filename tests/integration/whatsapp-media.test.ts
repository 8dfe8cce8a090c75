import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../protocol/domain.ts';
import { WhatsAppSimulator } from '../../server/simulator/whatsapp-simulator.ts';
import { ALEX, SAM, signIn, type TestServer } from '../server/support/sync-client.ts';
import { whatsAppChannelHarness } from './support/channel-harness.ts';
import { messagesByProviderId, storedRecord, until } from './support/server-records.ts';

const CHANNEL = 'ch_sales_wa';
const CUSTOMER = '+12065550105';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 9)]);
const OGG = Buffer.concat([Buffer.from('OggS', 'latin1'), Buffer.alloc(400, 3)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.alloc(100, 5)]);

const channel = whatsAppChannelHarness(CHANNEL);
const setup = channel.setup;

const message = (s: TestServer, id: string) => storedRecord(s, 'message', id);
const getAttachment = (s: TestServer, id: string, token: string) => fetch(`${s.server.url}/api/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });


/** A conversation with an open reply window (the customer just wrote), Sam signed in and synced. */
async function conversationWithSam(sim: WhatsAppSimulator, t: TestServer, hookUrl: string) {
  expect((await sim.postSigned(hookUrl, sim.inboundText({ from: CUSTOMER, body: 'Can you send the label?', id: 'wamid.open0001' }))).status).toBe(200);
  const conversationId = messagesByProviderId(t, 'wamid.open0001')[0]!.conversationId;
  const { client: sam, token } = await channel.signedIn(t, SAM, 'sam-wa-media');
  const upload = async (name: string, contentType: string, bytes: Buffer): Promise<Attachment> => {
    const res = await fetch(`${t.server.url}/api/attachments?conversationId=${conversationId}&name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: bytes,
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Attachment;
  };
  let nextId = 1;
  const send = async (messageId: string, body: string, attachments: Attachment[]) => {
    const id = nextId++;
    sam.send({ type: 'mutate', mutations: [{ id, mutation: { name: 'message.send', args: { conversationId, messageId, body, attachments } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === id)).result).toEqual({ ok: true });
  };
  return { conversationId, token, upload, send };
}

describe('WhatsApp media in', () => {
  it('downloads an image with its caption (bearer, media URL) into an attachment only inbox members can read', async () => {
    const { sim, t, hookUrl } = await setup();
    const payload = sim.inboundMedia({ from: CUSTOMER, type: 'image', contentType: 'image/png', body: PNG, caption: 'The box arrived torn', id: 'wamid.img0001', mediaId: '7001' });
    expect((await sim.postSigned(hookUrl, payload)).status).toBe(200);
    expect(sim.mediaFetches).toEqual([
      { id: '7001', step: 'info', authorized: true },
      { id: '7001', step: 'file', authorized: true },
    ]);
    const [stored] = messagesByProviderId(t, 'wamid.img0001');
    expect(stored).toMatchObject({ direction: 'in', body: 'The box arrived torn' });
    expect(stored?.attachments).toHaveLength(1);
    const att = stored!.attachments[0]!;
    expect(att).toMatchObject({ name: 'image.png', contentType: 'image/png', size: PNG.length });

    const samRead = await getAttachment(t, att.id, await signIn(t.server.url, SAM));
    expect(samRead.status).toBe(200);
    expect(samRead.headers.get('content-type')).toContain('image/png');
    expect(Buffer.from(await samRead.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await getAttachment(t, att.id, await signIn(t.server.url, ALEX))).status).toBe(404);

    // A retry of the same webhook neither stores nor downloads anything again.
    expect((await sim.postSigned(hookUrl, payload)).status).toBe(200);
    expect(messagesByProviderId(t, 'wamid.img0001')).toHaveLength(1);
    expect(sim.mediaFetches).toHaveLength(2);
  });

  it('stores a voice note as audio/ogg, a document by its filename, and notes a type it does not keep', async () => {
    const { sim, t, hookUrl } = await setup();
    const voice = sim.inboundMedia({ from: CUSTOMER, type: 'audio', contentType: 'audio/ogg; codecs=opus', body: OGG, voice: true, id: 'wamid.voice0001' });
    expect((await sim.postSigned(hookUrl, voice)).status).toBe(200);
    const [note] = messagesByProviderId(t, 'wamid.voice0001');
    expect(note?.body).toBe('');
    expect(note?.attachments).toEqual([expect.objectContaining({ name: 'voice-note.ogg', contentType: 'audio/ogg', size: OGG.length })]);
    const played = await getAttachment(t, note!.attachments[0]!.id, await signIn(t.server.url, SAM));
    expect(Buffer.from(await played.arrayBuffer()).equals(OGG)).toBe(true);

    const doc = sim.inboundMedia({ from: CUSTOMER, type: 'document', contentType: 'application/pdf', body: PDF, filename: 'invoice 42.pdf', caption: 'My invoice', id: 'wamid.doc0001' });
    expect((await sim.postSigned(hookUrl, doc)).status).toBe(200);
    expect(messagesByProviderId(t, 'wamid.doc0001')[0]).toMatchObject({
      body: 'My invoice',
      attachments: [expect.objectContaining({ name: 'invoice 42.pdf', contentType: 'application/pdf', size: PDF.length })],
    });

    const fetchesBefore = sim.mediaFetches.length;
    const zip = sim.inboundMedia({ from: CUSTOMER, type: 'document', contentType: 'application/zip', body: Buffer.from('PK'), filename: 'photos.zip', id: 'wamid.zip0001' });
    expect((await sim.postSigned(hookUrl, zip)).status).toBe(200);
    const [refused] = messagesByProviderId(t, 'wamid.zip0001');
    expect(refused?.attachments).toEqual([]);
    expect(refused?.body).toBe('[not stored: photos.zip: type application/zip is not accepted]');
    expect(sim.mediaFetches).toHaveLength(fetchesBefore);
  });

  it('answers 500 when the download fails, keeps no partial file, and stores the message exactly once on retry', async () => {
    const { sim, t, hookUrl } = await setup();
    const payload = sim.inboundMedia({ from: CUSTOMER, type: 'image', contentType: 'image/png', body: PNG, caption: 'retry me', id: 'wamid.flaky0001' });
    sim.failMediaDownloads = 1;
    expect((await sim.postSigned(hookUrl, payload)).status).toBe(500);
    expect(messagesByProviderId(t, 'wamid.flaky0001')).toHaveLength(0);
    const attachmentsDir = join(t.dataDir, 'attachments');
    expect(readdirSync(attachmentsDir)).toEqual([]);

    expect((await sim.postSigned(hookUrl, payload)).status).toBe(200);
    expect((await sim.postSigned(hookUrl, payload)).status).toBe(200);
    const stored = messagesByProviderId(t, 'wamid.flaky0001');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ body: 'retry me', attachments: [expect.objectContaining({ contentType: 'image/png', size: PNG.length })] });
    // One committed file (its bytes; the facts are in the database), nothing left half-written.
    expect(readdirSync(attachmentsDir)).toEqual([stored[0]!.attachments[0]!.id]);
    expect(t.logs.join('\n')).not.toContain(sim.accessToken);
  });
});

describe('WhatsApp media out', () => {
  it('uploads an image and sends it with the reply as caption; statuses move the message to delivered', async () => {
    const { sim, t, hookUrl } = await setup();
    const { upload, send } = await conversationWithSam(sim, t, hookUrl);
    const png = await upload('label.png', 'image/png', PNG);
    await send('msg_wa_img', 'Here is your return label', [png]);

    const up = await until(() => sim.uploads[0], 'the upload');
    expect(up).toMatchObject({ phoneNumberId: sim.phoneNumberId, messagingProduct: 'whatsapp', type: 'image/png', filename: 'label.png', contentType: 'image/png', authorized: true });
    expect(up.bytes.equals(PNG)).toBe(true);
    const sent = await until(() => sim.sends[0], 'the send');
    expect(sent.authorized).toBe(true);
    expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: up.id, caption: 'Here is your return label' }, biz_opaque_callback_data: 'msg_wa_img' });
    const delivered = await until(() => (message(t, 'msg_wa_img')?.status === 'delivered' ? message(t, 'msg_wa_img') : null), 'delivered');
    expect(delivered.providerId).toBe(sent.wamid);
    expect(sim.sends).toHaveLength(1);
  });

  it('sends a voice note as audio with voice: true, its text first (audio has no caption)', async () => {
    const { sim, t, hookUrl } = await setup();
    const { upload, send } = await conversationWithSam(sim, t, hookUrl);
    const ogg = await upload('reply.ogg', 'audio/ogg', OGG);
    await send('msg_wa_voice', 'Listen to this', [ogg]);

    await until(() => sim.sends.length >= 2 && sim.sends, 'both sends');
    const [text, audio] = sim.sends;
    expect(text?.body).toMatchObject({ type: 'text', text: { body: 'Listen to this' } });
    expect(text?.body).not.toHaveProperty('biz_opaque_callback_data');
    expect(sim.uploads).toHaveLength(1);
    expect(sim.uploads[0]).toMatchObject({ type: 'audio/ogg', filename: 'reply.ogg', authorized: true });
    expect(sim.uploads[0]!.bytes.equals(OGG)).toBe(true);
    expect(audio?.body).toMatchObject({ type: 'audio', audio: { id: sim.uploads[0]!.id, voice: true }, biz_opaque_callback_data: 'msg_wa_voice' });
    const delivered = await until(() => (message(t, 'msg_wa_voice')?.status === 'delivered' ? message(t, 'msg_wa_voice') : null), 'delivered');
    expect(delivered.providerId).toBe(audio?.wamid);
  });

  it('fails a message with an attachment WhatsApp does not accept, before any provider call', async () => {
    const { sim, t, hookUrl } = await setup();
    const { upload, send } = await conversationWithSam(sim, t, hookUrl);
    const wav = await upload('message.wav', 'audio/wav', Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(64, 1)]));
    await send('msg_wa_wav', 'A recording', [wav]);
    const failed = await until(() => (message(t, 'msg_wa_wav')?.status === 'failed' ? message(t, 'msg_wa_wav') : null), 'failed');
    expect(failed.statusReason).toMatch(/^WhatsApp does not accept audio\/wav attachments \(message\.wav\)/);
    expect(sim.uploads).toHaveLength(0);
    expect(sim.sends).toHaveLength(0);
  });
});
