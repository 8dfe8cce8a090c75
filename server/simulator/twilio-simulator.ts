import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeTwilioSignature } from '../channels/twilio-signature.ts';
import { listen } from './listen.ts';
import { simulatorServer } from './simulator-http.ts';

export interface TwilioSimulatorOptions {
  /** 0 or absent = any free port. */
  port?: number;
  host?: string;
  accountSid?: string;
  authToken?: string;
}

export interface SentMessage {
  accountSid: string;
  /** The form the server posted: To, From or MessagingServiceSid, Body, StatusCallback. */
  form: Record<string, string>;
  sid: string;
  authorized: boolean;
  /** Every MediaUrl parameter, in order (the form above keeps only the last). */
  mediaUrls: string[];
  /** The HTTP status answered: 201 = accepted (the sid is the message's), anything else refused it. */
  answered: number;
}

/** A refusal the simulator plays instead of accepting a send (a flaky or refusing Twilio). */
export interface ForcedRefusal {
  status: number;
  code?: number;
  message?: string;
  /** The Retry-After header, as sent. */
  retryAfter?: string;
}

/**
 * A minimal Twilio: speaks POST /2010-04-01/Accounts/{sid}/Messages.json (records each
 * message, answers with an SM… sid) and can POST signed webhooks to the server.
 */
