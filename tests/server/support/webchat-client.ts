import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { WEBCHAT_PATHS, WebchatServerFrame } from '../../../protocol/webchat.ts';
import { WebchatHub, type WebchatHubOptions } from '../../../server/webchat/hub.ts';
import { isWidgetVisitor } from '../../../server/webchat/visitors.ts';
import type { TestDomain } from './fixtures.ts';

/** A WebchatHub on a real HTTP server over a test domain, with webchat delivery wired in. */
export async function startWebchat(t: TestDomain, options: WebchatHubOptions = {}): Promise<{ url: string; hub: WebchatHub; close(): Promise<void> }> {
  const hub = new WebchatHub(t.domain, (l) => t.logs.push(l), options);
  t.domain.useDeliveryFor('webchat', hub.delivery, (c) => isWidgetVisitor(c.customerAddress));
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === WEBCHAT_PATHS.socket) void hub.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${WEBCHAT_PATHS.socket}`;
  return {
    url,
    hub,
    async close() {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A scripted visitor: every server frame is validated with the protocol schema. */
export class Visitor {
  readonly frames: WebchatServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(WebchatServerFrame.parse(JSON.parse(String(data))));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
  }

  static async open(url: string): Promise<Visitor> {
    const ws = new WebSocket(url);
    const visitor = new Visitor(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return visitor;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits for the first frame (from index `from`) matching `test`. */
  async next<T extends WebchatServerFrame['type']>(type: T, test: (f: Extract<WebchatServerFrame, { type: T }>) => boolean = () => true, timeoutMs = 3000): Promise<Extract<WebchatServerFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f): f is Extract<WebchatServerFrame, { type: T }> => f.type === type && test(f as Extract<WebchatServerFrame, { type: T }>));
      if (found) return found;
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason} while waiting for ${type}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async waitClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}
