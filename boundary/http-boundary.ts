import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, isPeerGone } from './http-errors.ts';
import { MalformedTarget, parseRequestTarget, type RequestTarget } from './request-target.ts';

/**
 * The one way a request enters a process (the sync server and the browser host alike): the target
 * is parsed once, and whatever a handler throws, sync or async, becomes a clean answer. Input never
 * ends a process; a client error logs one line without a stack, a server fault one line with it.
 */

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, target: RequestTarget) => void | Promise<void>;

export interface HttpBoundaryOptions {
  /** Names this server in log lines ("server", "browser host"). */
  name: string;
  log: (line: string) => void;
  onRequest: RequestHandler;
  /** Websocket upgrades; absent = every upgrade is refused with 404. */
  onUpgrade?: UpgradeHandler;
  /** How this server words an error answer (JSON for the API, plain text for pages). */
  sendError: (res: ServerResponse, error: HttpError) => void;
}

/** Answers on a raw socket (an upgrade or an unparsable request) and closes it. */
export function refuseSocket(socket: Duplex, status: number): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** What the client is answered (null: nobody is left to answer) and what is logged (null: nothing). */
interface Outcome {
  answer: HttpError | null;
  line: string | null;
}

function outcomeOf(err: unknown): Outcome {
  if (err instanceof MalformedTarget) return { answer: new HttpError(400, 'bad_request', 'The request target is not a valid path.'), line: err.message };
  if (err instanceof URIError) return { answer: new HttpError(400, 'bad_request', 'The request holds a malformed percent-escape.'), line: `malformed input: ${err.message}` };
  if (isPeerGone(err)) return { answer: null, line: 'client aborted the request' };
  if (err instanceof HttpError) return { answer: err, line: err.status >= 500 ? `${err.status} ${err.message}` : null };
  return { answer: new HttpError(500, 'internal', 'The server failed; the error was logged.'), line: `failed: ${err instanceof Error ? err.stack : String(err)}` };
}

/** The raw target as a log may show it: bounded, quoted, control characters escaped. */
function shown(raw: string | undefined): string {
  const text = raw ?? '';
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

export function createHttpServer(options: HttpBoundaryOptions): Server {
  const { name, log } = options;
  const server = http.createServer();
  const report = (req: IncomingMessage, line: string | null) => {
    if (line) log(`${name}: ${req.method ?? '?'} ${shown(req.url)}: ${line}`);
  };

  function answerFailure(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const { answer, line } = outcomeOf(err);
    report(req, line);
    if (!answer || res.headersSent || res.destroyed) return void res.destroy();
    // A refused request may still be sending its body: answer and close rather than read the rest.
    if (!req.complete) res.setHeader('connection', 'close');
    try {
      options.sendError(res, answer);
    } catch (failure) {
      report(req, `could not answer: ${failure instanceof Error ? failure.message : String(failure)}`);
      res.destroy();
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const handle = async () => options.onRequest(req, res, parseRequestTarget(req.url));
    handle().catch((err: unknown) => answerFailure(req, res, err));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgrading socket without an error listener: a reset would otherwise be uncaught.
    socket.on('error', () => socket.destroy());
    const handle = async () => {
      const target = parseRequestTarget(req.url);
      if (!options.onUpgrade) return refuseSocket(socket, 404);
      await options.onUpgrade(req, socket, head, target);
    };
    handle().catch((err: unknown) => {
      const { answer, line } = outcomeOf(err);
      report(req, line);
      if (answer) refuseSocket(socket, answer.status);
      else socket.destroy();
    });
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (isPeerGone(err) || !socket.writable) return void socket.destroy();
    log(`${name}: refused an unreadable request (${err.code ?? err.message})`);
    refuseSocket(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400);
  });

  return server;
}
