import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../main/core/backoff.ts';
import { SyncClient, syncUrl, type SyncLinkState } from '../../../main/core/sync-client.ts';
import { FakeSocket, FakeTimers, setup, welcome } from './sync-fakes.ts';

describe('backoff', () => {
  it('stays within [0, min(cap, base × 2^attempt)) with full jitter', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      expect(backoffDelay(attempt, () => 0)).toBe(0);
      expect(backoffDelay(attempt, () => 0.999999)).toBeLessThan(ceiling);
      expect(backoffDelay(attempt, () => 0.999999)).toBeGreaterThanOrEqual(ceiling - 1);
    }
    expect(backoffDelay(40, () => 0.5, DEFAULT_BACKOFF)).toBe(15_000);
  });
});

describe('sync client', () => {
  it('maps the server address to the /sync websocket', () => {
    expect(syncUrl('http://127.0.0.1:4870')).toBe('ws://127.0.0.1:4870/sync');
    expect(syncUrl('https://sb.example.com/')).toBe('wss://sb.example.com/sync');
  });

  it('says hello on open and is online after welcome', () => {
    const t = setup();
    t.client.start();
    expect(t.states.at(-1)?.status).toBe('connecting');
    t.last().open();
    expect(t.last().sent[0]).toEqual({ type: 'hello', protocol: 1, token: 'tok', clientId: 'client-1', cursor: 7, scopes: ['org:o1'] });
    t.last().receive(welcome);
    expect(t.states.at(-1)).toEqual({ status: 'online', retryInMs: null, lastError: null });
    expect(t.client.isOnline).toBe(true);
    expect(t.frames.map((f) => f.type)).toEqual(['welcome']);
  });

  it('backs off exponentially with jitter and resets after a welcome', () => {
    const t = setup(() => 0.5);
    t.client.start();
    const delays: (number | null)[] = [];
    for (let i = 0; i < 8; i++) {
      t.last().drop(1006);
      const state = t.states.at(-1) as SyncLinkState;
      expect(state.status).toBe('reconnecting');
      delays.push(state.retryInMs);
      t.timers.advance(state.retryInMs ?? 0);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(t.sockets).toHaveLength(9);
    t.last().open();
    t.last().receive(welcome);
    t.last().drop(1006);
    expect(t.states.at(-1)?.retryInMs).toBe(250);
  });

  it('stops and reports signedOut on an auth close code, never reconnecting', () => {
    for (const code of [4001, 4010]) {
      const t = setup();
      t.client.start();
      t.last().open();
      t.last().drop(code, 'revoked');
      expect(t.states.at(-1)).toMatchObject({ status: 'signedOut', lastError: 'revoked' });
      t.timers.advance(120_000);
      expect(t.sockets).toHaveLength(1);
      expect(t.timers.pendingDelays()).toEqual([]);
    }
  });

  it('stops with a clear message on a protocol mismatch', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive({ type: 'error', code: 'protocol_mismatch', message: 'server speaks 2' });
    expect(t.states.at(-1)?.status).toBe('offline');
    expect(t.states.at(-1)?.lastError).toMatch(/update Switchboard/);
    t.last().drop(4003);
    t.timers.advance(120_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('pings on the interval, answers server pings, and declares a silent link dead', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive(welcome);
    t.last().receive({ type: 'ping', t: 42 });
    expect(t.last().sent.at(-1)).toEqual({ type: 'pong', t: 42 });
    t.timers.advance(10_000);
    expect(t.last().sent.at(-1)).toMatchObject({ type: 'ping' });
    t.last().receive({ type: 'pong', t: 1 });
    t.timers.advance(24_999);
    expect(t.last().terminated).toBe(false);
    t.timers.advance(1);
    expect(t.sockets[0]?.terminated).toBe(true);
    expect(t.states.at(-1)).toMatchObject({ status: 'reconnecting', lastError: 'The connection stopped responding.' });
    t.timers.advance(t.states.at(-1)?.retryInMs ?? 0);
    expect(t.sockets).toHaveLength(2);
  });

  it('before welcome, reports frames that are not JSON or fail the protocol schema and sends nothing', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive('{not json');
    t.last().receive({ type: 'changes', entries: 'nope', cursor: 1, caughtUp: true });
    t.last().receive({ type: 'mystery' });
    expect(t.frames).toEqual([]);
    expect(t.logs.filter((l) => l.startsWith('sync: could not read'))).toHaveLength(3);
    expect(t.last().sent.map((f) => f.type)).toEqual(['hello']);
    t.last().receive(welcome);
    expect(t.client.isOnline).toBe(true);
  });

  it('survives a frame handler that throws', () => {
    const timers = new FakeTimers();
    const sock = new FakeSocket();
    const logs: string[] = [];
    const client = new SyncClient({
      serverUrl: 'http://x.test',
      hello: () => ({ token: 't', clientId: 'c', cursor: null, scopes: [] }),
      onFrame: () => {
        throw new Error('boom');
      },
      onState: () => {},
      createSocket: () => sock,
      timers,
      log: (l) => logs.push(l),
    });
    client.start();
    sock.open();
    sock.receive(welcome);
    expect(logs.some((l) => l.includes('boom'))).toBe(true);
    expect(client.isOnline).toBe(true);
  });

  it('holding reading pauses the socket and stops counting silence; releasing resumes it; a new link starts held (backpressure)', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive(welcome);
    t.client.holdReading(true);
    expect(t.last().paused).toBe(true);
    expect(t.client.readingIsHeld).toBe(true);
    // Frames wait unread: the link is not declared dead meanwhile.
    t.timers.advance(60_000);
    expect(t.last().terminated).toBe(false);
    t.client.holdReading(false);
    expect(t.last().paused).toBe(false);
    t.timers.advance(25_000);
    expect(t.last().terminated).toBe(true);
    // Reconnecting while held: the new socket is paused as soon as it opens.
    t.client.holdReading(true);
    t.timers.advance(30_000);
    t.last().open();
    expect(t.last().paused).toBe(true);
    expect(t.last().sent[0]).toMatchObject({ type: 'hello' });
    t.client.holdReading(false);
    expect(t.last().paused).toBe(false);
  });

  it('stop() closes the socket and cancels every timer', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive(welcome);
    t.client.stop();
    expect(t.last().closedWith).toBe(1000);
    expect(t.timers.pendingDelays()).toEqual([]);
    expect(t.client.send({ type: 'ping', t: 0 })).toBe(false);
  });
});

