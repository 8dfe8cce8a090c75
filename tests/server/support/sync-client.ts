import { afterEach, expect } from 'vitest';
import WebSocket from 'ws';
import { ServerFrame, type ChangeEntry } from '../../../protocol/sync.ts';
import { PROTOCOL_VERSION } from '../../../protocol/version.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { SyncWindow } from '../../../protocol/history.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.ts';
import { databaseFor } from '../../integration/support/test-server.ts';
import { tempDir } from './fixtures.ts';

export const MAYA = { email: 'maya@demo.switchboard.test', password: 'demo-manager', id: 'user_maya' } as const;
export const SAM = { email: 'sam@demo.switchboard.test', password: 'demo-agent', id: 'user_sam' } as const;
export const ALEX = { email: 'alex@demo.switchboard.test', password: 'demo-agent', id: 'user_alex' } as const;

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  logs: string[];
  /** As started: dataDir, and on the integration-pg project databaseUrl + databaseSchema (admin commands take these). */
  options: ServerOptions;
  /** Close and start again on the same data dir (same port not guaranteed). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = tempDir('switchboard-server-');
  const logs: string[] = [];
  const options: ServerOptions = {
    port: 0,
    host: '127.0.0.1',
    demo: true,
    log: (line) => logs.push(line),
    delivery: { sentAfterMs: 20, deliveredAfterMs: 20 },
    // SQLite in the data dir, or a PostgreSQL schema of its own on the integration-pg project.
    ...(await databaseFor(dir.path)),
    ...overrides,
  };
  const t: TestServer = {
    server: await startServer(options),
    dataDir: dir.path,
    logs,
    options,
    async restart() {
      await t.server.close();
      t.server = await startServer(options);
    },
    async close() {
      await t.server.close();
      dir.remove();
    },
  };
  return t;
}

export async function signIn(url: string, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function postInbound(url: string, body: { channelId: string; from: string; body: string; providerId?: string }) {
  const res = await fetch(`${url}/api/demo/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`inbound failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { conversationId: string; messageId: string };
}

type Frame = ServerFrame;
type FrameOf<T extends Frame['type']> = Extract<Frame, { type: T }>;

/** A raw sync client: records every frame, checks each against the protocol schema. */
export class SyncClient {
  readonly frames: Frame[] = [];
  /** Frames that failed the ServerFrame schema (must stay empty). */
  readonly invalid: unknown[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const json: unknown = JSON.parse(data.toString());
      const parsed = ServerFrame.safeParse(json);
      if (parsed.success) this.frames.push(parsed.data);
      else this.invalid.push(json);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  static async connect(baseUrl: string): Promise<SyncClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/sync`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new SyncClient(ws);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  hello(token: string, opts: { clientId?: string; cursor?: number | null; scopes?: Scope[]; protocol?: number; window?: SyncWindow } = {}): void {
    this.send({
      ...(opts.window ? { window: opts.window } : {}),
      type: 'hello',
      protocol: opts.protocol ?? PROTOCOL_VERSION,
      token,
      clientId: opts.clientId ?? 'client-test',
      cursor: opts.cursor ?? null,
      scopes: opts.scopes ?? [],
    });
  }

  /** Resolves when `predicate` holds over the frames so far (or fails after `timeoutMs`, as a safety net). */
  async until<T>(predicate: () => T | undefined | null | false, what: string, timeoutMs = 8000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first frame of `type` at or after index `from` that matches. */
  find<T extends Frame['type']>(type: T, match: (f: FrameOf<T>) => boolean = () => true, from = 0): FrameOf<T> | undefined {
    return this.frames.slice(from).find((f): f is FrameOf<T> => f.type === type && match(f as FrameOf<T>));
  }

  waitFor<T extends Frame['type']>(type: T, match: (f: FrameOf<T>) => boolean = () => true, from = 0): Promise<FrameOf<T>> {
    return this.until(() => this.find(type, match, from), `${type} frame`);
  }

  waitClosed(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'close');
  }

  /** Sends hello and waits for the end of catch-up. Returns the welcome. */
  async sync(token: string, opts: Parameters<SyncClient['hello']>[1] = {}): Promise<FrameOf<'welcome'>> {
    const from = this.frames.length;
    this.hello(token, opts);
    const welcome = await this.waitFor('welcome', () => true, from);
    await this.waitFor('changes', (f) => f.caughtUp, from);
    return welcome;
  }

  entries(from = 0): ChangeEntry[] {
    return this.frames.slice(from).flatMap((f) => (f.type === 'changes' ? f.entries : []));
  }

  /** Cursor of the last changes frame (what a client stores). */
  lastCursor(): number {
    const last = [...this.frames].reverse().find((f) => f.type === 'changes');
    return last?.type === 'changes' ? last.cursor : 0;
  }

  /** Every scope that any frame carried data of. */
  scopesSeen(): Set<string> {
    const seen = new Set<string>();
    for (const f of this.frames) {
      if (f.type === 'changes') for (const e of f.entries) seen.add(e.scope);
      if (f.type === 'snapshot') seen.add(f.scope);
    }
    return seen;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}

/**
 * The servers and sync clients a test file starts, all closed after each test. With `expectNoFailures`, nothing
 * may have been logged as failed inside the servers (oversized frames are reported by ws, not by our handlers).
 */
export function syncTestRig(options: { expectNoFailures?: boolean } = {}): {
  server(overrides?: Partial<ServerOptions>): Promise<TestServer>;
  client(t: TestServer): Promise<SyncClient>;
} {
  let servers: TestServer[] = [];
  let clients: SyncClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.close();
    const failures = servers.flatMap((s) => s.logs.filter((l) => /failed/.test(l)));
    for (const s of servers) await s.close();
    servers = [];
    clients = [];
    if (options.expectNoFailures) expect(failures).toEqual([]);
  });
  return {
    async server(overrides = {}) {
      const s = await startTestServer(overrides);
      servers.push(s);
      return s;
    },
    async client(t) {
      const c = await SyncClient.connect(t.server.url);
      clients.push(c);
      return c;
    },
  };
}
