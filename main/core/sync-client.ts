import WebSocket from 'ws';
import type { ConnectionStatus } from '../../protocol/ipc.ts';
import { PROTOCOL_VERSION } from '../../protocol/version.ts';
import {
  AUTH_CLOSE_CODES,
  CloseCode,
  SYNC_LIMITS,
  type ClientFrame,
  type ServerFrame,
  type HelloFrame,
} from '../../protocol/sync.ts';
import type { Scope } from '../../protocol/scope.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { readServerFrame, type FrameReading, type Resync } from './frame-reading.ts';

/** The part of a `ws` WebSocket the client uses; tests pass a fake. */
export interface SyncSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  /** Stop and start reading (ws: pauses the underlying socket, so the sender's buffer fills instead of ours). */
  pause(): void;
  resume(): void;
  on(event: 'open', listener: () => void): unknown;
  on(event: 'message', listener: (data: WebSocket.RawData) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export type TimerHandle = unknown;
export interface SyncTimers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  now(): number;
}

export const realTimers: SyncTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface SyncLinkState {
  status: ConnectionStatus;
  retryInMs: number | null;
  lastError: string | null;
}

export interface SyncClientOptions {
  serverUrl: string;
  /** Read at every (re)connect so the cursor and scopes are current. */
  hello: () => Omit<HelloFrame, 'type' | 'protocol'>;
  /** Every valid frame except heartbeats. */
  onFrame: (frame: ServerFrame) => void;
  onState: (state: SyncLinkState) => void;
  /** A resync was asked for (the cache marks the scopes stale until their snapshot has arrived). */
  onResync?: (scopes: Resync) => void;
  createSocket?: (url: string) => SyncSocket;
  timers?: SyncTimers;
  random?: () => number;
  backoff?: BackoffPolicy;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  log?: (line: string) => void;
}

