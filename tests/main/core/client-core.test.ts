import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createClientCore, type ClientCore } from '../../../main/core/client-core.ts';
import { createIpcRouter, type IpcRouter } from '../../../main/ipc-router.ts';
import type { ChangedViews, ConnectionState, SessionState } from '../../../protocol/ipc.ts';
import { ClientFrame, type MutateFrame, type ReceivedClientFrame, type ServerFrame } from '../../../protocol/sync.ts';
import { channel, conversation, inbox, ME, message, tempDir, user } from './fixtures.ts';

/** A fake sync server speaking the protocol frames: sign-in over HTTP, frames over /sync. */
class FakeServer {
  readonly http: Server;
  readonly wss = new WebSocketServer({ noServer: true });
  sockets: WebSocket[] = [];
  received: ReceivedClientFrame[] = [];
  url = '';

  constructor() {
    this.http = createServer((req, res) => {
      if (req.url === '/api/session' && req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'tok-1', user: user(ME, 'Me Myself', 'manager') }));
        return;
      }
      // Like a server from before cache keys were held by servers: the core keeps the key in memory.
      if (req.url?.startsWith('/api/device-key')) return void res.writeHead(404).end();
      res.writeHead(204).end();
    });
    this.http.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.push(ws);
        ws.on('message', (data) => this.received.push(ClientFrame.parse(JSON.parse(data.toString()))));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  send(frame: ServerFrame | string): void {
    this.sockets.at(-1)?.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ server: FakeServer; core: ClientCore; router: IpcRouter; logs: string[]; events: { changed: ChangedViews[]; connection: ConnectionState[]; session: SessionState[] } }> {
  const server = new FakeServer();
  await server.start();
  const dir = tempDir();
  const logs: string[] = [];
  const core = await createClientCore({ dataDir: dir.dir, defaultServerUrl: server.url, log: (l) => logs.push(l) });
  cleanups.push(dir.cleanup, () => server.close(), () => core.close());
  const events = { changed: [] as ChangedViews[], connection: [] as ConnectionState[], session: [] as SessionState[] };
  core.events.on('changed', (c) => events.changed.push(c));
  core.events.on('connection', (c) => events.connection.push(c));
  core.events.on('session', (c) => events.session.push(c));
  return { server, core, router: createIpcRouter(core.handlers), logs, events };
}

async function signInAndSync(t: Awaited<ReturnType<typeof setup>>): Promise<void> {
  expect(await t.router.call('session.signIn', { serverUrl: t.server.url, email: 'me@example.test', password: 'x' })).toMatchObject({ ok: true });
  await until('hello', () => t.server.received.find((f) => f.type === 'hello'));
  expect(t.server.received[0]).toMatchObject({ type: 'hello', protocol: 1, token: 'tok-1', cursor: null, scopes: [] });
  t.server.send({ type: 'welcome', protocol: 1, user: user(ME, 'Me Myself', 'manager'), scopes: ['inbox:inbox_a'], head: 10, serverTime: 0 });
  t.server.send({
    type: 'snapshot', scope: 'inbox:inbox_a', reset: true, done: true, cursor: 10,
    records: [
      { entity: 'inbox', record: inbox('inbox_a', { name: 'Sales' }) },
      { entity: 'channel', record: channel('ch_a', 'inbox_a') },
      { entity: 'conversation', record: conversation('c1', { lastMessageAt: 2000 }) },
      { entity: 'message', record: message('m1', 'c1') },
    ],
  });
  await until('the snapshot applied', async () => {
    const r = await t.router.call('conversations.list', { query: {}, offset: 0, limit: 10 });
    return r.ok && (r.value as { total: number }).total === 1;
  });
}

