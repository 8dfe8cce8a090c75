import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { MEDIA_PATH_PREFIX, type MediaLinks } from '../channels/media-links.ts';
import type { AttachmentStore } from '../domain/attachments.ts';
import { HttpError } from './respond.ts';

/**
 * GET /media/<id>?exp=…&sig=…: an attachment for a provider fetching outbound MMS media. No session:
 * the HMAC over id+exp (server secret) is the permission; 403 when expired or tampered.
 */
export function mediaRoute(store: AttachmentStore, links: MediaLinks, path: string, method: string): ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null {
  if (!path.startsWith(MEDIA_PATH_PREFIX) || (method !== 'GET' && method !== 'HEAD')) return null;
  const id = decodeURIComponent(path.slice(MEDIA_PATH_PREFIX.length));
  return async (req, res) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (!links.verify(id, query.get('exp'), query.get('sig'))) throw new HttpError(403, 'forbidden', 'This media link is invalid or has expired.');
    const meta = store.get(id);
    if (!meta) throw new HttpError(404, 'not_found', 'No such media.');
    res.writeHead(200, {
      'content-type': meta.contentType,
      'content-length': meta.size,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(store.filePath(id)), res);
  };
}