export class TwilioSimulator {
  readonly sent: SentMessage[] = [];
  /** Media served at GET /media/<name> (Basic auth like Twilio's media URLs). */
  readonly media = new Map<string, { contentType: string; body: Buffer }>();
  /** Each media request: its name and whether it carried the account's credentials. */
  readonly mediaFetches: Array<{ name: string; authorized: boolean }> = [];
  /** Status callbacks sent automatically after each outbound message (empty = none). */
  autoStatuses: Array<{ status: string; errorCode?: string }> = [
    { status: 'sent' },
    { status: 'delivered' },
  ];
  /** The next sends are answered with these, in order, instead of being accepted. */
  readonly refuseNext: ForcedRefusal[] = [];
  /**
   * A status callback the server did not answer with 2xx is posted again this many times, every
   * webhookRetryMs (Twilio retries with connection overrides, e.g. `#rc=5&rp=all` on the callback URL).
   */
  webhookRetries = 0;
  webhookRetryMs = 250;
  /** While set, sends wait unanswered and unrecorded (a provider that hangs); see holdSends. */
  private held: { waiting: number; gone: number; released: Promise<void> } | null = null;
  private closed = false;
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  static async start(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
    const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
    const authToken = options.authToken ?? randomBytes(16).toString('hex');
    let sim: TwilioSimulator | null = null;
    const server = simulatorServer('twilio simulator', async (req, res, raw, target) => {
      const expected = `Basic ${Buffer.from(`${sim?.accountSid}:${sim?.authToken}`).toString('base64')}`;
      const mediaName = /^\/media\/([^/]+)$/.exec(target.path)?.[1];
      if (sim && req.method === 'GET' && mediaName) {
        const authorizedMedia = req.headers.authorization === expected;
        sim.mediaFetches.push({ name: mediaName, authorized: authorizedMedia });
        const file = sim.media.get(mediaName);
        if (!authorizedMedia) return void res.writeHead(401).end();
        if (!file) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length }).end(file.body);
      }
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(target.path);
      if (!sim || req.method !== 'POST' || !match) return void res.writeHead(404).end();
      const held = sim.held;
      if (held) {
        held.waiting++;
        req.socket.once('close', () => held.gone++);
        await held.released;
        // The caller went away meanwhile (its process died): this send never reached "Twilio".
        if (req.socket.destroyed) return;
      }
      const authorized = req.headers.authorization === expected && match[1] === sim.accountSid;
      const search = new URLSearchParams(raw.toString('utf8'));
      const form = Object.fromEntries(search);
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const refusal = authorized ? sim.refuseNext.shift() : undefined;
      const answered = !authorized ? 401 : (refusal?.status ?? 201);
      sim.sent.push({ accountSid: match[1] ?? '', form, sid, authorized, mediaUrls: search.getAll('MediaUrl'), answered });
      if (!authorized) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
        return;
      }
      if (refusal) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (refusal.retryAfter !== undefined) headers['retry-after'] = refusal.retryAfter;
        res.writeHead(refusal.status, headers).end(JSON.stringify({ code: refusal.code ?? refusal.status, message: refusal.message ?? 'Refused by the simulator', status: refusal.status }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid, status: 'queued', to: form.To, body: form.Body }));
      const callback = form.StatusCallback;
      if (callback) void sim.playStatuses(callback, sid, [...sim.autoStatuses]);
    });
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
    const port = (server.address() as AddressInfo).port;
    sim = new TwilioSimulator(server, `http://${options.host ?? '127.0.0.1'}:${port}`, accountSid, authToken);
    return sim;
  }

  private async playStatuses(callback: string, sid: string, statuses: Array<{ status: string; errorCode?: string }>): Promise<void> {
    for (const { status, errorCode } of statuses) {
      await new Promise((r) => setTimeout(r, 10));
      const params: Array<[string, string]> = [
        ['AccountSid', this.accountSid],
        ['MessageSid', sid],
        ['SmsSid', sid],
        ['MessageStatus', status],
        ['SmsStatus', status],
      ];
      if (errorCode) params.push(['ErrorCode', errorCode]);
      for (let attempt = 0; attempt <= this.webhookRetries && !this.closed; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, this.webhookRetryMs));
        const answer = await this.postSigned(callback, params).catch(() => null);
        if (answer?.ok) break;
      }
    }
  }

  /**
   * Sends from now on hang until release() (then they are taken, unless their caller is gone): a provider call
   * in flight for as long as a test needs.
   */
  holdSends(): { readonly waiting: number; readonly gone: number; release(): void } {
    let release!: () => void;
    const held = { waiting: 0, gone: 0, released: new Promise<void>((resolve) => (release = resolve)) };
    this.held = held;
    return {
      /** Calls held so far. */
      get waiting() {
        return held.waiting;
      },
      /** Held calls whose connection closed (their caller died). */
      get gone() {
        return held.gone;
      },
      release: () => {
        if (this.held === held) this.held = null;
        release();
      },
    };
  }

  /** POSTs a form to `url` signed as Twilio would (or with `signature` when given). */
  async postSigned(url: string, params: Array<[string, string]>, options: { signature?: string | null; token?: string; signedUrl?: string } = {}): Promise<Response> {
    const signature =
      options.signature === undefined ? computeTwilioSignature(options.token ?? this.authToken, options.signedUrl ?? url, params) : options.signature;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  }

  /** An inbound SMS webhook as Twilio sends it. */
  inboundParams(input: { from: string; to: string; body: string; messageSid?: string; messagingServiceSid?: string }): Array<[string, string]> {
    const params: Array<[string, string]> = [
      ['MessageSid', input.messageSid ?? `SM${randomBytes(16).toString('hex')}`],
      ['AccountSid', this.accountSid],
      ['From', input.from],
      ['To', input.to],
      ['Body', input.body],
      ['NumMedia', '0'],
    ];
    if (input.messagingServiceSid) params.push(['MessagingServiceSid', input.messagingServiceSid]);
    return params;
  }

  /** Serves a file at GET /media/<name>; returns its URL (for MediaUrlN). */
  serveMedia(name: string, contentType: string, body: Buffer): string {
    this.media.set(name, { contentType, body });
    return `${this.url}/media/${name}`;
  }

  /** Adds NumMedia / MediaUrlN / MediaContentTypeN to inbound params. */
  withMedia(params: Array<[string, string]>, media: Array<{ url: string; contentType: string }>): Array<[string, string]> {
    const out = params.filter(([k]) => k !== 'NumMedia');
    out.push(['NumMedia', String(media.length)]);
    media.forEach((m, i) => out.push([`MediaUrl${i}`, m.url], [`MediaContentType${i}`, m.contentType]));
    return out;
  }

  close(): Promise<void> {
    this.closed = true;
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
