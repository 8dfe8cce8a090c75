import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Resolves a request path to a file of the built renderer, for both hosts (the
 * browser host's http server and the Electron shell's app:// protocol).
 * Anything that would leave the renderer folder resolves to nothing.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export interface RendererFile {
  filePath: string;
  contentType: string;
  /** index.html is never cached so a rebuilt renderer is picked up; hashed assets may be. */
  isIndex: boolean;
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await stat(filePath)).isFile();
  } catch {
    return false;
  }
}

/**
 * `urlPath` is the raw (still percent-encoded) path of the request URL.
 * Paths without an extension fall back to index.html (client-side routes);
 * a missing asset is a miss, not index.html, so a broken build shows as a 404.
 */
export async function resolveRendererFile(rendererDir: string, urlPath: string): Promise<RendererFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const root = path.resolve(rendererDir);
  const relative = path.posix.normalize(`/${decoded}`).replace(/^\/+/, '');
  if (relative.split('/').includes('..')) return null;
  const candidate = path.resolve(root, relative);
  // The check that matters: whatever the normalisation did, the result must stay inside the root.
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return null;

  const index = path.join(root, 'index.html');
  if (relative !== '' && (await isFile(candidate))) {
    return { filePath: candidate, contentType: contentTypeFor(candidate), isIndex: candidate === index };
  }
  if (relative === '' || path.posix.extname(relative) === '') {
    return (await isFile(index)) ? { filePath: index, contentType: contentTypeFor(index), isIndex: true } : null;
  }
  return null;
}
