import { fc } from '@fast-check/vitest';

/**
 * Generated raw HTTP/1.1 requests for the boundary properties: methods, targets (known routes with
 * broken percent-escapes, absolute forms, garbage), headers (incl. websocket upgrades), bodies and
 * body lengths that lie. `TOKEN` in a target is replaced by the browser host's launch token.
 */

const tchar = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
// Mostly well-formed, so most requests reach the routes; some garbage, so the parser's refusals are covered too.
const method = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE') },
  { weight: 1, arbitrary: tchar },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
);

const escape = fc.oneof(
  fc.constantFrom('%ff', '%', '%z', '%zz', '%e0%80', '%c0%af', '%2e%2e', '%2E', '%00', '%2F', '%5C', '%25', '%%', '%u0041', '%0a', '%f0%9f%98'),
  fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0')}`),
);
const segment = fc
  .array(
    fc.oneof(
      { weight: 1, arbitrary: escape },
      { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,8}$/) },
      { weight: 1, arbitrary: fc.constantFrom('..', '.', '', 'att_0123456789abcdef0123456789abcdef') },
    ),
    { maxLength: 3 },
  )
  .map((parts) => parts.join(''));
const route = fc.constantFrom(
  '/',
  '/api/health',
  '/api/info',
  '/api/session',
  '/api/attachments',
  '/api/attachments/',
  '/api/demo/inbound',
  '/media/',
  '/webhooks/whatsapp',
  '/webhooks/twilio/sms',
  '/webhooks/twilio/status',
  '/sync',
  '/webchat',
  '/webchat/attachments',
  '/webchat/attachments/',
  '/widget.js',
  '/webchat-demo',
  '/ipc',
  '/attachments/',
  '/index.html',
  '/assets/',
);
const query = fc.oneof(
  fc.constant(''),
  fc.constant('?token=TOKEN'),
  fc.array(fc.tuple(fc.constantFrom('token', 'widget', 'name', 'exp', 'sig', 'channel', 'conversationId', 'hub.mode', 'x'), segment), { minLength: 1, maxLength: 3 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`),
);
const routedPath = fc.tuple(route, fc.oneof(fc.constant([]), fc.array(segment, { minLength: 1, maxLength: 3 })), query).map(([r, segments, q]) => `${r}${segments.join('/')}${q}`);
export const target = fc.oneof(
  { weight: 16, arbitrary: routedPath },
  { weight: 3, arbitrary: fc.constantFrom('http://[', 'http://[/', 'http://', 'https://x/%ff', 'http://127.0.0.1/api/health', 'http://h/ipc?token=TOKEN', '*', 'x', '//', '//evil/x', '/\\..\\x', '/%') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 24 }) },
);

const headerValue = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,24}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 16 }) },
);
const header = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom<[string, string]>(
      ['content-type', 'application/json'],
      ['content-type', 'application/x-www-form-urlencoded'],
      ['content-type', 'image/png'],
      ['transfer-encoding', 'chunked'],
      ['expect', '100-continue'],
      ['origin', 'http://evil.example'],
      ['authorization', 'Bearer not-a-session'],
      ['x-hub-signature-256', `sha256=${'0'.repeat(64)}`],
      ['x-twilio-signature', 'bm90IGEgc2lnbmF0dXJl'],
      ['x-forwarded-for', '203.0.113.9'],
      ['x-switchboard-visitor', 'v'.repeat(32)],
    ),
  },
  { weight: 9, arbitrary: fc.tuple(fc.constantFrom('content-type', 'host', 'origin', 'authorization', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version'), headerValue) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('content-length', 'transfer-encoding'), fc.oneof(fc.nat().map(String), fc.constantFrom('chunked', 'gzip', '-1', '1, 2', ''))) },
  { weight: 6, arbitrary: fc.tuple(tchar.map((name) => `x-${name}`), headerValue) },
);
const upgrade: [string, string][] = [
  ['connection', 'Upgrade'],
  ['upgrade', 'websocket'],
  ['sec-websocket-version', '13'],
  ['sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ=='],
];
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)),
  fc.constant(Buffer.from('{"entry":[]}')),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
);

export interface GeneratedRequest {
  method: string;
  target: string;
  headers: [string, string][];
  body: Buffer;
  /** exact: Content-Length of the body; none: no length header; short/long: a length that lies. */
  length: 'exact' | 'none' | 'short' | 'long';
  upgrade: boolean;
  /** The Host header is this server's own (else a generated one, if any). */
  ownHost: boolean;
  /** Origin: the server's own origin (what a browser page on it would send). */
  ownOrigin: boolean;
}

export const request: fc.Arbitrary<GeneratedRequest> = fc.record({
  method,
  target,
  headers: fc.array(header, { maxLength: 4 }),
  body,
  length: fc.oneof({ weight: 6, arbitrary: fc.constant('exact' as const) }, fc.constantFrom('none' as const, 'short' as const, 'long' as const)),
  upgrade: fc.boolean(),
  ownHost: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  ownOrigin: fc.boolean(),
});

/** The request's bytes as sent to `origin` (http://127.0.0.1:PORT), with `token` put in for TOKEN. */
export function requestBytes(r: GeneratedRequest, origin: string, token = ''): Buffer {
  const lines = [`${r.method} ${r.target.replaceAll('TOKEN', token)} HTTP/1.1`];
  if (r.ownHost) lines.push(`host: ${new URL(origin).host}`);
  if (r.ownOrigin) lines.push(`origin: ${origin}`);
  if (r.upgrade) lines.push(...upgrade.map(([k, v]) => `${k}: ${v}`));
  lines.push(...r.headers.map(([k, v]) => `${k}: ${v}`));
  const size = r.body.length;
  if (r.length === 'exact') lines.push(`content-length: ${size}`);
  if (r.length === 'short') lines.push(`content-length: ${Math.max(0, size - 1)}`);
  if (r.length === 'long') lines.push(`content-length: ${size + 17}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), r.body]);
}