describe('sync client with frames it cannot read', () => {
  const entry = (seq: number, scope: string, id: string) => ({
    seq,
    scope,
    op: 'put',
    entity: 'chatMessage',
    record: { id, chatId: 'c1', authorId: 'u1', body: 'hi', createdAt: 1 },
  });
  const online = () => {
    const resyncs: unknown[] = [];
    const t = setup(() => 0.5, { onResync: (scopes) => resyncs.push(scopes) });
    t.client.start();
    t.last().open();
    t.last().receive(welcome);
    return { ...t, resyncs };
  };

  it('applies the readable part, reports the rest, asks once per link for the scopes it touched, and keeps sending', () => {
    const t = online();
    const bad = { type: 'changes', cursor: 9, caughtUp: true, entries: [entry(8, 'chat:c1', 'm1'), entry(9, 'chat:c2', 'x:0969eb')] };
    t.last().receive(bad);
    expect(t.frames.at(-1)).toMatchObject({ type: 'changes', cursor: 9, entries: [{ seq: 8 }] });
    expect(t.last().sent.at(-1)).toMatchObject({ type: 'resync', scopes: ['chat:c2'] });
    expect(t.resyncs).toEqual([['chat:c2']]);
    expect(t.logs.some((l) => l.includes('entries.1.record.id'))).toBe(true);
    expect(t.states.at(-1)).toMatchObject({ status: 'online', lastError: expect.stringMatching(/could not be read/) });

    // The same frame again: reported, not asked again on this link.
    const sent = t.last().sent.length;
    t.last().receive(bad);
    expect(t.last().sent).toHaveLength(sent);
    expect(t.client.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'chat.markRead', args: { chatId: 'c1', readAt: 1 } } }] })).toBe(true);
    expect(t.last().sent.at(-1)?.type).toBe('mutate');
  });

  it('asks for every scope when the frame cannot be placed, then for nothing more on that link', () => {
    const t = online();
    t.last().receive('{"type":"changes","entries":[{"seq":1}],"cursor":1,"caughtUp":true}');
    expect(t.last().sent.at(-1)).toMatchObject({ type: 'resync', scopes: 'all' });
    t.last().receive('not json');
    t.last().receive({ type: 'snapshot', scope: 'chat:c3', reset: true, done: true, records: 'x', cursor: 1 });
    expect(t.last().sent.filter((f) => f.type === 'resync')).toHaveLength(1);
    expect(t.resyncs).toEqual(['all']);
    expect(t.client.isOnline).toBe(true);
  });

  it('a new link asks again', () => {
    const t = online();
    const bad = { type: 'changes', cursor: 9, caughtUp: true, entries: [entry(9, 'chat:c2', 'bad id')] };
    t.last().receive(bad);
    t.last().drop(1006);
    t.timers.advance(t.states.at(-1)?.retryInMs ?? 0);
    t.last().open();
    t.last().receive(welcome);
    t.last().receive(bad);
    expect(t.last().sent.at(-1)).toMatchObject({ type: 'resync', scopes: ['chat:c2'] });
    expect(t.resyncs).toEqual([['chat:c2'], ['chat:c2']]);
  });

  it('a snapshot record it cannot read is left out and reported, not asked for again', () => {
    const t = online();
    const good = { entity: 'chat', record: { id: 'c1', kind: 'team', name: 'Floor', memberIds: ['u1'], lastMessageAt: null } };
    const bad = { entity: 'chat', record: { ...good.record, id: 'c 2' } };
    t.last().receive({ type: 'snapshot', scope: 'chat:c1', reset: true, done: true, records: [good, bad], cursor: 3 });
    expect(t.frames.at(-1)).toMatchObject({ type: 'snapshot', scope: 'chat:c1', records: [good] });
    expect(t.last().sent.some((f) => f.type === 'resync')).toBe(false);
    expect(t.logs.some((l) => l.includes('records.1.record.id'))).toBe(true);
  });

  it('a welcome with a scope outside the grammar, or a user it cannot read, still opens the link', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive({ ...welcome, scopes: ['org:o1', 'chat:x:0969eb'] });
    expect(t.client.isOnline).toBe(true);
    expect(t.frames.at(-1)).toMatchObject({ type: 'welcome', scopes: ['org:o1'] });
    expect(t.logs.some((l) => l.includes('welcome scopes.1: not a scope'))).toBe(true);

    const u = setup();
    u.client.start();
    u.last().open();
    u.last().receive({ ...welcome, user: { id: 'u:1' } });
    expect(u.client.isOnline).toBe(true);
    expect(u.frames).toEqual([]);
    expect(u.states.at(-1)).toMatchObject({ status: 'online', lastError: expect.stringMatching(/could not be read/) });
  });
});
