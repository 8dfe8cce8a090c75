/** A checked SWITCHBOARD_REDIS_URL, or why it is not one (said before any connection is tried). */
export type RedisUrlCheck = { ok: true; url: string; display: string } | { ok: false; error: string };

const USAGE = 'expected redis://[user:password@]host[:port][/db] or rediss://… (TLS)';

/**
 * Checks a Redis URL the way node-redis will read it, so a typo fails at start with a sentence instead of a
 * stack. `display` names the server without the password (for logs and error messages).
 */
export function parseRedisUrl(raw: string): RedisUrlCheck {
  const text = raw.trim();
  if (!text) return { ok: false, error: `SWITCHBOARD_REDIS_URL is empty; ${USAGE}` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `SWITCHBOARD_REDIS_URL is not a URL; ${USAGE}` };
  }
  const bad = (why: string): RedisUrlCheck => ({ ok: false, error: `SWITCHBOARD_REDIS_URL ${why}; ${USAGE}` });
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return bad(`has the scheme "${url.protocol.slice(0, 20)}"`);
  if (!url.hostname) return bad('names no host');
  if (url.port !== '' && Number(url.port) === 0) return bad('has port 0');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) return bad(`has "${db.slice(0, 20)}" where a database number belongs`);
  if (url.search || url.hash) return bad('has a query or fragment, which this server does not read');
  const display = `${url.protocol}//${url.hostname}:${url.port || 6379}${db ? `/${db}` : ''}`;
  return { ok: true, url: url.toString(), display };
}
