import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../main/core/backoff.ts';
import { SyncClient, syncUrl, type SyncLinkState, type SyncSocket, type SyncTimers } from '../../../main/core/sync-client.ts';
import type { ServerFrame } from '../../../protocol/sync.ts';
import { user } from './fixtures.ts';

/** Timers driven by the test: nothing fires until `advance`. */
class FakeTimers implements SyncTimers {
  t = 0;
  private nextId = 1;
  private readonly tasks = new Map<number, { at: number; fn: () => void; every: number | null }>();
  setTimeout = (fn: () => void, ms: number) => this.add(fn, ms, null);
  setInterval = (fn: () => void, ms: number) => this.add(fn, ms, ms);
  clearTimeout = (h: unknown) => void this.tasks.delete(h as number);
  clearInterval = (h: unknown) => void this.tasks.delete(h as number);
  now = () => this.t;
  private add(fn: () => void, ms: number, every: number | null): number {
    const id = this.nextId++;
    this.tasks.set(id, { at: this.t + ms, fn, every });
    return id;
  }
  pendingDelays(): number[] {
    return [...this.tasks.values()].map((x) => x.at - this.t);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.tasks.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, task] = due;
      this.t = task.at;
      if (task.every === null) this.tasks.delete(id);
      else task.at += task.every;
      task.fn();
    }
    this.t = end;
  }
}

class FakeSocket extends EventEmitter implements SyncSocket {
  sent: Record<string, unknown>[] = [];
  terminated = false;
  closedWith: number | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
  }
  terminate(): void {
    this.terminated = true;
  }
  open(): void {
    this.emit('open');
  }
  receive(frame: unknown): void {
    this.emit('message', Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame)));
  }
  drop(code: number, reason = ''): void {
    this.emit('close', code, Buffer.from(reason));
  }
}

const welcome: ServerFrame = { type: 'welcome', protocol: 1, user: user('u1'), scopes: [], head: 0, serverTime: 0 };

function setup(random = () => 0.5) {
  const timers = new FakeTimers();
  const sockets: FakeSocket[] = [];
  const states: SyncLinkState[] = [];
  const frames: ServerFrame[] = [];
  const logs: string[] = [];
  const client = new SyncClient({
    serverUrl: 'http://127.0.0.1:4870',
    hello: () => ({ token: 'tok', clientId: 'client-1', cursor: 7, scopes: ['org:o1'] }),
    onFrame: (f) => frames.push(f),
    onState: (s) => states.push(s),
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    timers,
    random,
    heartbeatIntervalMs: 10_000,
    heartbeatTimeoutMs: 25_000,
    log: (l) => logs.push(l),
  });
  const last = (): FakeSocket => sockets[sockets.length - 1] as FakeSocket;
  return { timers, sockets, states, frames, logs, client, last };
}

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

  it('logs and ignores frames that are not JSON or fail the protocol schema', () => {
    const t = setup();
    t.client.start();
    t.last().open();
    t.last().receive('{not json');
    t.last().receive({ type: 'changes', entries: 'nope', cursor: 1, caughtUp: true });
    t.last().receive({ type: 'mystery' });
    expect(t.frames).toEqual([]);
    expect(t.logs.filter((l) => l.includes('ignored'))).toHaveLength(3);
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
