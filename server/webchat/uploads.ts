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
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import { attachmentOf } from '../domain/attachments.ts';
import type { Domain } from '../domain/domain.ts';
import { checkUploadHeaders, safeFileName, SIGNATURES } from '../http/attachments.ts';
import { pathAfter, type RequestTarget } from '../../boundary/request-target.ts';
import { HttpError, readBodyBytes, sendJson } from '../http/respond.ts';
import type { AttachmentRow } from '../storage/storage.ts';
import { clientAddress, originAllowed, type AddressLimits, type WebchatHubOptions } from './limits.ts';
import { findWebchatChannel, visitorHandle, visitorMayRead } from './visitors.ts';

type Quota = Required<NonNullable<WebchatHubOptions['uploadQuota']>>;

const HOUR = 3_600_000;

/**
 * Visitor uploads between the upload and the message that carries them. A file is stored with the visitor
 * (channel + handle) as its uploader and no conversation — before their first message there is none — and
 * the message that names it links it, in the transaction that stores the message (domain/inbound.ts). The
 * facts are in the database, so the visitor's next `send` may reach another instance. An upload not sent
 * within `pendingTtlMs` can no longer be; housekeeping removes unsent ones after a day.
 */
export class VisitorUploads {
  private readonly quota: Quota;

  constructor(
    readonly store: AttachmentFiles,
    quota: WebchatHubOptions['uploadQuota'] = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.quota = { ...WEBCHAT_UPLOAD_QUOTA, ...quota };
  }

  /** This visitor's uploads of the last hour (or of the pending window, if longer). */
  private async recent(channelId: string, handle: string): Promise<{ pending: AttachmentRow[]; lastHourBytes: number }> {
    const now = this.clock();
    const rows = await this.store.uploadsOf(channelId, handle, now - Math.max(HOUR, this.quota.pendingTtlMs));
    return {
      pending: rows.filter((r) => this.claimable(r, now)),
      lastHourBytes: rows.filter((r) => r.createdAt > now - HOUR).reduce((n, r) => n + r.size, 0),
    };
  }

  private claimable(row: AttachmentRow, now: number): boolean {
    return row.committed && row.linkedAt === null && now - row.createdAt <= this.quota.pendingTtlMs;
  }

  /** Why this visitor may not upload `size` more bytes now, or null. */
  async quotaError(channelId: string, handle: string, size: number): Promise<string | null> {
    const { pending, lastHourBytes } = await this.recent(channelId, handle);
    if (pending.length >= this.quota.maxPendingFiles) return `You have ${pending.length} files waiting to be sent; send or remove some first.`;
    const pendingBytes = pending.reduce((n, p) => n + p.size, 0);
    if (pendingBytes + size > this.quota.maxPendingBytes) return `Files waiting to be sent may total at most ${formatBytes(this.quota.maxPendingBytes)}; send them first.`;
    if (lastHourBytes + size > this.quota.bytesPerHour) return `You have uploaded ${formatBytes(lastHourBytes)} in the last hour; try again later.`;
    return null;
  }

  /** Stores the bytes as this visitor's upload. */
  async stage(channelId: string, handle: string, file: { name: string; contentType: string; bytes: Buffer }): Promise<Attachment> {
    const row = await this.store.store({ name: file.name, contentType: file.contentType, conversationId: null, channelId, uploaderId: handle }, [file.bytes]);
    return attachmentOf(row);
  }

  /** The server's facts about these uploads of this visitor, or why they cannot be sent. */
  async claim(channelId: string, handle: string, ids: readonly string[]): Promise<Attachment[] | string> {
    const now = this.clock();
    const out: Attachment[] = [];
    for (const id of ids) {
      const row = await this.store.row(id);
      if (!row || row.channelId !== channelId || row.uploaderId !== handle || !this.claimable(row, now)) {
        return 'An attachment of this message has expired or is unknown; attach the file again.';
      }
      out.push(attachmentOf(row));
    }
    return attachmentSetError(out) ?? out;
  }

  /** Uploads waiting to be sent (tests). */
  async pendingOf(channelId: string, handle: string): Promise<number> {
    return (await this.recent(channelId, handle)).pending.length;
  }

  /** Nothing to let go: pending uploads live in the database (another instance may still link them). */
  close(): void {}
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
  const quotaError = await uploads.quotaError(visitor.channelId, visitor.handle, declared ?? 1);
  if (quotaError) throw new HttpError(429, 'quota_exceeded', quotaError);

  const bytes = await readBodyBytes(req, ATTACHMENT_LIMITS.maxTotalBytes, () =>
    new HttpError(413, 'too_large', `${name} is larger than ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)}, the most a message can carry.`),
  );
  if (bytes.length === 0) throw new HttpError(400, 'invalid', `${name} is empty.`);
  const sniff = SIGNATURES[contentType];
  if (sniff && !sniff(bytes.subarray(0, 16))) throw new HttpError(415, 'unsupported_type', `${name} is not really ${contentType}.`);
  const again = await uploads.quotaError(visitor.channelId, visitor.handle, bytes.length);
  if (again) throw new HttpError(429, 'quota_exceeded', again);
  const stored = await uploads.stage(visitor.channelId, visitor.handle, { name, contentType, bytes });
  const answer: WebchatUploadResponse = stored;
  sendJson(res, 201, answer);
}

async function download(domain: Domain, store: AttachmentFiles, req: IncomingMessage, res: ServerResponse, widgetKey: string, id: string): Promise<void> {
  const visitor = await visitorOf(domain, req, widgetKey);
  const meta = await store.get(id);
  if (!meta || !(await visitorMayRead(domain, visitor.channelId, visitor.handle, meta))) throw notFound();
  const blob = req.method === 'HEAD' ? null : await store.open(meta.id);
  if (req.method !== 'HEAD' && !blob) throw notFound();
  const image = isPreviewableImage(meta.contentType);
  res.writeHead(200, {
    'content-type': meta.contentType,
    'content-length': blob?.size ?? meta.size,
    'content-disposition': `${image ? 'inline' : 'attachment'}; filename="${safeFileName(meta.name)}"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    // A file is never a page, even if a browser were talked into rendering one.
    'content-security-policy': "default-src 'none'; sandbox",
    'cross-origin-resource-policy': 'cross-origin',
  });
  if (!blob) return void res.end();
  await pipeline(blob.body, res);
}
