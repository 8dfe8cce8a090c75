import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { WebchatCloseCode } from '../../../protocol/webchat.ts';
import { InProcessAddressLimits, originAllowed, parseAllowedOrigins, resolveWebchatOptions } from '../../../server/webchat/limits.ts';
import { addressLimitsContract } from '../support/address-limits-contract.ts';
import { Visitor } from '../support/webchat-client.ts';
import { clientMessageId, PNG, startChat } from './harness.ts';

let chat: Awaited<ReturnType<typeof startChat>>;
afterEach(async () => {
  await chat?.close();
});

/** Opens a socket with an Origin and says hello; resolves with the close code or 'welcome'. */
function helloFrom(ws: WebSocket): Promise<number | 'welcome'> {
  return new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null })));
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'welcome') {
        resolve('welcome');
        ws.close();
      }
    });
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

describe('web chat abuse limits', () => {
  it('limits new visitors per address, but lets returning visitors back', async () => {
    chat = await startChat({ perIp: { newVisitors: { perMinute: 0.01, burst: 2 } } });
    const first = await chat.visitor();
    await chat.visitor();
    const third = await Visitor.open(chat.socketUrl);
    third.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null });
    expect((await third.next('error')).message).toMatch(/Too many new chats/);
    expect((await third.waitClosed()).code).toBe(WebchatCloseCode.rateLimited);
    // A made-up token is no way around it.
    const madeUp = await Visitor.open(chat.socketUrl);
    madeUp.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: 'm'.repeat(43) });
    expect((await madeUp.waitClosed()).code).toBe(WebchatCloseCode.rateLimited);
    // A returning visitor (one with a conversation) is let back in.
    const id = clientMessageId();
    first.v.send({ type: 'send', clientMessageId: id, body: 'hello' });
    await first.v.next('message', (f) => f.clientMessageId === id);
    first.v.close();
    const back = await chat.visitor(first.token);
    expect(back.token).toBe(first.token);
  });

  it('refuses websocket connections over the per-address rate with 429', async () => {
    chat = await startChat({ perIp: { connections: { perMinute: 0.01, burst: 1 } } });
    await chat.visitor();
    await expect(Visitor.open(chat.socketUrl)).rejects.toThrow(/429/);
  });

  it('limits messages and uploads per address with a clear error, never a crash', async () => {
    chat = await startChat({ perIp: { messages: { perMinute: 0.01, burst: 2 }, uploads: { perMinute: 0.01, burst: 1 } } });
    const { v, token } = await chat.visitor();
    for (const body of ['one', 'two']) {
      const id = clientMessageId();
      v.send({ type: 'send', clientMessageId: id, body });
      await v.next('message', (f) => f.clientMessageId === id);
    }
    const id = clientMessageId();
    v.send({ type: 'send', clientMessageId: id, body: 'three' });
    expect((await v.next('error', (f) => f.clientMessageId === id)).message).toMatch(/Too many messages/);

    expect((await chat.upload(token, PNG)).status).toBe(201);
    const refused = await chat.upload(token, PNG);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Too many uploads/);
    expect(chat.t.logs.filter((l) => l.includes('failed'))).toEqual([]);
  });

  it('closes an idle socket with the idle code; frames (ping) keep it open', async () => {
    chat = await startChat({ idleTimeoutMs: 500 });
    const quiet = await chat.visitor();
    const busy = await chat.visitor();
    const pinger = setInterval(() => busy.v.send({ type: 'ping' }), 50);
    try {
      expect((await quiet.v.waitClosed()).code).toBe(WebchatCloseCode.idle);
      expect(busy.v.closed).toBeNull();
    } finally {
      clearInterval(pinger);
    }
    // Coming back resumes the same visitor.
    expect((await chat.visitor(quiet.token)).token).toBe(quiet.token);
  });
});

describe('web chat origin allowlist', () => {
  it('lets listed origins use a widget and refuses others, on the socket and the upload route', async () => {
    chat = await startChat({ allowedOrigins: { 'widget-sales': ['https://shop.example'] } });
    expect(await helloFrom(chat.rawSocket('https://shop.example'))).toBe('welcome');
    expect(await helloFrom(chat.rawSocket('https://evil.example'))).toBe(WebchatCloseCode.originNotAllowed);

    const { token } = await chat.visitor(); // no Origin: not a browser page of another site
    const evil = await chat.upload(token, PNG, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const shop = await chat.upload(token, PNG, { origin: 'https://shop.example' });
    expect(shop.status).toBe(201);
    expect(shop.headers.get('access-control-allow-origin')).toBe('https://shop.example');

    const preflight = await fetch(`${chat.base}/webchat/attachments?widget=widget-sales&name=a.png`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-switchboard-visitor');
  });

  it('parses the allowlist setting and matches origins exactly', () => {
    const options = resolveWebchatOptions({}, {
      SWITCHBOARD_WEBCHAT_ORIGINS: 'widget-sales=https://shop.example, https://www.shop.example/ ;widget-support=http://localhost:8080',
      SWITCHBOARD_WEBCHAT_IDLE_MINUTES: '5',
      SWITCHBOARD_WEBCHAT_TRUST_PROXY: '1',
    });
    expect(options.allowedOrigins).toEqual({
      'widget-sales': ['https://shop.example', 'https://www.shop.example'],
      'widget-support': ['http://localhost:8080'],
    });
    expect(options.idleTimeoutMs).toBe(300_000);
    expect(options.trustProxy).toBe(true);
    expect(resolveWebchatOptions({ allowedOrigins: {} }, { SWITCHBOARD_WEBCHAT_ORIGINS: 'a=https://x.example' }).allowedOrigins).toEqual({});
    // The general setting (also used by sign-in throttling) wins over the web chat one.
    expect(resolveWebchatOptions({}, { SWITCHBOARD_TRUST_PROXY: 'yes', SWITCHBOARD_WEBCHAT_TRUST_PROXY: '0' }).trustProxy).toBe(true);
    expect(resolveWebchatOptions({}, { SWITCHBOARD_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(parseAllowedOrigins('junk;=https://x.example;k=not a url')).toEqual({ k: [] });

    expect(originAllowed(options, 'widget-sales', 'https://shop.example')).toBe(true);
    expect(originAllowed(options, 'widget-sales', 'https://shop.example.evil.test')).toBe(false);
    expect(originAllowed(options, 'widget-sales', 'http://shop.example')).toBe(false);
    expect(originAllowed(options, 'widget-other', 'https://anything.example')).toBe(true);
  });
});

addressLimitsContract('in process', async (rates, clock) => new InProcessAddressLimits(rates, clock));
