/** A checked SWITCHBOARD_DATABASE_URL, or why it is not one (said before any connection is tried). */
export type DatabaseUrlCheck = { ok: true; url: string; display: string } | { ok: false; error: string };

const USAGE = 'expected postgres://[user[:password]@]host[:port]/database';

/**
 * Checks a PostgreSQL URL before node-postgres reads it, so a typo fails at start with one sentence instead
 * of a stack or a connection attempt to somewhere unintended. `display` names the server and database
 * without the user's password (for logs and error messages).
 */
export function parseDatabaseUrl(raw: string): DatabaseUrlCheck {
  const text = raw.trim();
  if (!text) return { ok: false, error: `SWITCHBOARD_DATABASE_URL is empty; ${USAGE}` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `SWITCHBOARD_DATABASE_URL is not a URL; ${USAGE}` };
  }
  const bad = (why: string): DatabaseUrlCheck => ({ ok: false, error: `SWITCHBOARD_DATABASE_URL ${why}; ${USAGE}` });
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return bad(`has the scheme "${url.protocol.slice(0, 20)}"`);
  if (!url.hostname) return bad('names no host');
  if (url.port !== '' && Number(url.port) === 0) return bad('has port 0');
  const database = decodeURIComponentSafe(url.pathname.replace(/^\//, ''));
  if (database === null || database === '' || database.includes('/')) return bad('names no database (the path after the host)');
  if (url.hash) return bad('has a fragment, which this server does not read');
  const display = `postgres://${url.hostname}:${url.port || 5432}/${database}`;
  return { ok: true, url: url.toString(), display };
}

function decodeURIComponentSafe(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
