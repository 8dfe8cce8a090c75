import type { WebSocket, RawData } from 'ws';
import type { EntityOf } from '../../protocol/domain.ts';
import { describeIssue } from '../../protocol/issues.ts';
import { isScope, type Scope } from '../../protocol/scope.ts';
import {
  CLIENT_FRAME_TYPES,
  ClientFrame,
  CloseCode,
  type ErrorCode,
  type HelloFrame,
  type ReceivedClientFrame,
  type ResyncFrame,
  type ServerFrame,
} from '../../protocol/sync.ts';
import { PROTOCOL_VERSION } from '../../protocol/version.ts';
import type { Domain, TokenCheck } from '../domain/domain.ts';
import type { SyncWindow } from '../../protocol/history.ts';
import { ChangePages, type PageStats } from './change-pages.ts';
import type { LogReader } from './log-reader.ts';
import { TokenBucket } from './rate-limit.ts';
import type { SyncTuning } from './tuning.ts';
import { streamWindow, type WindowSocket } from './window-stream.ts';

/** Text or binary frames alike carry UTF-8 JSON. */
function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** What the sockets of one hub share: the instance's log reader, and counts of where their pages came from. */
export interface SharedLog {
  reader: LogReader;
  pageStats: PageStats;
}

interface PendingResult {
  /** The result goes out once entries up to this seq were sent (entries before their ack). */
  afterSeq: number;
  frame: ServerFrame;
}

/**
 * One client's sync socket. All outgoing data except pongs and errors flows
 * through a single serialized pump, which reads the log after the cursor, so
 * catch-up, live changes, snapshots and mutation results cannot interleave
 * out of order. Live, the pump takes its entries from the instance's log reader
 * (one read for every socket); catching up from further back, from the database.
 */
