import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Scope } from '../../protocol/scope.ts';
import type { ChangeEntry } from '../../protocol/sync.ts';
import { PROTOCOL_VERSION } from '../../protocol/version.ts';

/**
 * Many raw sync clients for the server bench: each opens /sync and completes the hello from a known cursor
 * (no snapshot), answers pings, and otherwise only receives. A few "observers", spread through the fleet's
 * connection order (the order in which a hub pokes its sockets), parse every frame and note when each inbound
 * message body first arrived.
 */
export class SyncFleet {
  private readonly sockets: WebSocket[] = [];
  /** body → arrival time (performance.now()) per observer. */
  readonly arrivals: Array<Map<string, number>> = [];

  static async connect(input: {
    urls: string[];
    count: number;
    observers: number;
    token: string;
    cursor: number;
    scopes: Scope[];
  }): Promise<SyncFleet> {
    const fleet = new SyncFleet();
    const every = Math.max(1, Math.floor(input.count / input.observers));
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < input.count; i++) {
      const url = `${input.urls[i % input.urls.length]!.replace(/^http/, 'ws')}/sync`;
      const observe = i % every === every - 1 && fleet.arrivals.length < input.observers;
      pending.push(fleet.open(url, i, observe, input));
      // Opened in batches so the accept queues of the servers are not what is measured.
      if (pending.length >= 100) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    return fleet;
  }

  get size(): number {
    return this.sockets.length;
  }

  private open(url: string, i: number, observe: boolean, input: { token: string; cursor: number; scopes: Scope[] }): Promise<void> {
    const ws = new WebSocket(url);
    this.sockets.push(ws);
    const seen = observe ? new Map<string, number>() : null;
    if (seen) this.arrivals.push(seen);
    return new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () =>
        ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: input.token, clientId: `bench-${i}`, cursor: input.cursor, scopes: input.scopes })),
      );
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"type":"ping"')) {
          ws.send(JSON.stringify({ type: 'pong', t: (JSON.parse(text) as { t: number }).t }));
          return;
        }
        if (text.includes('"caughtUp":true')) resolve();
        if (!seen || !text.startsWith('{"type":"changes"')) return;
        const at = performance.now();
        for (const entry of (JSON.parse(text) as { entries: ChangeEntry[] }).entries) {
          if (entry.entity !== 'message' || entry.op !== 'put' || entry.record.direction !== 'in') continue;
          if (!seen.has(entry.record.body)) seen.set(entry.record.body, at);
        }
      });
    });
  }

  /** Resolves once every observer saw every one of `bodies` (or after `timeoutMs`: the bench reports what is missing). */
  async waitFor(bodies: string[], timeoutMs = 120_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const missing = this.arrivals.reduce((n, seen) => n + bodies.filter((b) => !seen.has(b)).length, 0);
      if (missing === 0 || performance.now() > deadline) return missing;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}
