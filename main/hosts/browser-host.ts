import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer, refuseSocket } from '../../boundary/http-boundary.ts';
import { pathAfter, type RequestTarget } from '../../boundary/request-target.ts';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { HostRequestFrame, IPC_EVENTS, type HostServerFrame, type IpcResult } from '../../protocol/ipc.ts';
import { createIpcRouter, type IpcEventSource, type IpcHandlers } from '../ipc-router.ts';
import { contentSecurityPolicy } from './content-security-policy.ts';
import { resolveRendererFile } from './renderer-files.ts';

/**
 * The browser host: the same renderer and IPC contract as the Electron shell,
 * for running Switchboard in an ordinary browser on this machine. The page is
 * served from 127.0.0.1 and talks to the client core over `ws://…/ipc`, which
 * only accepts the page that was given this launch's random token and that
 * comes from this host's own origin.
 */

export const BROWSER_HOST_IPC_PATH = '/ipc';
/** Frames are small JSON requests; anything larger is not ours. */
/** Room for one attachment passed as base64 (5 MB of file ≈ 6.7 MB of text) plus the frame around it. */
const ATTACHMENT_PATH = '/attachments/';
const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Frames that cannot be matched to a request id are answered with this id. */
export const UNKNOWN_FRAME_ID = -1;

export interface BrowserHostCore {
  handlers: IpcHandlers;
  events: IpcEventSource;
}

export interface BrowserHostOptions {
  core: BrowserHostCore;
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  log?: (line: string) => void;
}

export interface BrowserHost {
  /** http://127.0.0.1:PORT/?token=… — the page reads the token from its own URL. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  close(): Promise<void>;
}

/** Compares digests so neither the length nor the content of the token leaks through timing. */
function tokenMatches(expected: string, candidate: string | null): boolean {
  if (candidate === null) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(candidate).digest();
  return timingSafeEqual(a, b);
}

function invalidFrame(id: number, message: string): HostServerFrame {
  return { kind: 'result', id, result: { ok: false, error: { code: 'invalid', message } } };
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const token = randomBytes(32).toString('base64url');
  const router = createIpcRouter(options.core.handlers, (message, err) => log(`${message}: ${String(err)}`));
  let origin = '';
  let csp = '';

  /** Headers of every answer, error answers included. */
  function pageHeaders(): Record<string, string> {
    return {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      // The page URL carries the token; never send it anywhere as a referrer.
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  // The page, its files and the /ipc upgrade enter through the boundary: a parsed target in, a clean answer out.
  const server = createHttpServer({
    name: 'browser host',
    log,
    onRequest: serveFile,
    onUpgrade: upgrade,
    sendError: (res, error) => {
      res.writeHead(error.status, { ...pageHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(error.message);
    },
  });

  /** Same-host only: a page on another name (DNS rebinding) gets nothing. */
  function hostHeaderIsOurs(req: http.IncomingMessage): boolean {
    return req.headers.host === new URL(origin).host;
  }

  async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> {
    const securityHeaders = pageHeaders();
    if (!hostHeaderIsOurs(req)) {
      res.writeHead(421, securityHeaders).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...securityHeaders, Allow: 'GET, HEAD' }).end();
      return;
    }
    const attachmentId = pathAfter(target, ATTACHMENT_PATH);
    if (attachmentId !== null) {
      await serveAttachment(req, res, target, attachmentId, securityHeaders);
      return;
    }
    const file = await resolveRendererFile(options.rendererDir, target.path);
    if (!file) {
      res.writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      ...securityHeaders,
      'Content-Type': file.contentType,
      'Cache-Control': file.isIndex ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file.filePath);
      stream.on('error', reject);
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  }

  /**
   * SPEC (18): GET /attachments/<id>?token=… — main fetches the file with the session token (the
   * page never holds it) and the page shows it from its own origin, within img-src 'self'.
   */
  async function serveAttachment(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: RequestTarget,
    id: string,
    securityHeaders: Record<string, string>,
  ): Promise<void> {
    if (!tokenMatches(token, target.url.searchParams.get('token'))) {
      res.writeHead(401, securityHeaders).end();
      return;
    }
    let file: { name: string; contentType: string; dataBase64: string };
    try {
      file = await options.core.handlers['attachments.read']({ id });
    } catch {
      res.writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const data = Buffer.from(file.dataBase64, 'base64');
    const inline = /^image\/(jpeg|png|gif|webp)$/.test(file.contentType) || file.contentType === 'application/pdf';
    const { 'Content-Security-Policy': _pageCsp, ...fileHeaders } = securityHeaders;
    res.writeHead(200, {
      ...fileHeaders,
      // A file is never a page here: no scripts, whatever it claims to be (Chromium's PDF viewer
      // does not run in a sandboxed document, and runs no page script anyway).
      ...(file.contentType === 'application/pdf' ? {} : { 'Content-Security-Policy': "default-src 'none'; img-src 'self'; media-src 'self'; sandbox" }),
      'Content-Type': inline ? file.contentType : 'application/octet-stream',
      'Content-Length': String(data.length),
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${file.name.replace(/[^\w .()-]/g, '_')}"`,
      'Cache-Control': 'private, no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: RequestTarget): void {
    if (target.path !== BROWSER_HOST_IPC_PATH) return refuseSocket(socket, 404);
    if (!tokenMatches(token, target.url.searchParams.get('token'))) return refuseSocket(socket, 401);
    // A page elsewhere that learnt the token still cannot connect: the browser sets Origin, the page cannot.
    if (req.headers.origin !== origin || !hostHeaderIsOurs(req)) return refuseSocket(socket, 403);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }

  function send(ws: WebSocket, frame: HostServerFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }

  async function answer(raw: RawData, isBinary: boolean): Promise<HostServerFrame> {
    if (isBinary) return invalidFrame(UNKNOWN_FRAME_ID, 'frames must be text');
    let json: unknown;
    try {
      json = JSON.parse(raw.toString());
    } catch {
      return invalidFrame(UNKNOWN_FRAME_ID, 'frames must be JSON');
    }
    const frame = HostRequestFrame.safeParse(json);
    if (!frame.success) {
      const id = (json as { id?: unknown } | null)?.id;
      const usableId = typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : UNKNOWN_FRAME_ID;
      return invalidFrame(usableId, 'not a request frame: expected { id, method, input }');
    }
    const result: IpcResult<unknown> = await router.call(frame.data.method, frame.data.input);
    return { kind: 'result', id: frame.data.id, result };
  }

  wss.on('connection', (ws) => {
    ws.on('message', (raw, isBinary) => {
      void answer(raw, isBinary).then((frame) => send(ws, frame));
    });
    ws.on('error', (err) => log(`browser host: page socket error: ${err.message}`));
  });

  const unsubscribers = IPC_EVENTS.map((event) =>
    options.core.events.on(event, (payload) => {
      const frame: HostServerFrame = { kind: 'event', event, payload };
      for (const ws of wss.clients) send(ws, frame);
    }),
  );

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    for (const unsubscribe of unsubscribers) unsubscribe();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostForUrl}:${port}`;
  csp = contentSecurityPolicy({ connectSources: [`ws://${hostForUrl}:${port}`] });

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    close() {
      closing ??= (async () => {
        for (const unsubscribe of unsubscribers) unsubscribe();
        // Pages reconnect on their own; nothing is in flight that a graceful close would save.
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