export class SyncConnection {
  private user: EntityOf<'user'> | null = null;
  private sessionIdValue: string | null = null;
  /** Rechecked on every heartbeat: a session can expire, or its user be disabled, while the socket is open. */
  private token = '';
  private clientId = '';
  /** Issue 13: new scopes are snapshotted as this window (hello `window`); null = in full. */
  private window: SyncWindow | null = null;
  /** Scopes whose data this client holds (as far as we sent it). */
  private readonly scopes = new Set<Scope>();
  /** Per scope: entries at or below this seq are already part of its snapshot. */
  private readonly floors = new Map<Scope, number>();
  private cursor = 0;
  /** The head the database showed at hello: the reader must have read that far before this socket is served. */
  private helloHead = 0;
  private pages: ChangePages | null = null;
  private caughtUp = false;
  private pendingResults: PendingResult[] = [];
  private pumping = false;
  private pumpAgain = false;
  /** Frames are handled one after another, in the order they arrived, though each may wait on the database. */
  private inbound: Promise<void> = Promise.resolve();
  private closed = false;
  private consecutiveErrors = 0;
  private rateLimitedStreak = 0;
  private readonly bucket: TokenBucket;
  private helloTimer: NodeJS.Timeout | null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly domain: Domain,
    private readonly shared: SharedLog,
    private readonly tuning: SyncTuning,
    private readonly log: (line: string) => void,
    private readonly onClosed: (connection: SyncConnection) => void,
  ) {
    this.bucket = new TokenBucket(tuning.maxFramesPerSecond, tuning.burst);
    this.helloTimer = setTimeout(() => this.close(CloseCode.helloRequired, 'hello expected'), tuning.helloTimeoutMs);
    ws.on('message', (data) => this.receive(data));
    ws.on('close', () => this.cleanup());
    // ws reports oversized frames (and closes with 1009) through 'error'; without a listener it would throw.
    ws.on('error', (err) => this.log(`sync socket error: ${err.message}`));
  }

  get sessionId(): string | null {
    return this.sessionIdValue;
  }

  /** The cursor the log reader must still be able to serve, once said hello (null before). */
  get liveCursor(): number | null {
    return this.user && !this.closed ? this.cursor : null;
  }

  /** Something was committed: read the log. */
  poke(): void {
    if (!this.user || this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.runPump();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    this.cleanup();
  }

  // ---------------------------------------------------------------- inbound frames

  /** Rate limits on arrival (a flood is never queued); handling waits for the frames before it. */
  private receive(data: RawData): void {
    if (this.closed) return;
    this.silenceTimer?.refresh();
    if (!this.bucket.take()) {
      this.rateLimitedStreak += 1;
      this.sendNow({ type: 'error', code: 'rate_limited', message: 'Too many frames; slow down.' });
      if (this.rateLimitedStreak >= this.tuning.rateLimitedFramesBeforeClose) this.close(CloseCode.rateLimited, 'rate limited');
      return;
    }
    this.rateLimitedStreak = 0;
    this.inbound = this.inbound.then(() => this.guard(() => this.onMessage(data)));
  }

  private async guard(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.log(`sync handler failed: ${err instanceof Error ? err.stack : String(err)}`);
      this.sendNow({ type: 'error', code: 'internal', message: 'The server failed to handle that frame; it was logged.' });
    }
  }

  private async onMessage(data: RawData): Promise<void> {
    if (this.closed) return;
    let json: unknown;
    try {
      json = JSON.parse(frameText(data));
    } catch {
      return this.fail('bad_json', 'The frame is not valid JSON.');
    }
    const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
    if (!this.user && type !== 'hello') {
      this.sendNow({ type: 'error', code: 'unauthenticated', message: 'The first frame must be hello.' });
      return this.close(CloseCode.helloRequired, 'hello expected');
    }
    if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
      return this.fail('unknown_type', `Unknown frame type ${JSON.stringify(type ?? null)}.`);
    }
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) return this.fail('bad_frame', describeIssue(parsed.error));
    this.consecutiveErrors = 0;
    const frame = parsed.data;
    switch (frame.type) {
      case 'hello':
        return this.onHello(frame);
      case 'mutate':
        return this.onMutate(frame);
      case 'resync':
        return this.onResync(frame);
      case 'ping':
        return this.sendNow({ type: 'pong', t: frame.t });
      case 'pong':
        return;
    }
  }

  private fail(code: ErrorCode, message: string): void {
    this.sendNow({ type: 'error', code, message });
    if (!this.user) return this.close(CloseCode.helloRequired, 'hello expected');
    this.consecutiveErrors += 1;
    if (this.consecutiveErrors >= this.tuning.maxConsecutiveErrors) this.close(CloseCode.tooManyErrors, 'too many bad frames');
  }

  private async onHello(hello: HelloFrame): Promise<void> {
    if (this.user) return this.fail('bad_frame', 'hello: already said hello on this connection.');
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.sendNow({ type: 'error', code: 'protocol_mismatch', message: `This server speaks protocol ${PROTOCOL_VERSION}; please update.` });
      return this.close(CloseCode.protocolMismatch, 'protocol mismatch');
    }
    const check = await this.domain.sessions.checkToken(hello.token);
    if (!check.ok) return this.refuseSession(check.reason);
    const auth = check.auth;
    // Read before this.user is set: until then a commit's poke does not start the pump ahead of the welcome.
    const { scopes, head, floor } = await this.domain.syncStart(auth.user.id);
    if (this.closed) return;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.token = hello.token;
    this.user = auth.user;
    this.sessionIdValue = auth.sessionId;
    this.clientId = hello.clientId;
    this.domain.routing.presence.opened(auth.user.id);
    this.window = hello.window ?? null;

    const held = new Set(scopes);
    // Null, compacted-away, or from-another-log (ahead of head) cursors all start over from a snapshot.
    const fresh = hello.cursor === null || hello.cursor < floor || hello.cursor > head;
    this.cursor = fresh ? head : (hello.cursor ?? head);
    this.helloHead = head;
    this.pages = new ChangePages(auth.user.id, scopes, this.shared.reader, this.domain, this.shared.pageStats);
    this.sendNow({ type: 'welcome', protocol: PROTOCOL_VERSION, user: auth.user, scopes: [...held], head, serverTime: Date.now() });
    for (const s of new Set(hello.scopes)) {
      // A cached scope outside the grammar (from before it) is never held: the client drops its data.
      if (!isScope(s) || !held.has(s)) this.sendNow({ type: 'scopeLost', scope: s as Scope });
      else if (!fresh) this.scopes.add(s);
    }
    // The pump snapshots every held scope not in this.scopes, then catches up.
    this.startHeartbeat();
    this.poke();
  }

  /** The close reason is what the client shows on its signed-out screen, so it is a sentence. */
  private refuseSession(reason: Extract<TokenCheck, { ok: false }>['reason']): void {
    const message =
      reason === 'expired'
        ? 'Your session has expired; sign in again.'
        : reason === 'disabled'
          ? 'Your account is disabled; ask an administrator.'
          : 'Your session has ended; sign in again.';
    this.sendNow({ type: 'error', code: 'unauthenticated', message });
    this.close(CloseCode.unauthenticated, message);
  }

  private async onMutate(frame: Extract<ReceivedClientFrame, { type: 'mutate' }>): Promise<void> {
    const user = this.user;
    if (!user) return;
    for (const { id, mutation } of frame.mutations) {
      const applied = await this.domain.applyMutation(user, this.clientId, id, mutation);
      // The head read after the commit is at or past the mutation's entries: its result follows them. Read
      // before the push: the pump replaces pendingResults meanwhile.
      const afterSeq = await this.domain.head();
      this.pendingResults.push({ afterSeq, frame: { type: 'mutationResult', id, result: applied.result } });
    }
    this.poke();
  }

  /**
   * The client could not apply something: forget that it holds these scopes, so the pump streams each
   * one afresh. A scope already waiting for its snapshot, or not held at all, is left as it is.
   */
  private onResync(frame: ResyncFrame): void {
    const targets = frame.scopes === 'all' ? [...this.scopes] : frame.scopes.filter((s) => this.scopes.has(s));
    const named = frame.scopes === 'all' ? 'every scope' : `${frame.scopes.slice(0, 3).join(' ')}${frame.scopes.length > 3 ? ` (+${frame.scopes.length - 3})` : ''}`;
    this.log(`sync: client ${this.clientId} asked to resync ${named}: ${JSON.stringify(frame.reason)}`);
    for (const s of targets) {
      this.scopes.delete(s);
      this.floors.delete(s);
    }
    if (targets.length > 0) this.poke();
  }

  // ---------------------------------------------------------------- outbound

  private sendNow(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends, waiting for the socket to drain when too much is buffered (backpressure). */
  private send(frame: ServerFrame): Promise<void> {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return Promise.resolve();
    const data = JSON.stringify(frame);
    if (this.ws.bufferedAmount < this.tuning.highWaterBytes) {
      this.ws.send(data);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.ws.send(data, () => resolve()));
  }

  private async runPump(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        await this.pumpToHead();
      } while (this.pumpAgain && !this.closed);
    } catch (err) {
      this.log(`sync pump failed: ${err instanceof Error ? err.stack : String(err)}`);
      this.sendNow({ type: 'error', code: 'internal', message: 'The server failed to send changes; reconnect to resume.' });
      this.close(1011, 'internal error');
    } finally {
      this.pumping = false;
    }
  }

  private async pumpToHead(): Promise<void> {
    const user = this.user;
    const pages = this.pages;
    if (!user || !pages) return;
    const limit = this.tuning.maxBatch;
    // Commits of another process the reader has not heard of yet, and a mutation's entries (its result waits
    // for them): the reader reads that far first, one read shared by every socket waiting.
    const awaited = Math.max(this.helloHead, ...this.pendingResults.map((r) => r.afterSeq));
    if (awaited > this.shared.reader.head) await this.shared.reader.reach(awaited);
    for (;;) {
      if (this.closed) return;
      // Scopes and entries go together: an entry is sent only if its scope is held right now.
      const page = await pages.next(this.cursor, limit);
      const now = new Set(page.scopes);
      for (const s of [...this.scopes]) {
        if (now.has(s)) continue;
        this.scopes.delete(s);
        this.floors.delete(s);
        await this.send({ type: 'scopeLost', scope: s });
      }
      const gained = page.scopes.filter((s) => !this.scopes.has(s));
      if (gained.length > 0) {
        if (this.window) await this.snapshotWindow(user.id, gained, this.window);
        else for (const s of gained) await this.snapshot(user.id, s);
        continue; // membership or the log may have moved while snapshotting: read again
      }
      const full = page.entries.length === limit;
      const last = page.entries[page.entries.length - 1];
      const cursor = full && last ? last.seq : Math.max(page.head, this.cursor);
      const entries = page.entries.filter((e) => e.seq > (this.floors.get(e.scope) ?? 0));
      const caughtUp = !full;
      // Live, frames without entries carry nothing worth a frame; during catch-up the final one marks the end.
      if (entries.length > 0 || (!this.caughtUp && (caughtUp || cursor > this.cursor))) {
        await this.send({ type: 'changes', entries, cursor, caughtUp });
      }
      this.cursor = cursor;
      if (caughtUp) this.caughtUp = true;
      await this.flushResults();
      if (!full) return;
    }
  }

  private async flushResults(): Promise<void> {
    const ready = this.pendingResults.filter((r) => r.afterSeq <= this.cursor);
    this.pendingResults = this.pendingResults.filter((r) => r.afterSeq > this.cursor);
    for (const r of ready) await this.send(r.frame);
  }

  /** Streams a scope's current state in pages; entries up to `floor` are part of it. */
  private async snapshot(userId: string, target: Scope): Promise<void> {
    const floor = await this.domain.head();
    let from = null;
    let first = true;
    do {
      if (this.closed) return;
      const page = await this.domain.readSnapshot(userId, target, from, this.tuning.maxBatch);
      if (!page.held) {
        // Lost while streaming: tell the client to drop the part it already received.
        if (!first) await this.send({ type: 'scopeLost', scope: target });
        return;
      }
      from = page.next;
      await this.send({ type: 'snapshot', scope: target, reset: first, done: from === null, records: page.records, cursor: this.cursor });
      first = false;
    } while (from);
    this.floors.set(target, floor);
    this.scopes.add(target);
  }

  /** The window of every gained scope, in phases (window-stream.ts); entries up to the floor are part of it. */
  private async snapshotWindow(userId: string, targets: Scope[], window: SyncWindow): Promise<void> {
    const socket: WindowSocket = {
      domain: this.domain,
      send: (frame) => this.send(frame),
      cursor: () => this.cursor,
      closed: () => this.closed,
      maxBatch: this.tuning.maxBatch,
      // Every waiting mutation result now, its entries still to come (window-stream.ts says why).
      betweenPages: async () => {
        for (const r of this.pendingResults.splice(0)) await this.send(r.frame);
      },
    };
    const { sent, floor } = await streamWindow(socket, userId, targets, window);
    for (const target of sent) {
      this.floors.set(target, floor);
      this.scopes.add(target);
    }
  }

  // ---------------------------------------------------------------- liveness

  private startHeartbeat(): void {
    this.pingTimer = setInterval(
      () =>
        // guard catches: a failed check is logged, never an unhandled rejection.
        void this.guard(async () => {
          // Also keeps last-used fresh while connected (the domain writes it at most every few minutes).
          const check = await this.domain.sessions.checkToken(this.token);
          if (this.closed) return;
          if (!check.ok) return this.refuseSession(check.reason);
          this.sendNow({ type: 'ping', t: Date.now() });
        }),
      this.tuning.heartbeatIntervalMs,
    );
    this.silenceTimer = setTimeout(() => this.close(CloseCode.heartbeatTimeout, 'heartbeat timeout'), this.tuning.heartbeatTimeoutMs);
  }

  private cleanup(): void {
    this.closed = true;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.helloTimer = this.pingTimer = this.silenceTimer = null;
    if (this.user) this.domain.routing.presence.closed(this.user.id);
    this.onClosed(this);
  }
}
