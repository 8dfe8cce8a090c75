import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { ServerFrame } from '../../../protocol/sync.ts';

/**
 * A loopback proxy in front of a real server that can hold the sync stream: HTTP (sign-in, the history API)
 * passes through untouched; on each /sync socket the server's frames pass until one for which `holdAfter` is
 * true (that one passes too), then every later server frame waits until `release()`. What the client sends
 * always passes. Used to look at a client core in the middle of a windowed first sync (issue 13).
 */
export interface SyncGate {
  /** The address to give the client instead of the server's. */
  url: string;
  /** The hold began (the `holdAfter` frame went through). */
  holding(): boolean;
  /** Server frames waiting now. */
  held(): number;
  /** Lets the held frames through, in order, and everything after them. */
  release(): void;
  close(): Promise<void>;
}

export async function startSyncGate(target: string, holdAfter: (frame: ServerFrame) => boolean): Promise<SyncGate> {
  const upstreamBase = new URL(target);
  let holding = false;
  let released = false;
  const waiting: { socket: WebSocket; text: string }[] = [];
  const sockets = new Set<WebSocket>();

  const http = createServer((req, res) => {
    const upstream = request(
      new URL(req.url ?? '/', upstreamBase),
      { method: req.method, headers: { ...req.headers, host: upstreamBase.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const wss = new WebSocketServer({ server: http, path: '/sync' });

  const toClient = (socket: WebSocket, text: string): void => {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  };

  wss.on('connection', (down) => {
    const up = new WebSocket(`${target.replace(/^http/, 'ws')}/sync`);
    sockets.add(down).add(up);
    const early: string[] = [];
    up.on('open', () => {
      for (const text of early.splice(0)) up.send(text);
    });
    down.on('message', (data) => {
      const text = data.toString();
      if (up.readyState === WebSocket.OPEN) up.send(text);
      else early.push(text);
    });
    up.on('message', (data) => {
      const text = data.toString();
      if (holding && !released) return void waiting.push({ socket: down, text });
      toClient(down, text);
      if (!holding && holdAfter(JSON.parse(text) as ServerFrame)) holding = true;
    });
    // Close codes 1005/1006 may not be sent: such an end is passed on as a dropped link.
    const pass = (to: WebSocket, code: number, reason: Buffer): void => {
      if (to.readyState !== WebSocket.OPEN && to.readyState !== WebSocket.CONNECTING) return;
      if (code === 1005 || code === 1006) to.terminate();
      else to.close(code, reason.toString());
    };
    up.on('close', (code, reason) => pass(down, code, reason));
    down.on('close', (code, reason) => pass(up, code, reason));
    up.on('error', () => down.terminate());
    down.on('error', () => up.terminate());
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    holding: () => holding && !released,
    held: () => waiting.length,
    release() {
      released = true;
      for (const { socket, text } of waiting.splice(0)) toClient(socket, text);
    },
    async close() {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
