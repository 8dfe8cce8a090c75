import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EntityOf } from '../../protocol/domain.ts';
import {
  WEBCHAT_LIMITS,
  WebchatClientFrame,
  WebchatCloseCode,
  type WebchatServerFrame,
} from '../../protocol/webchat.ts';
import type { OutboundSender } from '../domain/delivery.ts';
import type { SendOutcome } from '../domain/send-retry.ts';
import type { Domain } from '../domain/domain.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import { TokenBucket } from '../sync/rate-limit.ts';
import { clientAddress, idleTimeoutOf, InProcessAddressLimits, originAllowed, type AddressLimits, type WebchatHubOptions } from './limits.ts';
import { VisitorUploads, type WebchatGate } from './uploads.ts';
import { answerVisitorSurvey, widgetMessages } from './surveys.ts';
import { InProcessVisitorRelay, type RelayTarget, type VisitorPush, type VisitorRelay } from './visitor-relay.ts';
import {
  ackVisitorMessages,
  findWebchatChannel,
  newVisitorToken,
  receivedVisitorMessage,
  receiveVisitorMessage,
  toWebchatMessage,
  visitorConversation,
  visitorHandle,
  visitorHistory,
} from './visitors.ts';

export type { WebchatHubOptions } from './limits.ts';

interface Visitor {
  ws: WebSocket;
  channelId: string;
  handle: string;
  name?: string;
  email?: string;
  /** Agent messages pushed while the welcome was being read; sent after it (null once welcomed). */
  early: WebchatServerFrame[] | null;
}

/** Where a socket came from, taken from its upgrade request. */
interface Peer {
  address: string;
  origin: string | undefined;
}

const key = (channelId: string, handle: string) => `${channelId}\n${handle}`;

/**
 * Visitor sockets at /webchat, and the sender of webchat channels' send jobs: an agent reply is `sent`
 * once pushed to a live socket of its visitor (the job is done) and `delivered` when the widget acks it;
 * while the visitor is away it stays `queued` with its job parked, and goes out with the history on
 * their return (the welcome marks it sent, which ends the job). The visitor's sockets may be on another
 * instance: pushes go through the `VisitorRelay` too, and its answer says whether any socket took them.
 */
