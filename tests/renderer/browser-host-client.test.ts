import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostServerFrame } from '../../protocol/ipc.ts';
import { createBrowserHostClient, hostSocketUrl } from '../../renderer/api/browser-host-client.ts';

/** A WebSocket double the test drives by hand. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: { id: number; method: string; input: unknown }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: HostServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.();
  }
}

const latest = () => FakeSocket.instances[FakeSocket.instances.length - 1]!;
const client = (url: string | null = 'ws://127.0.0.1:1/ipc?token=t') =>
  createBrowserHostClient({ url, WebSocketImpl: FakeSocket as unknown as new (url: string) => WebSocket, random: () => 1 });

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('browser host client', () => {
  it('builds the socket address from the page origin and its token', () => {
    expect(hostSocketUrl({ origin: 'http://127.0.0.1:5000', search: '?token=a%2Bb' })).toBe('ws://127.0.0.1:5000/ipc?token=a%2Bb');
    expect(hostSocketUrl({ origin: 'https://host', search: '?token=x' })).toBe('wss://host/ipc?token=x');
    expect(hostSocketUrl({ origin: 'http://127.0.0.1:5000', search: '' })).toBeNull();
  });

  it('answers every call with unavailable when the page has no token', async () => {
    const api = client(null);
    const result = await api.invoke('sidebar.get', {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('unavailable');
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('sends calls made while connecting once the socket opens, and matches results by id', async () => {
    const api = client();
    const first = api.invoke('sidebar.get', {});
    const second = api.invoke('conversation.get', { id: 'c1' });
    expect(latest().sent).toHaveLength(0);
    latest().open();
    const [a, b] = latest().sent;
    expect(a?.method).toBe('sidebar.get');
    expect(b).toMatchObject({ method: 'conversation.get', input: { id: 'c1' } });
    latest().receive({ kind: 'result', id: b!.id, result: { ok: true, value: null } });
    latest().receive({ kind: 'result', id: a!.id, result: { ok: true, value: { inboxes: [], chats: [], unreadTotal: 0 } } });
    expect(await second).toEqual({ ok: true, value: null });
    expect(await first).toEqual({ ok: true, value: { inboxes: [], chats: [], unreadTotal: 0 } });
  });

  it('answers pending calls with unavailable when the socket drops, and calls made while down at once', async () => {
    const api = client();
    latest().open();
    const pending = api.invoke('sidebar.get', {});
    latest().drop();
    const result = await pending;
    expect(!result.ok && result.error.code).toBe('unavailable');
    const whileDown = await api.invoke('sidebar.get', {});
    expect(!whileDown.ok && whileDown.error.code).toBe('unavailable');
  });

  it('dispatches events to listeners until they unsubscribe', () => {
    const api = client();
    latest().open();
    const seen: string[] = [];
    const off = api.on('openTarget', (p) => seen.push(p.kind === 'conversation' ? p.conversationId : p.kind));
    latest().receive({ kind: 'event', event: 'openTarget', payload: { kind: 'conversation', conversationId: 'c1' } });
    off();
    latest().receive({ kind: 'event', event: 'openTarget', payload: { kind: 'conversation', conversationId: 'c2' } });
    expect(seen).toEqual(['c1']);
  });

  it('reports reconnecting, reconnects after the backoff and replays app.state as events', async () => {
    const api = client();
    latest().open();
    const statuses: string[] = [];
    const sessions: string[] = [];
    api.on('connection', (c) => statuses.push(c.status));
    api.on('session', (s) => sessions.push(s.status));
    latest().drop();
    expect(statuses).toEqual(['reconnecting']);
    expect(FakeSocket.instances).toHaveLength(1);
    await vi.runOnlyPendingTimersAsync();
    expect(FakeSocket.instances).toHaveLength(2);
    latest().open();
    const stateCall = latest().sent[0]!;
    expect(stateCall.method).toBe('app.state');
    latest().receive({
      kind: 'result',
      id: stateCall.id,
      result: {
        ok: true,
        value: {
          session: { status: 'signedOut', serverUrl: 'http://s', reason: null },
          connection: { status: 'signedOut', retryInMs: null, lastError: null, pendingCount: 0 },
          defaultServerUrl: 'http://s',
        },
      },
    });
    await vi.waitFor(() => expect(sessions).toEqual(['signedOut']));
    expect(statuses).toEqual(['reconnecting', 'signedOut']);
  });

  it('stops reconnecting once closed', async () => {
    const api = client();
    latest().open();
    api.close();
    await vi.runOnlyPendingTimersAsync();
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
