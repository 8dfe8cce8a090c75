import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { RequestTarget } from '../../boundary/request-target.ts';
import type { AddressInfo } from 'node:net';
import { computeWhatsAppSignature } from '../channels/whatsapp-signature.ts';
import { listen } from './listen.ts';
import { simulatorServer } from './simulator-http.ts';

export interface WhatsAppSimulatorOptions {
  /** 0 or absent = any free port. */
  port?: number;
  host?: string;
  phoneNumberId?: string;
  accessToken?: string;
  appSecret?: string;
  verifyToken?: string;
}

type MediaRef = { id?: string; link?: string; caption?: string; filename?: string; voice?: boolean };

export interface GraphSend {
  phoneNumberId: string;
  /** The JSON body the server posted. */
  body: {
    messaging_product?: string;
    to?: string;
    type?: string;
    text?: { body?: string };
    template?: { name?: string; language?: { code?: string }; components?: { type?: string; parameters?: { type?: string; text?: string }[] }[] };
    image?: MediaRef;
    audio?: MediaRef;
    video?: MediaRef;
    document?: MediaRef;
    biz_opaque_callback_data?: string;
  };
  wamid: string;
  authorized: boolean;
  /** The HTTP status answered: 200 = accepted (the wamid is the message's), anything else refused it. */
  answered: number;
}

/** A refusal the simulator plays instead of accepting a send: HTTP status, Graph error code, Retry-After. */
export interface GraphRefusal {
  status: number;
  code: number;
  message?: string;
  retryAfter?: string;
}

/** One POST /v21.0/{phone-number-id}/media (multipart) the server made. */
export interface GraphUpload {
  phoneNumberId: string;
  /** The form fields messaging_product and type. */
  messagingProduct: string | null;
  type: string | null;
  /** The file part's name and content type, and its bytes. */
  filename: string | null;
  contentType: string | null;
  bytes: Buffer;
  /** The media id answered (empty when refused). */
  id: string;
  authorized: boolean;
}

/** One request for a media item: its info (GET /v21.0/{media-id}) or its bytes (GET of the URL the info named). */
export interface MediaFetch {
  id: string;
  step: 'info' | 'file';
  authorized: boolean;
}

export type StatusStep = { status: string; error?: { code: number; title: string } };

export interface InboundMediaInput {
  from: string;
  type: 'image' | 'audio' | 'video' | 'document' | 'sticker';
  /** As WhatsApp declares it, e.g. "audio/ogg; codecs=opus" for a voice note. */
  contentType: string;
  /** The file the server will download (served by the simulator under a fresh media id). */
  body: Buffer;
  caption?: string;
  filename?: string;
  /** Audio only: recorded in WhatsApp (a voice note). */
  voice?: boolean;
  /** The message's wamid (default: random). */
  id?: string;
  /** The media id (default: random). */
  mediaId?: string;
}

const MEDIA_FILE_PREFIX = '/media-files/';

/**
 * A minimal WhatsApp Cloud API: speaks POST /v21.0/{phone-number-id}/messages (records each send,
 * answers with a wamid), POST /v21.0/{phone-number-id}/media (multipart upload), GET /v21.0/{media-id}
 * and the media URL it names (both bearer-checked), and POSTs signed webhooks (statuses, inbound
 * messages) to the server.
 */
