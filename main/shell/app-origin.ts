/**
 * The renderer is served from its own privileged scheme, app://switchboard/,
 * rather than file://: a real origin that CSP 'self' can name, absolute asset
 * paths that work, and one exact origin to check frames and navigation against.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_START_URL = `${APP_SCHEME}://${APP_HOST}/`;

/** Parsed, never prefix-matched: `app://switchboard.evil/` or `app://switchboard@evil/` are not ours. */
export function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === `${APP_SCHEME}:` && url.hostname === APP_HOST && url.port === '' && url.username === '' && url.password === '';
}
