import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebchatCloseCode } from '../../protocol/webchat.ts';
import { visitorHandle } from '../../server/webchat/visitors.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';
import { startWebchat, Visitor } from './support/webchat-client.ts';

let t: TestDomain;
let chat: Awaited<ReturnType<typeof startWebchat>>;
const open: Visitor[] = [];

beforeEach(async () => {
  t = await openTestDomain();
  chat = await startWebchat(t);
});
afterEach(async () => {
  for (const v of open.splice(0)) v.close();
  await chat.close();
  await t.close();
});

async function visitor(visitorToken: string | null = null, extra: Record<string, string> = {}) {
  const v = await Visitor.open(chat.url);
  open.push(v);
  v.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken, ...extra });
  const welcome = await v.next('welcome');
  return { v, welcome, handle: visitorHandle('ch_sales_web', welcome.visitorToken) };
}

async function say(v: Visitor, body: string) {
  const clientMessageId = randomUUID().replaceAll('-', '');
  v.send({ type: 'send', clientMessageId, body });
  return (await v.next('message', (f) => f.clientMessageId === clientMessageId)).message;
}

async function conversationOf(handle: string) {
  return await t.storage.transaction(async (tx) => await tx.findLatestConversation('ch_sales_web', handle));
}

async function agentReply(conversationId: string, body: string): Promise<string> {
  const messageId = `msg_${randomUUID()}`;
  expect(await t.apply('user_sam', { name: 'message.send', args: { conversationId, messageId, body, attachments: [] } })).toEqual({ ok: true });
  return messageId;
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('web chat hub', () => {
  it('issues a token, takes visitor messages through the inbound path, and resumes with history', async () => {
    const { v, welcome, handle } = await visitor();
    expect(welcome).toMatchObject({ title: 'Sales web chat', history: [] });
    const sent = await say(v, 'Do you ship to Canada?');
    const conversation = (await conversationOf(handle))!;
    expect(conversation).toMatchObject({ inboxId: 'inbox_sales', customerAddress: handle, status: 'open', lastMessagePreview: 'Do you ship to Canada?' });
    expect(await t.get('message', sent.id)).toMatchObject({ direction: 'in', conversationId: conversation.id });
    v.close();

    const again = await visitor(welcome.visitorToken);
    expect(again.welcome.visitorToken).toBe(welcome.visitorToken);
    expect(again.welcome.history.map((m) => [m.from, m.body])).toEqual([['visitor', 'Do you ship to Canada?']]);
    await say(again.v, 'Still there?');
    expect((await conversationOf(handle))!.id).toBe(conversation.id);
  });

  it('pushes agent replies live (sent), marks them delivered on ack, and queues them while away', async () => {
    const { v, welcome, handle } = await visitor();
    await say(v, 'hello');
    const conversationId = (await conversationOf(handle))!.id;

    const live = await agentReply(conversationId, 'Hi! How can I help?');
    const pushed = await v.next('message', (f) => f.message.id === live);
    expect(pushed.message).toMatchObject({ from: 'agent', body: 'Hi! How can I help?' });
    await until(async () => (await t.get('message', live))?.status === 'sent');
    v.send({ type: 'ack', messageIds: [live] });
    await until(async () => (await t.get('message', live))?.status === 'delivered');

    v.close();
    await until(() => chat.hub.socketsOf('ch_sales_web', handle) === 0);
    const away = await agentReply(conversationId, 'Sent while you were away');
    await new Promise((r) => setTimeout(r, 50));
    expect((await t.get('message', away))?.status).toBe('queued');

    const back = await visitor(welcome.visitorToken);
    expect(back.welcome.history.map((m) => m.body)).toEqual(['hello', 'Hi! How can I help?', 'Sent while you were away']);
    await until(async () => (await t.get('message', away))?.status === 'sent');
    back.v.send({ type: 'ack', messageIds: [away] });
    await until(async () => (await t.get('message', away))?.status === 'delivered');
  });

  it('never shows visitor B anything of visitor A', async () => {
    const a = await visitor();
    const b = await visitor();
    expect(b.welcome.visitorToken).not.toBe(a.welcome.visitorToken);
    await say(a.v, 'secret order 1234');
    const aConversation = (await conversationOf(a.handle))!;
    const reply = await agentReply(aConversation.id, 'for A only');
    await a.v.next('message', (f) => f.message.id === reply);

    // B acks A's message id: nothing changes (A's message stays 'sent' until A acks).
    await until(async () => (await t.get('message', reply))?.status === 'sent');
    b.v.send({ type: 'ack', messageIds: [reply] });
    await say(b.v, 'hi from B');
    expect((await t.get('message', reply))?.status).toBe('sent');

    const everything = JSON.stringify(b.v.frames);
    expect(everything).not.toContain('secret order');
    expect(everything).not.toContain('for A only');
    expect(everything).not.toContain(aConversation.id);
    expect((await conversationOf(b.handle))!.id).not.toBe(aConversation.id);

    // A reconnecting B with a made-up token sees an empty conversation.
    const c = await visitor('z'.repeat(43));
    expect(c.welcome.history).toEqual([]);
  });

  it('rejects invalid frames and unknown widgets, and rate-limits', async () => {
    const bad = await Visitor.open(chat.url);
    open.push(bad);
    bad.send('{"type":"hello"');
    expect((await bad.waitClosed()).code).toBe(WebchatCloseCode.invalidFrame);

    const unknown = await Visitor.open(chat.url);
    open.push(unknown);
    unknown.send({ type: 'hello', widgetKey: 'ch_sales_sms', visitorToken: null });
    expect((await unknown.waitClosed()).code).toBe(WebchatCloseCode.unknownWidget);

    const early = await Visitor.open(chat.url);
    open.push(early);
    early.send({ type: 'send', clientMessageId: 'a', body: 'no hello' });
    expect((await early.waitClosed()).code).toBe(WebchatCloseCode.invalidFrame);

    const { v } = await visitor();
    v.send({ type: 'send', clientMessageId: 'a', body: 'x'.repeat(3000) });
    expect((await v.next('error')).code).toBe('invalid_frame');
    for (let i = 0; i < 15; i++) v.send({ type: 'ack', messageIds: ['nothing'] });
    expect((await v.next('error', (f) => f.code === 'rate_limited')).code).toBe('rate_limited');

    const big = await Visitor.open(chat.url);
    open.push(big);
    big.send({ type: 'hello', widgetKey: 'x'.repeat(20_000), visitorToken: null });
    expect((await big.waitClosed()).code).toBe(1009);
  });

  it('leaves demo-seeded web chat visitors (no widget) on the demo delivery', async () => {
    const id = await agentReply('conv_sales_0003', 'Seeded visitor reply');
    await until(async () => (await t.get('message', id))?.status === 'delivered');
  });

  it('links a new shared contact when the visitor introduces themselves', async () => {
    const { v, handle } = await visitor(null, { name: 'Jo Visitor', email: 'jo@example.com' });
    await say(v, 'hi');
    const conversation = (await conversationOf(handle))!;
    expect(conversation.contactId).not.toBeNull();
    expect(await t.get('contact', conversation.contactId!)).toMatchObject({ name: 'Jo Visitor', email: 'jo@example.com', ownerId: null, phones: [] });
  });
});