describe('client core with a fake server', () => {
  it('answers unauthenticated while signed out', async () => {
    const t = await setup();
    expect(await t.router.call('messages.list', { conversationId: 'c1' })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await t.router.call('app.state', {})).toMatchObject({ ok: true, value: { session: { status: 'signedOut' }, connection: { status: 'offline' } } });
  });

  it('syncs, sends a reply through the outbox, and clears it on ack', async () => {
    const t = await setup();
    await signInAndSync(t);
    expect(t.events.connection.at(-1)?.status).toBe('online');
    expect(t.events.changed.some((c) => c.conversations.includes('c1') && c.sidebar && c.conversationList)).toBe(true);

    const sent = await t.router.call('actions.sendMessage', { conversationId: 'c1', body: 'On my way' });
    expect(sent.ok).toBe(true);
    const messageId = (sent as { value: { messageId: string } }).value.messageId;
    const mutate = (await until('the mutate frame', () => t.server.received.find((f) => f.type === 'mutate'))) as MutateFrame;
    expect(mutate.mutations).toEqual([{ id: 1, mutation: { name: 'message.send', args: { conversationId: 'c1', messageId, body: 'On my way', attachments: [] } } }]);
    expect(t.events.connection.at(-1)?.pendingCount).toBe(1);

    t.server.send({ type: 'changes', cursor: 11, caughtUp: true, entries: [{ seq: 11, scope: 'inbox:inbox_a', op: 'put', entity: 'message', record: message(messageId, 'c1', { direction: 'out', authorType: 'user', authorId: ME, body: 'On my way', status: 'sent', createdAt: 3000 }) }] });
    t.server.send({ type: 'mutationResult', id: 1, result: { ok: true } });
    await until('pending count 0', () => t.events.connection.at(-1)?.pendingCount === 0);
    const page = await t.router.call('messages.list', { conversationId: 'c1' });
    expect(page).toMatchObject({ ok: true, value: { items: [{ id: 'm1' }, { id: messageId, displayStatus: 'sent', outbox: null }] } });
  });

  it('reports invalid frames, asks for a fresh copy, and keeps the link and the outbox going', async () => {
    const t = await setup();
    await signInAndSync(t);
    t.server.send('{"type":"changes","entries":[{"seq":1}],"cursor":1,"caughtUp":true}');
    t.server.send('not json at all');
    t.server.send({ type: 'changes', cursor: 12, caughtUp: true, entries: [{ seq: 12, scope: 'inbox:inbox_a', op: 'put', entity: 'message', record: message('m2', 'c1', { createdAt: 2500 }) }] });
    await until('the valid frame after the bad ones', async () => {
      const r = await t.router.call('messages.list', { conversationId: 'c1' });
      return r.ok && (r.value as { items: unknown[] }).items.length === 2;
    });
    expect(t.logs.filter((l) => l.includes('could not read'))).toHaveLength(2);
    // Neither frame can be placed in a scope: every held scope is asked for afresh, once on this link.
    await until('the resync frame', () => t.server.received.some((f) => f.type === 'resync'));
    expect(t.server.received.filter((f) => f.type === 'resync')).toEqual([expect.objectContaining({ type: 'resync', scopes: 'all' })]);
    expect(t.events.connection.at(-1)).toMatchObject({ status: 'online', lastError: expect.stringMatching(/could not be read/) });
    await t.router.call('actions.sendMessage', { conversationId: 'c1', body: 'Still here' });
    await until('the reply on the wire', () => t.server.received.some((f) => f.type === 'mutate'));
  });

  it('an auth close signs the person out and does not reconnect', async () => {
    const t = await setup();
    await signInAndSync(t);
    t.server.sockets.at(-1)?.close(4001, 'token revoked');
    await until('signed out', () => t.events.session.at(-1)?.status === 'signedOut');
    expect(t.events.session.at(-1)).toMatchObject({ status: 'signedOut', reason: 'token revoked' });
    expect(t.events.connection.at(-1)?.status).toBe('signedOut');
    await new Promise((r) => setTimeout(r, 200));
    expect(t.server.sockets).toHaveLength(1);
    expect(await t.router.call('sidebar.get', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('refuses actions the person may not take before queueing them', async () => {
    const t = await setup();
    await signInAndSync(t);
    expect(await t.router.call('actions.assign', { conversationId: 'nope', assigneeId: null })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await t.router.call('outbox.retry', { mutationId: 99 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await t.router.call('actions.sendMessage', { conversationId: 'c1', body: '   ' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it("checks a template's values before queueing it, then sends them and shows the filled text at once", async () => {
    const t = await setup();
    await signInAndSync(t);
    const template = { id: 'tpl_order', name: 'order_update', language: 'en_US', body: 'Hi {{1}}, order {{2}} has shipped.' };
    t.server.send({
      type: 'changes', cursor: 12, caughtUp: true,
      entries: [
        { seq: 11, scope: 'inbox:inbox_a', op: 'put', entity: 'channel', record: { ...channel('ch_wa', 'inbox_a'), kind: 'whatsapp', whatsappTemplates: [template] } },
        { seq: 12, scope: 'inbox:inbox_a', op: 'put', entity: 'conversation', record: conversation('c_wa', { channelId: 'ch_wa', lastMessageAt: 2000 }) },
      ],
    });
    await until('the WhatsApp conversation', async () => {
      const r = await t.router.call('conversation.get', { id: 'c_wa' });
      return r.ok && r.value !== null;
    });

    const send = (parameters: string[], templateId = 'tpl_order') => t.router.call('actions.sendTemplate', { conversationId: 'c_wa', templateId, parameters });
    expect(await send(['Dana'])).toMatchObject({ ok: false, error: { code: 'invalid', message: 'This template needs 2 values ({{1}} to {{2}}); 1 given.' } });
    expect(await send(['Dana', ''])).toMatchObject({ ok: false, error: { code: 'invalid', message: 'Fill in {{2}}.' } });
    expect(await send(['Dana', '#4417'], 'tpl_other')).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(t.server.received.filter((f) => f.type === 'mutate')).toEqual([]);

    const sent = await send(['Dana', '#4417']);
    expect(sent.ok).toBe(true);
    const messageId = (sent as { value: { messageId: string } }).value.messageId;
    const mutate = (await until('the mutate frame', () => t.server.received.find((f) => f.type === 'mutate'))) as MutateFrame;
    expect(mutate.mutations[0]?.mutation).toEqual({ name: 'message.sendTemplate', args: { conversationId: 'c_wa', messageId, templateId: 'tpl_order', parameters: ['Dana', '#4417'] } });
    const page = await t.router.call('messages.list', { conversationId: 'c_wa' });
    expect(page).toMatchObject({ ok: true, value: { items: [{ id: messageId, body: 'Hi Dana, order #4417 has shipped.', displayStatus: 'pending' }] } });
  });
});