export class WhatsAppSimulator {
  readonly sends: GraphSend[] = [];
  readonly uploads: GraphUpload[] = [];
  readonly mediaFetches: MediaFetch[] = [];
  /** Status webhooks sent automatically after each accepted send. */
  autoStatuses: StatusStep[] = [{ status: 'sent' }, { status: 'delivered' }];
  /** Where status webhooks go (the server's /webhooks/whatsapp); null = none sent. */
  webhookUrl: string | null = null;
  /** How many of the next media file downloads answer 500 (a flaky CDN). */
  failMediaDownloads = 0;
  /** The next sends are answered with these, in order, instead of being accepted. */
  readonly refuseNext: GraphRefusal[] = [];
  /** A status webhook not answered with 2xx is posted again this many times, every webhookRetryMs (as Meta retries). */
  webhookRetries = 0;
  webhookRetryMs = 250;
  private closed = false;
  private readonly media = new Map<string, { contentType: string; bytes: Buffer }>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly phoneNumberId: string,
    readonly accessToken: string,
    readonly appSecret: string,
    readonly verifyToken: string,
  ) {}

  static async start(options: WhatsAppSimulatorOptions = {}): Promise<WhatsAppSimulator> {
    let sim: WhatsAppSimulator | null = null;
    const server = simulatorServer('whatsapp simulator', (req, res, raw, target) => (sim ? sim.handle(req, res, raw, target) : void res.writeHead(503).end()));
    const host = options.host ?? '127.0.0.1';
    await listen(server, options.port ?? 0, host);
    const port = (server.address() as AddressInfo).port;
    sim = new WhatsAppSimulator(
      server,
      `http://${host}:${port}`,
      options.phoneNumberId ?? String(100000000000000 + Math.floor(Math.random() * 1e12)),
      options.accessToken ?? `EAAG${randomBytes(16).toString('hex')}`,
      options.appSecret ?? randomBytes(16).toString('hex'),
      options.verifyToken ?? `verify-${randomBytes(8).toString('hex')}`,
    );
    return sim;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, raw: Buffer, target: RequestTarget): Promise<void> {
    const { path } = target;
    const bearer = req.headers.authorization === `Bearer ${this.accessToken}`;
    const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const unauthorized = () => json(401, { error: { code: 190, message: 'Invalid OAuth access token.' } });

    const send = /^\/v21\.0\/([^/]+)\/messages$/.exec(path);
    if (req.method === 'POST' && send) return this.handleSend(decodeURIComponent(send[1] ?? ''), bearer, raw, res, json, unauthorized);
    const upload = /^\/v21\.0\/([^/]+)\/media$/.exec(path);
    if (req.method === 'POST' && upload) {
      const phoneNumberId = decodeURIComponent(upload[1] ?? '');
      const authorized = bearer && phoneNumberId === this.phoneNumberId;
      const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData().catch(() => null);
      const file = form?.get('file');
      const field = (name: string) => {
        const v = form?.get(name);
        return typeof v === 'string' ? v : null;
      };
      const bytes = file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
      const ok = authorized && file instanceof Blob && field('messaging_product') === 'whatsapp' && field('type') !== null;
      const id = ok ? String(1000000000000000 + Math.floor(Math.random() * 1e15)) : '';
      this.uploads.push({
        phoneNumberId,
        messagingProduct: field('messaging_product'),
        type: field('type'),
        filename: file instanceof File ? file.name : null,
        contentType: file instanceof Blob ? file.type || null : null,
        bytes,
        id,
        authorized,
      });
      if (!authorized) return unauthorized();
      if (!ok) return json(400, { error: { code: 100, message: 'Param file, type and messaging_product are required.' } });
      this.media.set(id, { contentType: field('type') ?? 'application/octet-stream', bytes });
      return json(200, { id });
    }
    const info = /^\/v21\.0\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && info) {
      const id = decodeURIComponent(info[1] ?? '');
      this.mediaFetches.push({ id, step: 'info', authorized: bearer });
      if (!bearer) return unauthorized();
      const item = this.media.get(id);
      if (!item) return json(404, { error: { code: 100, message: 'Unsupported get request. Object does not exist.' } });
      return json(200, {
        url: `${this.url}${MEDIA_FILE_PREFIX}${encodeURIComponent(id)}?ext=${Date.now()}`,
        mime_type: item.contentType,
        sha256: createHash('sha256').update(item.bytes).digest('hex'),
        file_size: item.bytes.length,
        id,
        messaging_product: 'whatsapp',
      });
    }
    if (req.method === 'GET' && path.startsWith(MEDIA_FILE_PREFIX)) {
      const id = decodeURIComponent(path.slice(MEDIA_FILE_PREFIX.length));
      this.mediaFetches.push({ id, step: 'file', authorized: bearer });
      if (!bearer) return unauthorized();
      if (this.failMediaDownloads > 0) {
        this.failMediaDownloads--;
        return void res.writeHead(500).end();
      }
      const item = this.media.get(id);
      if (!item) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': item.contentType, 'content-length': item.bytes.length }).end(item.bytes);
    }
    res.writeHead(404).end();
  }

  private handleSend(
    phoneNumberId: string,
    bearer: boolean,
    raw: Buffer,
    res: ServerResponse,
    json: (status: number, body: unknown) => void,
    unauthorized: () => void,
  ): void {
    const authorized = bearer && phoneNumberId === this.phoneNumberId;
    let body: GraphSend['body'] = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as GraphSend['body'];
    } catch {
      /* recorded as empty */
    }
    const wamid = `wamid.${randomBytes(12).toString('hex')}`;
    const refusal = authorized ? this.refuseNext.shift() : undefined;
    this.sends.push({ phoneNumberId, body, wamid, authorized, answered: !authorized ? 401 : (refusal?.status ?? 200) });
    if (!authorized) return unauthorized();
    if (refusal) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (refusal.retryAfter !== undefined) headers['retry-after'] = refusal.retryAfter;
      res.writeHead(refusal.status, headers).end(JSON.stringify({ error: { code: refusal.code, message: refusal.message ?? 'Refused by the simulator' } }));
      return;
    }
    json(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to?.replace(/^\+/, '') }], messages: [{ id: wamid }] });
    void this.playStatuses(wamid, body.to ?? '', body.biz_opaque_callback_data, [...this.autoStatuses]);
  }

  /** Serves `bytes` as a media item (GET /v21.0/{id} and its URL); returns the media id. */
  serveMedia(contentType: string, bytes: Buffer, id = String(2000000000000000 + Math.floor(Math.random() * 1e15))): string {
    this.media.set(id, { contentType, bytes });
    return id;
  }

  /** The bytes of an uploaded or served media item (undefined = unknown id). */
  mediaBytes(id: string): Buffer | undefined {
    return this.media.get(id)?.bytes;
  }

  private async playStatuses(wamid: string, to: string, callbackData: string | undefined, steps: StatusStep[]): Promise<void> {
    if (!this.webhookUrl) return;
    for (const step of steps) {
      await new Promise((r) => setTimeout(r, 10));
      const status: Record<string, unknown> = { id: wamid, status: step.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to.replace(/^\+/, '') };
      if (callbackData) status.biz_opaque_callback_data = callbackData;
      if (step.error) status.errors = [{ code: step.error.code, title: step.error.title }];
      for (let attempt = 0; attempt <= this.webhookRetries && !this.closed; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, this.webhookRetryMs));
        const answer = await this.postSigned(this.webhookUrl, this.envelope({ statuses: [status] })).catch(() => null);
        if (answer?.ok) break;
      }
    }
  }

  /** The webhook envelope Meta sends around one change value. */
  envelope(value: Record<string, unknown>): unknown {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA_ID',
          changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '14155550101', phone_number_id: this.phoneNumberId }, ...value } }],
        },
      ],
    };
  }

  /** An inbound text message payload (from: digits without +, as WhatsApp sends it). */
  inboundText(input: { from: string; body: string; id?: string }): unknown {
    const wa = input.from.replace(/^\+/, '');
    return this.envelope({
      contacts: [{ profile: { name: 'Customer' }, wa_id: wa }],
      messages: [{ from: wa, id: input.id ?? `wamid.${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: input.body } }],
    });
  }

  /** An inbound media message payload; its file is served under a media id the server must download. */
  inboundMedia(input: InboundMediaInput): unknown {
    const wa = input.from.replace(/^\+/, '');
    const mediaId = this.serveMedia(input.contentType, input.body, input.mediaId);
    const media: Record<string, unknown> = { id: mediaId, mime_type: input.contentType, sha256: createHash('sha256').update(input.body).digest('base64') };
    if (input.caption !== undefined) media.caption = input.caption;
    if (input.filename !== undefined) media.filename = input.filename;
    if (input.voice !== undefined) media.voice = input.voice;
    return this.envelope({
      contacts: [{ profile: { name: 'Customer' }, wa_id: wa }],
      messages: [{ from: wa, id: input.id ?? `wamid.${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: input.type, [input.type]: media }],
    });
  }

  /** POSTs `payload` (or a raw string, sent byte for byte) signed with the app secret (or `secret` / `signature`). */
  async postSigned(url: string, payload: unknown, options: { secret?: string; signature?: string | null; signedBody?: string } = {}): Promise<Response> {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const signature = options.signature === undefined ? computeWhatsAppSignature(options.secret ?? this.appSecret, options.signedBody ?? raw) : options.signature;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return fetch(url, { method: 'POST', headers, body: raw });
  }

  close(): Promise<void> {
    this.closed = true;
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
