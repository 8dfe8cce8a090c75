/** A sync client on a fake socket and fake timers: nothing happens unless the test makes it. */
import { EventEmitter } from 'node:events';
import { SyncClient, type SyncClientOptions, type SyncLinkState, type SyncSocket, type SyncTimers } from '../../../main/core/sync-client.ts';
import type { ServerFrame } from '../../../protocol/sync.ts';
import { user } from './fixtures.ts';

/** Timers driven by the test: nothing fires until `advance`. */
export class FakeTimers implements SyncTimers {
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

export class FakeSocket extends EventEmitter implements SyncSocket {
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
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
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

export const welcome: ServerFrame = { type: 'welcome', protocol: 1, user: user('u1'), scopes: [], head: 0, serverTime: 0 };

export function setup(random = () => 0.5, extra: Partial<SyncClientOptions> = {}) {
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
    ...extra,
  });
  const last = (): FakeSocket => sockets[sockets.length - 1] as FakeSocket;
  return { timers, sockets, states, frames, logs, client, last };
}
