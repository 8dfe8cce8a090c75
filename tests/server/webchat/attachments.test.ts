import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS } from '../../../protocol/attachments.ts';
import { WebchatUploadResponse } from '../../../protocol/webchat.ts';
import { visitorHandle } from '../../../server/webchat/visitors.ts';
import { clientMessageId, PDF, PNG, startChat, until } from './harness.ts';

let chat: Awaited<ReturnType<typeof startChat>>;
afterEach(async () => {
  await chat?.close();
});

const conversationOf = async (token: string) =>
  await chat.t.storage.transaction(async (tx) => await tx.findLatestConversation('ch_sales_web', visitorHandle('ch_sales_web', token)));

async function uploaded(token: string, body = PNG, init: Parameters<typeof chat.upload>[2] = {}) {
  const res = await chat.upload(token, body, init);
  expect(res.status, await res.clone().text()).toBe(201);
  return WebchatUploadResponse.parse(await res.json());
}

describe('web chat attachments: visitor uploads', () => {
  it('stores an upload, attaches it to the next message and lets only that visitor read it', async () => {
    chat = await startChat();
    const { v, token } = await chat.visitor();
    const file = await uploaded(token);
    expect(file).toMatchObject({ name: 'photo.png', contentType: 'image/png', size: PNG.length });
    // Not readable before a message carries it.
    expect((await chat.download(token, file.id)).status).toBe(404);

    const id = clientMessageId();
    v.send({ type: 'send', clientMessageId: id, body: '', attachmentIds: [file.id] });
    const echo = await v.next('message', (f) => f.clientMessageId === id);
    expect(echo.message.attachments).toEqual([file]);

    const conversation = (await conversationOf(token))!;
    expect(await chat.t.get('message', echo.message.id)).toMatchObject({ direction: 'in', attachments: [file] });
    expect(conversation.lastMessagePreview).toBe('Photo');
    // Committed like an MMS file: agents of the inbox read it through /api/attachments.
    expect(await chat.store.get(file.id)).toMatchObject({ conversationId: conversation.id });
    expect(await chat.hub.uploads!.pendingOf('ch_sales_web', visitorHandle('ch_sales_web', token))).toBe(0);

    const res = await chat.download(token, file.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);

    // Another visitor's token, a made-up token, no token: nothing.
    const other = await chat.visitor();
    expect((await chat.download(other.token, file.id)).status).toBe(404);
    expect((await chat.download('q'.repeat(43), file.id)).status).toBe(404);
    expect((await chat.download(null, file.id)).status).toBe(401);
    expect((await chat.download(token, file.id, 'widget-support')).status).toBe(404);
  });

  it('refuses files by type, signature, size and emptiness, and unknown or unconnected visitors', async () => {
    chat = await startChat();
    const { token } = await chat.visitor();
    expect((await chat.upload(token, Buffer.from('MZ...'), { type: 'application/x-msdownload', name: 'setup.exe' })).status).toBe(415);
    expect((await chat.upload(token, Buffer.from('<html><script>x</script>'), { type: 'image/png' })).status).toBe(415);
    expect((await chat.upload(token, Buffer.alloc(ATTACHMENT_LIMITS.maxTotalBytes + 1, 1), { type: 'text/plain', name: 'a.txt' })).status).toBe(413);
    expect((await chat.upload(token, Buffer.alloc(0), { type: 'text/plain', name: 'a.txt' })).status).toBe(400);
    expect((await chat.upload(null, PNG)).status).toBe(401);
    expect((await chat.upload('bad token', PNG)).status).toBe(401);
    expect((await chat.upload(token, PNG, { widget: 'no-such-widget' })).status).toBe(404);
    // A well-formed token with no live socket (never said hello) cannot upload.
    const refused = await chat.upload(randomUUID().replaceAll('-', ''), PNG);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/not connected/);
    expect(chat.t.logs.filter((l) => l.includes('failed'))).toEqual([]);
  });

  it('refuses a message naming another visitor’s upload or an unknown one, and sends nothing', async () => {
    chat = await startChat();
    const a = await chat.visitor();
    const b = await chat.visitor();
    const aFile = await uploaded(a.token);

    const id = clientMessageId();
    b.v.send({ type: 'send', clientMessageId: id, body: 'look', attachmentIds: [aFile.id] });
    const error = await b.v.next('error', (f) => f.clientMessageId === id);
    expect(error).toMatchObject({ code: 'not_sent' });
    expect(error.message).toMatch(/attach the file again/);
    expect(await conversationOf(b.token)).toBeNull();

    const unknown = clientMessageId();
    b.v.send({ type: 'send', clientMessageId: unknown, body: '', attachmentIds: [`att_${'0'.repeat(32)}`] });
    expect((await b.v.next('error', (f) => f.clientMessageId === unknown)).code).toBe('not_sent');

    // A's file is still A's to send.
    const mine = clientMessageId();
    a.v.send({ type: 'send', clientMessageId: mine, body: 'mine', attachmentIds: [aFile.id] });
    expect((await a.v.next('message', (f) => f.clientMessageId === mine)).message.attachments.map((x) => x.id)).toEqual([aFile.id]);
  });

  it('a resend of the same message (after a reconnect) is received once', async () => {
    chat = await startChat();
    const { v, token } = await chat.visitor();
    const file = await uploaded(token);
    const id = clientMessageId();
    v.send({ type: 'send', clientMessageId: id, body: 'photo', attachmentIds: [file.id] });
    const first = await v.next('message', (f) => f.clientMessageId === id);
    v.close();
    const again = await chat.visitor(token);
    again.v.send({ type: 'send', clientMessageId: id, body: 'photo', attachmentIds: [file.id] });
    const second = await again.v.next('message', (f) => f.clientMessageId === id);
    expect(second.message.id).toBe(first.message.id);
  });

  it('expires unsent uploads and enforces the per-visitor quota', async () => {
    chat = await startChat({ uploadQuota: { maxPendingFiles: 2, pendingTtlMs: 60_000 } });
    const { token } = await chat.visitor();
    const one = await uploaded(token);
    await uploaded(token);
    const third = await chat.upload(token, PNG);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
    expect(await chat.store.blobs.exists(one.id)).toBe(true);
  });
});