export class WebchatHub implements WebchatGate {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WEBCHAT_LIMITS.maxFrameBytes });
  private readonly live = new Map<string, Set<Visitor>>();
  private closed = false;
  readonly limits: AddressLimits;
  /** Visitor uploads waiting for their message; null without an attachment store. */
  readonly uploads: VisitorUploads | null;
  private readonly relay: VisitorRelay;

  readonly delivery: OutboundSender = {
    send: async (message) => this.pushAgentMessage(message),
    close: () => {},
  };

  constructor(
    private readonly domain: Domain,
    private readonly log: (line: string) => void,
    readonly options: WebchatHubOptions = {},
    attachments?: AttachmentFiles,
    /** Per-address limits (app.ts: Redis when configured); default in memory with options.perIp. */
    limits?: AddressLimits,
    /** Visitors' sockets on other instances (app.ts: Redis when configured); default: this process only. */
    relay?: VisitorRelay,
  ) {
    this.limits = limits ?? new InProcessAddressLimits(options.perIp);
    this.relay = relay ?? new InProcessVisitorRelay();
    this.uploads = attachments ? new VisitorUploads(attachments, options.uploadQuota) : null;
  }

  /** Refused with 429 over the per-address connection limit; a failing limit store fails the upgrade (the boundary answers). */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const peer: Peer = { address: clientAddress(request, this.options.trustProxy), origin: request.headers.origin };
    if (this.closed || !(await this.limits.take('connections', peer.address)) || this.closed) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 10\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, peer));
  }

  /** Whether this visitor has a socket open now. */
  isLive(channelId: string, handle: string): boolean {
    return this.socketsOf(channelId, handle) > 0;
  }

  close(): void {
    this.closed = true;
    this.uploads?.close();
    for (const set of this.live.values()) for (const v of set) v.ws.close(1001, 'server shutting down');
    this.live.clear();
    this.wss.close();
  }

  /** Live sockets of this visitor (tests). */
  socketsOf(channelId: string, handle: string): number {
    return this.live.get(key(channelId, handle))?.size ?? 0;
  }

  private accept(ws: WebSocket, peer: Peer): void {
    const bucket = new TokenBucket(
      this.options.framesPerSecond ?? WEBCHAT_LIMITS.framesPerSecond,
      this.options.frameBurst ?? WEBCHAT_LIMITS.frameBurst,
    );
    const session: { visitor: Visitor | null } = { visitor: null };
    let strikes = 0;
    const helloTimer = setTimeout(() => {
      if (!session.visitor) ws.close(WebchatCloseCode.invalidFrame, 'hello expected');
    }, 10_000);
    // Closed after a quiet spell; the widget reconnects when the visitor is active again.
    const idleMs = idleTimeoutOf(this.options);
    let idleTimer: NodeJS.Timeout | null = null;
    const stillActive = () => {
      if (idleTimer) clearTimeout(idleTimer);
      if (idleMs > 0) idleTimer = setTimeout(() => ws.close(WebchatCloseCode.idle, 'idle'), idleMs);
    };
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (idleTimer) clearTimeout(idleTimer);
      if (session.visitor) this.detach(session.visitor);
    });
    // Frames are handled one after another (limits may ask Redis): a `send` right after `hello` waits for it.
    let queue = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (this.closed) return;
      // Counted on arrival, so a flood is refused before it queues.
      if (!bucket.take()) {
        send(ws, { type: 'error', code: 'rate_limited', message: 'Too many messages; slow down.' });
        if (++strikes > 20) ws.close(WebchatCloseCode.rateLimited, 'rate limited');
        return;
      }
      queue = queue.then(async () => {
        if (this.closed || ws.readyState !== ws.OPEN) return;
        try {
          await this.handleFrame(ws, peer, data, isBinary, session, stillActive, helloTimer);
        } catch (err) {
          this.log(`webchat frame failed: ${err instanceof Error ? err.stack : String(err)}`);
          send(ws, { type: 'error', code: 'internal', message: 'The server failed; try again.' });
        }
      });
    });
  }

  private async handleFrame(
    ws: WebSocket,
    peer: Peer,
    data: RawData,
    isBinary: boolean,
    session: { visitor: Visitor | null },
    stillActive: () => void,
    helloTimer: NodeJS.Timeout,
  ): Promise<void> {
    let frame: WebchatClientFrame;
    try {
      if (isBinary) throw new Error('binary');
      frame = WebchatClientFrame.parse(JSON.parse(String(data)));
    } catch {
      if (!session.visitor) return void ws.close(WebchatCloseCode.invalidFrame, 'invalid frame');
      return void send(ws, { type: 'error', code: 'invalid_frame', message: 'That frame is not valid.' });
    }
    if (frame.type === 'hello') {
      if (session.visitor) return void send(ws, { type: 'error', code: 'invalid_frame', message: 'Already said hello.' });
      session.visitor = await this.hello(ws, peer, frame);
      if (!session.visitor) return;
      clearTimeout(helloTimer);
      stillActive();
      return;
    }
    const visitor = session.visitor;
    if (!visitor) return void ws.close(WebchatCloseCode.invalidFrame, 'hello expected');
    stillActive();
    if (frame.type === 'ping') return;
    if (frame.type === 'send') {
      const message = await this.receiveSend(visitor, peer, frame);
      if (typeof message === 'string') return void send(ws, { type: 'error', code: 'not_sent', message, clientMessageId: frame.clientMessageId });
      for (const other of this.live.get(key(visitor.channelId, visitor.handle)) ?? []) {
        toVisitor(other, {
          type: 'message',
          message: toWebchatMessage(message),
          ...(other === visitor ? { clientMessageId: frame.clientMessageId } : {}),
        });
      }
      // The visitor's tabs on other instances show it too (best effort: each tab also has it in its next welcome).
      void this.relay.push(visitor, { type: 'message', message: toWebchatMessage(message) });
      return;
    }
    if (frame.type === 'surveyAnswer') {
      const answered = await answerVisitorSurvey(this.domain, visitor, frame);
      if (!answered.ok) return void send(ws, answered.frame);
      for (const other of this.live.get(key(visitor.channelId, visitor.handle)) ?? []) toVisitor(other, answered.frame);
      return;
    }
    await ackVisitorMessages(this.domain, visitor.channelId, visitor.handle, frame.messageIds);
  }

  /** A hello: the visitor now live on this socket with the welcome sent, or null when the socket was refused. */
  private async hello(ws: WebSocket, peer: Peer, frame: Extract<WebchatClientFrame, { type: 'hello' }>): Promise<Visitor | null> {
    const channel = await findWebchatChannel(this.domain, frame.widgetKey);
    if (!channel) {
      ws.close(WebchatCloseCode.unknownWidget, 'unknown widget');
      return null;
    }
    if (!originAllowed(this.options, frame.widgetKey, peer.origin)) {
      send(ws, { type: 'error', code: 'origin_not_allowed', message: 'This chat is not available on this site.' });
      ws.close(WebchatCloseCode.originNotAllowed, 'origin not allowed');
      return null;
    }
    const token = frame.visitorToken ?? newVisitorToken();
    const handle = visitorHandle(channel.id, token);
    // A made-up token is a new visitor too: only a visitor with a conversation or a live tab is returning.
    const newcomer = !frame.visitorToken || (!this.isLive(channel.id, handle) && !(await visitorConversation(this.domain, channel.id, handle)));
    if (newcomer && !(await this.limits.take('newVisitors', peer.address))) {
      send(ws, { type: 'error', code: 'rate_limited', message: 'Too many new chats from your network; try again in a few minutes.' });
      ws.close(WebchatCloseCode.rateLimited, 'too many new visitors');
      return null;
    }
    if (ws.readyState !== ws.OPEN) return null;
    const set = this.live.get(key(channel.id, handle)) ?? new Set<Visitor>();
    if (set.size >= WEBCHAT_LIMITS.socketsPerVisitor) {
      ws.close(WebchatCloseCode.tooManySockets, 'too many tabs');
      return null;
    }
    const visitor: Visitor = { ws, channelId: channel.id, handle, name: frame.name || undefined, email: frame.email || undefined, early: [] };
    // Live before the history is read, so a reply committed meanwhile is either in the history or pushed (held in
    // `early`): here at once, and for other instances' pushes once the relay has us listening.
    set.add(visitor);
    this.live.set(key(channel.id, handle), set);
    if (set.size === 1) await this.relay.join(visitor, (push) => this.deliverHere(visitor, push));
    const history = await visitorHistory(this.domain, channel.id, handle);
    send(ws, { type: 'welcome', visitorToken: token, title: channel.name, history: await widgetMessages(this.domain, history) });
    const shown = new Set(history.map((m) => m.id));
    for (const early of visitor.early ?? []) if (early.type !== 'message' || !shown.has(early.message.id)) send(ws, early);
    visitor.early = null;
    // Replies queued while the visitor was away went out with the history just now.
    for (const m of history) if (m.direction === 'out' && m.status === 'queued') await this.domain.setDeliveryStatus(m.id, 'sent');
    return visitor;
  }

  /** A visitor's `send`, once: a resend after a reconnect echoes the message already received. */
  private async receiveSend(visitor: Visitor, peer: Peer, frame: Extract<WebchatClientFrame, { type: 'send' }>): Promise<EntityOf<'message'> | string> {
    const seen = await receivedVisitorMessage(this.domain, visitor.channelId, visitor.handle, frame.clientMessageId);
    if (seen) return seen;
    if (!(await this.limits.take('messages', peer.address))) return 'Too many messages from your network; wait a minute and send again.';
    const ids = frame.attachmentIds ?? [];
    let attachments: EntityOf<'message'>['attachments'] = [];
    if (ids.length) {
      if (!this.uploads) return 'This chat does not accept attachments.';
      const claimed = await this.uploads.claim(visitor.channelId, visitor.handle, ids);
      if (typeof claimed === 'string') return claimed;
      attachments = claimed;
    }
    const message = await receiveVisitorMessage(this.domain, {
      channelId: visitor.channelId,
      handle: visitor.handle,
      body: frame.body,
      clientMessageId: frame.clientMessageId,
      name: frame.name || visitor.name,
      email: frame.email || visitor.email,
      attachments,
    });
    return message;
  }

  private detach(visitor: Visitor): void {
    const k = key(visitor.channelId, visitor.handle);
    const set = this.live.get(k);
    set?.delete(visitor);
    if (set && set.size === 0) {
      this.live.delete(k);
      if (!this.closed) void this.relay.leave(visitor);
    }
  }

  /** A push relayed from another instance, to this instance's sockets of the visitor; how many took it. */
  private deliverHere(target: RelayTarget, push: VisitorPush): number {
    const set = this.live.get(key(target.channelId, target.handle));
    for (const v of set ?? []) toVisitor(v, push);
    return set?.size ?? 0;
  }

  /** A push is idempotent on the widget's side (it shows each message id once), so a resend is harmless. */
  private async pushAgentMessage(message: EntityOf<'message'>): Promise<SendOutcome> {
    if (this.closed) return { kind: 'transient', reason: 'The chat server was shutting down.', retryAfterMs: null };
    const conversation = await this.domain.read((tx) => tx.get('conversation', message.conversationId));
    if (!conversation) return { kind: 'permanent', reason: 'The conversation no longer exists.' };
    const target = { channelId: conversation.channelId, handle: conversation.customerAddress };
    // A survey message carries its inline rating (surveys.ts); anything else goes as it is.
    const [shown] = await widgetMessages(this.domain, [message]);
    const push: VisitorPush = { type: 'message', message: shown ?? toWebchatMessage(message) };
    const here = this.deliverHere(target, push);
    const elsewhere = await this.relay.push(target, push);
    if (here + elsewhere === 0) return { kind: 'held', reason: 'The visitor is away; it goes out when they come back.' };
    return { kind: 'accepted', providerId: null, status: 'sent' };
  }
}

/** A frame for a visitor: held until their welcome went out, then sent. */
function toVisitor(visitor: Visitor, frame: WebchatServerFrame): void {
  if (visitor.early) visitor.early.push(frame);
  else send(visitor.ws, frame);
}

function send(ws: WebSocket, frame: WebchatServerFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}
