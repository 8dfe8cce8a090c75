import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import {
  ATTACHMENT_LIMITS,
  attachmentFileError,
  formatBytes,
  isPreviewableImage,
  normaliseContentType,
} from '../../protocol/attachments.ts';
import { HTTP_PATHS } from '../../protocol/http.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import type { Domain } from '../domain/domain.ts';
import { pathAfter, type RequestTarget } from '../../boundary/request-target.ts';
import type { Handler } from './routes.ts';
import { bearerToken, ClientAbort, HttpError, sendJson } from './respond.ts';
import { recordId } from '../../protocol/scope.ts';

/** The first bytes each sniffable type must start with, so a declared type is not a lie. */
export const SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  'image/png': (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  'image/gif': (h) => h.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (h) => h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (h) => h.subarray(0, 5).toString('latin1') === '%PDF-',
};

const notFound = (): HttpError => new HttpError(404, 'not_found', 'No such attachment, or it is in an inbox you are not a member of.');

/** Whether this person may see this conversation (member of its inbox); a non-member learns nothing. */
function mayAccess(domain: Domain, userId: string, conversationId: string): Promise<boolean> {
  return domain.read(async (tx) => {
    const conversation = await tx.get('conversation', conversationId);
    return conversation !== null && (await tx.get('inboxMember', recordId.inboxMember(conversation.inboxId, userId))) !== null;
  });
}

/** A filename safe for a header and a download: no paths, no control or quote characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"\\;]/g, '').trim().slice(0, 200);
  return cleaned || 'attachment';
}

/** Routes under /api/attachments; returns null for other paths. */
export function attachmentRoute(domain: Domain, store: AttachmentFiles, target: RequestTarget, method: string): Handler | null {
  const base = HTTP_PATHS.attachments;
  const { path } = target;
  if (path === base && method === 'POST') return (req, res) => upload(domain, store, req, res, target.url);
  const id = pathAfter(target, `${base}/`);
  if (id !== null && (method === 'GET' || method === 'HEAD')) return (req, res) => download(domain, store, id, req, res);
  if (path === base || id !== null) {
    return async () => {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}.`);
    };
  }
  return null;
}

async function authenticate(domain: Domain, req: IncomingMessage): Promise<string> {
  const token = bearerToken(req);
  const auth = token ? await domain.sessions.authenticate(token) : null;
  if (!auth) throw new HttpError(401, 'unauthenticated', 'Send a valid session token as Authorization: Bearer <token>.');
  return auth.user.id;
}

/**
 * An upload's declared type and size, checked before a byte is stored (415 / 413); the stream is
 * counted as well, since Content-Length may be absent or lie.
 */
export function checkUploadHeaders(req: IncomingMessage, name: string): { contentType: string; declared: number | null } {
  const contentType = normaliseContentType(req.headers['content-type'] ?? '');
  const declared = Number(req.headers['content-length'] ?? NaN);
  const typeError = attachmentFileError({ name, contentType, size: 1 });
  if (typeError) throw new HttpError(415, 'unsupported_type', typeError);
  if (Number.isFinite(declared) && declared > ATTACHMENT_LIMITS.maxTotalBytes) {
    throw new HttpError(413, 'too_large', `${name} is ${formatBytes(declared)}; a message can carry at most ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)}.`);
  }
  return { contentType, declared: Number.isFinite(declared) ? declared : null };
}

async function upload(domain: Domain, store: AttachmentFiles, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const userId = await authenticate(domain, req);
  const conversationId = url.searchParams.get('conversationId') ?? '';
  const name = safeFileName(url.searchParams.get('name') ?? '');
  if (!conversationId || conversationId.length > 64 || !(await mayAccess(domain, userId, conversationId))) {
    throw new HttpError(404, 'not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
  }
  const { contentType } = checkUploadHeaders(req, name);

  let size = 0;
  let head = Buffer.alloc(0);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > ATTACHMENT_LIMITS.maxTotalBytes) {
        done(new HttpError(413, 'too_large', `${name} is larger than ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)}, the most a message can carry.`));
        return;
      }
      if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
      done(null, chunk);
    },
  });
  // req is piped by hand (not through pipeline) so that a refusal mid-stream leaves the socket open for the
  // 413 answer; the response then closes the connection (the boundary answers with Connection: close).
  req.on('close', () => {
    if (!req.complete) counter.destroy(new ClientAbort('The upload was interrupted.'));
  });
  req.pipe(counter);
  try {
    const stored = await store.store({ name, contentType, conversationId, channelId: null, uploaderId: userId }, counter, {
      check: (bytes) => {
        if (bytes === 0) throw new HttpError(400, 'invalid', `${name} is empty.`);
        const sniff = SIGNATURES[contentType];
        if (sniff && !sniff(head)) throw new HttpError(415, 'unsupported_type', `${name} is not really ${contentType}.`);
      },
    });
    sendJson(res, 201, { id: stored.id, name, contentType, size: stored.size });
  } catch (err) {
    req.unpipe(counter);
    throw err;
  }
}

async function download(domain: Domain, store: AttachmentFiles, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const userId = await authenticate(domain, req);
  const meta = await store.get(id);
  if (!meta || !(await mayAccess(domain, userId, meta.conversationId))) throw notFound();
  const blob = req.method === 'HEAD' ? null : await store.open(id);
  if (req.method !== 'HEAD' && !blob) throw notFound();
  const inline = isPreviewableImage(meta.contentType) || meta.contentType === 'application/pdf';
  res.writeHead(200, {
    'content-type': meta.contentType,
    'content-length': blob?.size ?? meta.size,
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${safeFileName(meta.name)}"`,
    'cache-control': 'private, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    // A file is never a page: no scripts even if a browser were talked into rendering it (PDFs
    // excepted: Chromium's viewer does not run in a sandboxed document and runs no page script).
    ...(meta.contentType === 'application/pdf' ? {} : { 'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; sandbox" }),
  });
  if (!blob) return void res.end();
  await pipeline(blob.body, res);
}
