import { createReadStream, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  ATTACHMENT_LIMITS,
  attachmentSetError,
  formatBytes,
  isPreviewableImage,
} from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import { VisitorToken, WEBCHAT_PATHS, WEBCHAT_UPLOAD_QUOTA, WEBCHAT_VISITOR_HEADER, type WebchatUploadResponse } from '../../protocol/webchat.ts';
import type { AttachmentStore } from '../domain/attachments.ts';
import type { Domain } from '../domain/domain.ts';
import { checkUploadHeaders, safeFileName, SIGNATURES } from '../http/attachments.ts';
import { pathAfter, type RequestTarget } from '../../boundary/request-target.ts';
import { HttpError, readBodyBytes, sendJson } from '../http/respond.ts';
import { clientAddress, originAllowed, type AddressLimits, type WebchatHubOptions } from './limits.ts';
import { findWebchatChannel, visitorHandle, visitorMayRead } from './visitors.ts';

interface Pending {
  channelId: string;
  handle: string;
  attachment: Attachment;
  createdAt: number;
}

type Quota = Required<NonNullable<WebchatHubOptions['uploadQuota']>>;

/**
 * Visitor uploads between the upload and the message that carries them. A file is written as an
 * uncommitted part of the AttachmentStore and committed (bound to the conversation) only when the
 * visitor's `send` names it — before their first message there is no conversation to bind it to.
 * Unclaimed parts expire; parts are lost with a restart and the widget is told to attach again.
 */
export class VisitorUploads {
  private readonly pending = new Map<string, Pending>();
  private readonly hourly = new Map<string, { windowStart: number; bytes: number }>();
  private readonly quota: Quota;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly store: AttachmentStore,
    quota: WebchatHubOptions['uploadQuota'] = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.quota = { ...WEBCHAT_UPLOAD_QUOTA, ...quota };
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.quota.pendingTtlMs, 60_000));
    this.sweeper.unref();
  }

  /** Why this visitor may not upload `size` more bytes now, or null. */
  quotaError(channelId: string, handle: string, size: number): string | null {
    this.sweep();
    const mine = [...this.pending.values()].filter((p) => p.channelId === channelId && p.handle === handle);
    if (mine.length >= this.quota.maxPendingFiles) return `You have ${mine.length} files waiting to be sent; send or remove some first.`;
    const pendingBytes = mine.reduce((n, p) => n + p.attachment.size, 0);
    if (pendingBytes + size > this.quota.maxPendingBytes) return `Files waiting to be sent may total at most ${formatBytes(this.quota.maxPendingBytes)}; send them first.`;
    const used = this.hourWindow(channelId, handle).bytes;
    if (used + size > this.quota.bytesPerHour) return `You have uploaded ${formatBytes(used)} in the last hour; try again later.`;
    return null;
  }

  /** Stores the bytes as a part and remembers whose they are. */
  stage(channelId: string, handle: string, file: { name: string; contentType: string; bytes: Buffer }): Attachment {
    const id = this.store.newId();
    writeFileSync(this.store.partPath(id), file.bytes, { flag: 'wx' });
    const attachment: Attachment = { id, name: file.name, contentType: file.contentType, size: file.bytes.length };
    this.pending.set(id, { channelId, handle, attachment, createdAt: this.clock() });
    this.hourWindow(channelId, handle).bytes += file.bytes.length;
    return attachment;
  }

  /** The server's facts about these uploads of this visitor, or why they cannot be sent. */
  claim(channelId: string, handle: string, ids: readonly string[]): Attachment[] | string {
    this.sweep();
    const out: Attachment[] = [];
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p || p.channelId !== channelId || p.handle !== handle) return 'An attachment of this message has expired or is unknown; attach the file again.';
      out.push(p.attachment);
    }
    return attachmentSetError(out) ?? out;
  }

  /** Binds claimed uploads to the conversation of the message that carries them. */
  commit(ids: readonly string[], conversationId: string, uploaderId: string): void {
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      this.store.commit({ ...p.attachment, conversationId, uploaderId, createdAt: this.clock() });
    }
  }

  /** Uploads waiting to be sent (tests). */
  pendingOf(channelId: string, handle: string): number {
    return [...this.pending.values()].filter((p) => p.channelId === channelId && p.handle === handle).length;
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const id of this.pending.keys()) this.store.discard(id);
    this.pending.clear();
  }

  private hourWindow(channelId: string, handle: string): { windowStart: number; bytes: number } {
    const k = `${channelId}\n${handle}`;
    const now = this.clock();
    let w = this.hourly.get(k);
    if (!w || now - w.windowStart >= 3_600_000) {
      w = { windowStart: now, bytes: 0 };
      this.hourly.set(k, w);
    }
    return w;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [id, p] of this.pending) {
      if (now - p.createdAt > this.quota.pendingTtlMs) {
        this.pending.delete(id);
        this.store.discard(id);
      }
    }
    for (const [k, w] of this.hourly) if (now - w.windowStart >= 3_600_000) this.hourly.delete(k);
  }
}

/** What the attachment routes need from the hub. */
export interface WebchatGate {
  readonly options: WebchatHubOptions;
  readonly limits: AddressLimits;
  readonly uploads: VisitorUploads | null;
  isLive(channelId: string, handle: string): boolean;
}

