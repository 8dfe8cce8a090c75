import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy } from '../hosts/content-security-policy.ts';
import { resolveRendererFile } from '../hosts/renderer-files.ts';
import { APP_SCHEME, isAppUrl } from './app-origin.ts';
import type { PermissionRequestDetails, ProtocolLike, ResponseHeaders, SessionLike, WebContentsLike } from './electron-module.ts';

/** The page talks to main only over IPC, so it may connect nowhere. */
export const ELECTRON_CSP = contentSecurityPolicy();

function withoutHeader(headers: ResponseHeaders, name: string): ResponseHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name.toLowerCase()));
}

/**
 * The one permission the page gets: the microphone, audio only, for voice notes, asked by our
 * own page (app://switchboard/, top frame). Camera, screen, geolocation and everything else are
 * refused; notifications are shown by main, not by the page.
 */
export function permissionGranted(webContents: Pick<WebContentsLike, 'mainFrame'>, permission: string, details: PermissionRequestDetails): boolean {
  if (permission !== 'media') return false;
  const types = details.mediaTypes ?? [];
  if (types.length === 0 || types.some((type) => type !== 'audio')) return false;
  if (details.securityOrigin !== undefined && !isAppUrl(details.securityOrigin)) return false;
  return details.isMainFrame && isAppUrl(details.requestingUrl) && isAppUrl(webContents.mainFrame.url);
}

/**
 * Every response the session receives gets our policy, replacing any policy it
 * brought, so nothing loaded into the window runs under a looser one. Permission
 * requests are answered by permissionGranted (only audio capture for our page).
 */
export function applyContentSecurityPolicy(session: SessionLike): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = withoutHeader(details.responseHeaders ?? {}, 'Content-Security-Policy');
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  session.setPermissionRequestHandler((webContents, permission, callback, details) => callback(permissionGranted(webContents, permission, details)));
}

export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false },
};

/** Serves the built renderer on app://switchboard/ with the same CSP as a header. */
export function serveRendererOnAppScheme(protocol: ProtocolLike, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const headers = { 'Content-Security-Policy': ELECTRON_CSP, 'X-Content-Type-Options': 'nosniff' };
    if (!isAppUrl(request.url) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response(null, { status: 404, headers });
    }
    const file = await resolveRendererFile(rendererDir, new URL(request.url).pathname);
    if (!file) return new Response('Not found', { status: 404, headers });
    return new Response(await readFile(file.filePath), { status: 200, headers: { ...headers, 'Content-Type': file.contentType } });
  });
}