export function syncUrl(serverUrl: string): string {
  const url = new URL('/sync', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * One websocket link to the sync server: hello/welcome, heartbeats both ways,
 * reconnects with jittered backoff, and a hard stop on auth or protocol errors.
 */
export class SyncClient {
  private socket: SyncSocket | null = null;
  private attempt = 0;
  private stopped = true;
  private online = false;
  private retryTimer: TimerHandle | null = null;
  private pingTimer: TimerHandle | null = null;
  private silenceTimer: TimerHandle | null = null;
  private state: SyncLinkState = { status: 'offline', retryInMs: null, lastError: null };
  /** Reading is held (backpressure from the cache: holdReading); applies to every link until released. */
  private readingHeld = false;
  /** Asked on this link already: each scope (and 'all') once per link, so a bad frame sent again cannot loop. */
  private resyncAsked = new Set<Scope | 'all'>();
  private readonly timers: SyncTimers;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly createSocket: (url: string) => SyncSocket;

  constructor(private readonly options: SyncClientOptions) {
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.policy = options.backoff ?? DEFAULT_BACKOFF;
    this.intervalMs = options.heartbeatIntervalMs ?? SYNC_LIMITS.heartbeatIntervalMs;
    this.timeoutMs = options.heartbeatTimeoutMs ?? SYNC_LIMITS.heartbeatTimeoutMs;
    this.log = options.log ?? (() => {});
    this.createSocket =
      options.createSocket ?? ((url) => new WebSocket(url, { maxPayload: 64 * 1024 * 1024, handshakeTimeout: 10_000 }));
  }

  get linkState(): SyncLinkState {
    return this.state;
  }

  get isOnline(): boolean {
    return this.online;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.connect('connecting');
  }

  /** Closes the link for good (sign-out, app quit). */
  stop(status: ConnectionStatus = 'offline', lastError: string | null = null): void {
    if (this.stopped) return;
    this.stopped = true;
    this.online = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(1000, 'client stopping');
      } catch {
        socket.terminate();
      }
    }
    this.setState({ status, retryInMs: null, lastError });
  }

  /** Drops the current link and reconnects after the usual backoff (e.g. the cache failed to store a frame). */
  restart(reason: string): void {
    const socket = this.socket;
    if (this.stopped || !socket) return;
    this.state = { ...this.state, lastError: reason };
    socket.terminate();
    this.onClosed(1011, reason);
  }

  /**
   * Backpressure: while held, the socket is not read (what the server sends waits in its buffer, and the server
   * waits for it to drain), and silence is not held against the link, since the frames are there unread.
   */
  holdReading(hold: boolean): void {
    if (hold === this.readingHeld) return;
    this.readingHeld = hold;
    const socket = this.socket;
    if (!socket) return;
    if (hold) {
      socket.pause();
      if (this.silenceTimer !== null) this.timers.clearTimeout(this.silenceTimer);
      this.silenceTimer = null;
    } else {
      socket.resume();
      this.armSilence(socket);
    }
  }

  get readingIsHeld(): boolean {
    return this.readingHeld;
  }

  /**
   * Asks the server to stream these scopes afresh (or every held scope). Each is asked at most once per
   * link; returns the scopes actually asked for.
   */
  requestResync(scopes: Resync, reason: string): Resync | null {
    if (!this.online || this.resyncAsked.has('all')) return null;
    const ask: Resync | null = scopes === 'all' ? 'all' : scopes.filter((s) => !this.resyncAsked.has(s));
    if (ask !== 'all' && (ask === null || ask.length === 0)) return null;
    if (ask === 'all') this.resyncAsked.add('all');
    else for (const s of ask) this.resyncAsked.add(s);
    this.send({ type: 'resync', scopes: ask, reason: reason.slice(0, 500) });
    this.options.onResync?.(ask);
    return ask;
  }

  /** Sends a frame if the link is up and welcomed; returns whether it went out. */
  send(frame: ClientFrame): boolean {
    if (!this.socket || !this.online) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private setState(state: SyncLinkState): void {
    this.state = state;
    this.options.onState(state);
  }

  private connect(status: ConnectionStatus): void {
    this.retryTimer = null;
    if (this.stopped) return;
    this.setState({ status, retryInMs: null, lastError: this.state.lastError });
    let socket: SyncSocket;
    try {
      socket = this.createSocket(syncUrl(this.options.serverUrl));
    } catch (err) {
      this.scheduleReconnect(String(err));
      return;
    }
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      const hello: HelloFrame = { type: 'hello', protocol: PROTOCOL_VERSION, ...this.options.hello() };
      socket.send(JSON.stringify(hello));
      if (this.readingHeld) socket.pause();
      else this.armSilence(socket);
    });
    socket.on('message', (data) => {
      if (this.socket !== socket) return;
      // A message already parsed when reading was held still arrives; silence is re-armed on release.
      if (!this.readingHeld) this.armSilence(socket);
      this.receive(socket, data.toString());
    });
    socket.on('error', (err) => {
      // A 'close' always follows; keep the reason for the status line.
      this.log(`sync: socket error: ${err.message}`);
      if (this.socket === socket) this.state = { ...this.state, lastError: err.message };
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.onClosed(code, reason.toString());
    });
  }

  private receive(socket: SyncSocket, text: string): void {
    const reading = readServerFrame(text);
    // Welcomed first: a welcome with a bad part still opens the link, and the report needs it open.
    if (reading.type === 'welcome') this.welcomed(socket);
    if (reading.problems.length > 0) this.reportUnreadable(reading);
    const frame = reading.frame;
    if (!frame) return;
    switch (frame.type) {
      case 'ping':
        socket.send(JSON.stringify({ type: 'pong', t: frame.t }));
        return;
      case 'pong':
        return;
      case 'error':
        this.log(`sync: server error ${frame.code}: ${frame.message}`);
        if (frame.code === 'protocol_mismatch') {
          this.stop('offline', `This app is too old for the server (${frame.message}). Please update Switchboard.`);
          return;
        }
        break;
      default:
        break;
    }
    try {
      this.options.onFrame(frame);
    } catch (err) {
      // A frame the cache cannot take must not kill the link; it is logged for a bug report.
      this.log(`sync: failed to apply a ${frame.type} frame: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }

  /** The server took hello: the link is up, whatever the welcome's content. */
  private welcomed(socket: SyncSocket): void {
    this.online = true;
    this.attempt = 0;
    this.resyncAsked = new Set();
    this.startPings(socket);
    this.setState({ status: 'online', retryInMs: null, lastError: null });
  }

  /**
   * Something received could not be used: it is logged, shown as the link's last error, and the scopes
   * it may have left stale are asked for afresh. The link stays up, so the outbox keeps flowing.
   */
  private reportUnreadable(reading: FrameReading): void {
    const shown = reading.problems.slice(0, 5);
    for (const p of shown) this.log(`sync: could not read ${p}`);
    if (reading.problems.length > shown.length) this.log(`sync: … and ${reading.problems.length - shown.length} more unreadable part(s)`);
    const asked = reading.resync ? this.requestResync(reading.resync, `could not read ${reading.problems[0] ?? 'a frame'}`) : null;
    const lastError = asked
      ? 'Some updates from the server could not be read; fetching a fresh copy.'
      : 'Some updates from the server could not be read and were skipped.';
    if (this.online) this.setState({ ...this.state, lastError });
    else this.state = { ...this.state, lastError };
  }

  private onClosed(code: number, reason: string): void {
    this.socket = null;
    this.online = false;
    this.clearTimers();
    if (this.stopped) return;
    if (AUTH_CLOSE_CODES.includes(code)) {
      this.stop('signedOut', reason || 'Your session has ended; please sign in again.');
      return;
    }
    if (code === CloseCode.protocolMismatch) {
      this.stop('offline', `This app is too old for the server${reason ? ` (${reason})` : ''}. Please update Switchboard.`);
      return;
    }
    this.scheduleReconnect(this.state.lastError ?? (reason || `connection closed (${code})`));
  }

  private scheduleReconnect(lastError: string | null): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.random, this.policy);
    this.attempt++;
    this.setState({ status: 'reconnecting', retryInMs: delay, lastError });
    this.retryTimer = this.timers.setTimeout(() => this.connect('reconnecting'), delay);
  }

  private startPings(socket: SyncSocket): void {
    if (this.pingTimer !== null) this.timers.clearInterval(this.pingTimer);
    this.pingTimer = this.timers.setInterval(() => {
      if (this.socket === socket) socket.send(JSON.stringify({ type: 'ping', t: this.timers.now() }));
    }, this.intervalMs);
  }

  /** Any frame proves the link alive; silence past the timeout means it is dead. */
  private armSilence(socket: SyncSocket): void {
    if (this.silenceTimer !== null) this.timers.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.timers.setTimeout(() => {
      if (this.socket !== socket) return;
      this.log('sync: link silent too long; reconnecting');
      this.state = { ...this.state, lastError: 'The connection stopped responding.' };
      socket.terminate();
      // terminate() emits 'close' asynchronously on a real socket; do not wait for it.
      this.onClosed(CloseCode.heartbeatTimeout, '');
    }, this.timeoutMs);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) this.timers.clearInterval(this.pingTimer);
    if (this.silenceTimer !== null) this.timers.clearTimeout(this.silenceTimer);
    this.retryTimer = this.pingTimer = this.silenceTimer = null;
  }
}