describe('web chat attachments: agent replies', () => {
  it('shows an agent file to its visitor only once sent, as a download', async () => {
    chat = await startChat();
    const { v, token } = await chat.visitor();
    const hello = clientMessageId();
    v.send({ type: 'send', clientMessageId: hello, body: 'hi' });
    await v.next('message', (f) => f.clientMessageId === hello);
    const conversation = (await conversationOf(token))!;

    const file = await chat.agentFile(conversation.id, 'price list.pdf', 'application/pdf', PDF);
    // Uploaded by the agent but not sent: the visitor cannot read it.
    expect((await chat.download(token, file.id)).status).toBe(404);

    const messageId = `msg_${randomUUID()}`;
    expect(await chat.t.apply('user_sam', { name: 'message.send', args: { conversationId: conversation.id, messageId, body: 'Here you go', attachments: [file] } })).toEqual({ ok: true });
    const pushed = await v.next('message', (f) => f.message.id === messageId);
    expect(pushed.message).toMatchObject({ from: 'agent', attachments: [file] });

    const res = await chat.download(token, file.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="price list.pdf"');
    expect(res.headers.get('content-type')).toBe('application/pdf');

    const other = await chat.visitor();
    expect((await chat.download(other.token, file.id)).status).toBe(404);
    // The history of a returning visitor carries it too.
    const back = await chat.visitor(token);
    expect(back.welcome.history.find((m) => m.id === messageId)?.attachments).toEqual([file]);
    await until(async () => (await chat.t.get('message', messageId))?.status === 'sent');
  });
});
