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
import type { DeliveryAdapter } from '../domain/delivery.ts';
import type { Domain } from '../domain/domain.ts';
import { TokenBucket } from '../sync/rate-limit.ts';
import {
  ackVisitorMessages,
  findWebchatChannel,
  newVisitorToken,
  receiveVisitorMessage,
  toWebchatMessage,
  visitorHandle,
  visitorHistory,
} from './visitors.ts';

interface Visitor {
  ws: WebSocket;
  channelId: string;
  handle: string;
  name?: string;
  email?: string;
}

export interface WebchatHubOptions {
  /** Visitor frame rate (tests lower it). */
  framesPerSecond?: number;
  frameBurst?: number;
}

const key = (channelId: string, handle: string) => `${channelId}\n${handle}`;

/**
 * Visitor sockets at /webchat, and the delivery adapter of webchat channels: an agent reply is
 * `sent` once pushed to a live socket of its visitor and `delivered` when the widget acks it;
 * while the visitor is away it stays `queued` and goes out with the history on their return.
 */
export class WebchatHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WEBCHAT_LIMITS.maxFrameBytes });
  private readonly live = new Map<string, Set<Visitor>>();
  private closed = false;

  readonly delivery: DeliveryAdapter = {
    deliver: (message) => this.pushAgentMessage(message),
    close: () => {},
  };

  constructor(
    private readonly domain: Domain,
    private readonly log: (line: string) => void,
    private readonly options: WebchatHubOptions = {},
  ) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  close(): void {
    this.closed = true;
    for (const set of this.live.values()) for (const v of set) v.ws.close(1001, 'server shutting down');
    this.live.clear();
    this.wss.close();
  }

  /** Live sockets of this visitor (tests). */
  socketsOf(channelId: string, handle: string): number {
    return this.live.get(key(channelId, handle))?.size ?? 0;
  }

  private accept(ws: WebSocket): void {
    const bucket = new TokenBucket(
      this.options.framesPerSecond ?? WEBCHAT_LIMITS.framesPerSecond,
      this.options.frameBurst ?? WEBCHAT_LIMITS.frameBurst,
    );
    let visitor: Visitor | null = null;
    let strikes = 0;
    const helloTimer = setTimeout(() => {
      if (!visitor) ws.close(WebchatCloseCode.invalidFrame, 'hello expected');
    }, 10_000);
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (visitor) this.detach(visitor);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (this.closed) return;
      if (!bucket.take()) {
        send(ws, { type: 'error', code: 'rate_limited', message: 'Too many messages; slow down.' });
        if (++strikes > 20) ws.close(WebchatCloseCode.rateLimited, 'rate limited');
        return;
      }
      let frame: WebchatClientFrame;
      try {
        if (isBinary) throw new Error('binary');
        frame = WebchatClientFrame.parse(JSON.parse(String(data)));
      } catch {
        if (!visitor) return void ws.close(WebchatCloseCode.invalidFrame, 'invalid frame');
        return void send(ws, { type: 'error', code: 'invalid_frame', message: 'That frame is not valid.' });
      }
      try {
        if (frame.type === 'hello') {
          if (visitor) return void send(ws, { type: 'error', code: 'invalid_frame', message: 'Already said hello.' });
          const channel = findWebchatChannel(this.domain, frame.widgetKey);
          if (!channel) return void ws.close(WebchatCloseCode.unknownWidget, 'unknown widget');
          const token = frame.visitorToken ?? newVisitorToken();
          const handle = visitorHandle(channel.id, token);
          const set = this.live.get(key(channel.id, handle)) ?? new Set<Visitor>();
          if (set.size >= WEBCHAT_LIMITS.socketsPerVisitor) return void ws.close(WebchatCloseCode.tooManySockets, 'too many tabs');
          visitor = { ws, channelId: channel.id, handle, name: frame.name || undefined, email: frame.email || undefined };
          clearTimeout(helloTimer);
          set.add(visitor);
          this.live.set(key(channel.id, handle), set);
          const history = visitorHistory(this.domain, channel.id, handle);
          send(ws, { type: 'welcome', visitorToken: token, title: channel.name, history: history.map(toWebchatMessage) });
          // Replies queued while the visitor was away went out with the history just now.
          for (const m of history) if (m.direction === 'out' && m.status === 'queued') this.domain.setDeliveryStatus(m.id, 'sent');
          return;
        }
        if (!visitor) return void ws.close(WebchatCloseCode.invalidFrame, 'hello expected');
        if (frame.type === 'send') {
          const message = receiveVisitorMessage(this.domain, {
            channelId: visitor.channelId,
            handle: visitor.handle,
            body: frame.body,
            clientMessageId: frame.clientMessageId,
            name: frame.name || visitor.name,
            email: frame.email || visitor.email,
          });
          for (const other of this.live.get(key(visitor.channelId, visitor.handle)) ?? []) {
            send(other.ws, {
              type: 'message',
              message: toWebchatMessage(message),
              ...(other === visitor ? { clientMessageId: frame.clientMessageId } : {}),
            });
          }
          return;
        }
        ackVisitorMessages(this.domain, visitor.channelId, visitor.handle, frame.messageIds);
      } catch (err) {
        this.log(`webchat frame failed: ${err instanceof Error ? err.stack : String(err)}`);
        send(ws, { type: 'error', code: 'internal', message: 'The server failed; try again.' });
      }
    });
  }

  private detach(visitor: Visitor): void {
    const k = key(visitor.channelId, visitor.handle);
    const set = this.live.get(k);
    set?.delete(visitor);
    if (set && set.size === 0) this.live.delete(k);
  }

  private pushAgentMessage(message: EntityOf<'message'>): void {
    if (this.closed) return;
    const conversation = this.domain.read((tx) => tx.get('conversation', message.conversationId));
    if (!conversation) return;
    const set = this.live.get(key(conversation.channelId, conversation.customerAddress));
    if (!set?.size) return; // stays queued; the welcome history carries it on return
    for (const v of set) send(v.ws, { type: 'message', message: toWebchatMessage(message) });
    this.domain.setDeliveryStatus(message.id, 'sent');
  }
}

function send(ws: WebSocket, frame: WebchatServerFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}
