import { pipeline } from 'node:stream/promises';
import { MEDIA_PATH_PREFIX, type MediaLinks } from '../channels/media-links.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import { pathAfter, type RequestTarget } from '../../boundary/request-target.ts';
import type { Handler } from './routes.ts';
import { HttpError } from './respond.ts';

/**
 * GET /media/<id>?exp=…&sig=…: an attachment for a provider fetching outbound MMS media. No session:
 * the HMAC over id+exp (server secret) is the permission; 403 when expired or tampered.
 */
export function mediaRoute(store: AttachmentFiles, links: MediaLinks, target: RequestTarget, method: string): Handler | null {
  const id = pathAfter(target, MEDIA_PATH_PREFIX);
  if (id === null || (method !== 'GET' && method !== 'HEAD')) return null;
  return async (req, res) => {
    const query = target.url.searchParams;
    if (!links.verify(id, query.get('exp'), query.get('sig'))) throw new HttpError(403, 'forbidden', 'This media link is invalid or has expired.');
    const meta = await store.get(id);
    const blob = meta && req.method !== 'HEAD' ? await store.open(id) : null;
    if (!meta || (req.method !== 'HEAD' && !blob)) throw new HttpError(404, 'not_found', 'No such media.');
    res.writeHead(200, {
      'content-type': meta.contentType,
      'content-length': blob?.size ?? meta.size,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    if (!blob) return void res.end();
    await pipeline(blob.body, res);
  };
}