const notFound = (): HttpError => new HttpError(404, 'not_found', 'No such attachment in this chat.');

/**
 * POST /webchat/attachments and GET /webchat/attachments/<id> (with CORS, as the widget runs on
 * other sites). Returns null for other paths; otherwise the handling, whose failures the HTTP
 * boundary answers.
 */
export function webchatAttachmentRoute(domain: Domain, gate: WebchatGate, req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> | null {
  const base = WEBCHAT_PATHS.attachments;
  const id = pathAfter(target, `${base}/`);
  if (target.path !== base && id === null) return null;
  const method = req.method ?? 'GET';
  const widgetKey = target.url.searchParams.get('widget') ?? '';
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const allowed = originAllowed(gate.options, widgetKey, origin);
  if (origin && allowed) {
    // No cookies are involved (the token is a header), so credentials stay off.
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
  const run = async (): Promise<void> => {
    if (method === 'OPTIONS') {
      if (!allowed) throw new HttpError(403, 'origin_not_allowed', 'This site may not use this chat.');
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': `content-type, ${WEBCHAT_VISITOR_HEADER}`,
        'access-control-max-age': '600',
      });
      return void res.end();
    }
    if (!allowed) throw new HttpError(403, 'origin_not_allowed', 'This site may not use this chat.');
    if (!gate.uploads) throw new HttpError(404, 'not_found', 'This server does not accept attachments.');
    if (id === null && method === 'POST') return upload(domain, gate, gate.uploads, req, res, target.url, widgetKey);
    if (id !== null && (method === 'GET' || method === 'HEAD')) return download(domain, gate.uploads.store, req, res, widgetKey, id);
    res.setHeader('allow', id === null ? 'POST, OPTIONS' : 'GET, HEAD, OPTIONS');
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here.`);
  };
  return run();
}

/** The visitor named by the token header on this widget's channel. */
async function visitorOf(domain: Domain, req: IncomingMessage, widgetKey: string): Promise<{ channelId: string; handle: string }> {
  const header = req.headers[WEBCHAT_VISITOR_HEADER];
  const token = VisitorToken.safeParse(Array.isArray(header) ? header[0] : header);
  if (!token.success) throw new HttpError(401, 'unauthenticated', `Send the visitor token as ${WEBCHAT_VISITOR_HEADER}.`);
  const channel = widgetKey ? await findWebchatChannel(domain, widgetKey) : null;
  if (!channel) throw new HttpError(404, 'unknown_widget', 'This chat does not exist.');
  return { channelId: channel.id, handle: visitorHandle(channel.id, token.data) };
}

async function upload(domain: Domain, gate: WebchatGate, uploads: VisitorUploads, req: IncomingMessage, res: ServerResponse, url: URL, widgetKey: string): Promise<void> {
  if (!(await gate.limits.take('uploads', clientAddress(req, gate.options.trustProxy)))) {
    throw new HttpError(429, 'rate_limited', 'Too many uploads; wait a minute and try again.');
  }
  const visitor = await visitorOf(domain, req, widgetKey);
  // Only a connected visitor uploads: that ties uploads to the per-address session limits.
  if (!gate.isLive(visitor.channelId, visitor.handle)) throw new HttpError(409, 'not_connected', 'The chat is not connected; wait for it to reconnect and try again.');
  const name = safeFileName(url.searchParams.get('name') ?? '');
  const { contentType, declared } = checkUploadHeaders(req, name);
  const quotaError = uploads.quotaError(visitor.channelId, visitor.handle, declared ?? 1);
  if (quotaError) throw new HttpError(429, 'quota_exceeded', quotaError);

  const bytes = await readBodyBytes(req, ATTACHMENT_LIMITS.maxTotalBytes, () =>
    new HttpError(413, 'too_large', `${name} is larger than ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)}, the most a message can carry.`),
  );
  if (bytes.length === 0) throw new HttpError(400, 'invalid', `${name} is empty.`);
  const sniff = SIGNATURES[contentType];
  if (sniff && !sniff(bytes.subarray(0, 16))) throw new HttpError(415, 'unsupported_type', `${name} is not really ${contentType}.`);
  const again = uploads.quotaError(visitor.channelId, visitor.handle, bytes.length);
  if (again) throw new HttpError(429, 'quota_exceeded', again);
  const stored = uploads.stage(visitor.channelId, visitor.handle, { name, contentType, bytes });
  const answer: WebchatUploadResponse = stored;
  sendJson(res, 201, answer);
}

async function download(domain: Domain, store: AttachmentStore, req: IncomingMessage, res: ServerResponse, widgetKey: string, id: string): Promise<void> {
  const visitor = await visitorOf(domain, req, widgetKey);
  const meta = store.get(id);
  if (!meta || !(await visitorMayRead(domain, visitor.channelId, visitor.handle, meta))) throw notFound();
  const image = isPreviewableImage(meta.contentType);
  res.writeHead(200, {
    'content-type': meta.contentType,
    'content-length': meta.size,
    'content-disposition': `${image ? 'inline' : 'attachment'}; filename="${safeFileName(meta.name)}"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    // A file is never a page, even if a browser were talked into rendering one.
    'content-security-policy': "default-src 'none'; sandbox",
    'cross-origin-resource-policy': 'cross-origin',
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(store.filePath(meta.id)), res);
}
