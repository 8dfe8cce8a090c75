import { createHmac, timingSafeEqual } from 'node:crypto';

/** POST parameters in arrival order; a name may repeat (each occurrence is signed). */
export type FormParams = ReadonlyArray<readonly [string, string]>;

/**
 * Twilio's documented signature: the full URL (with its query), then every POST
 * parameter sorted by name, each appended as name+value, HMAC-SHA1 with the
 * auth token, base64. A repeated name contributes each of its values, sorted;
 * identical name/value pairs count once, as in Twilio's own libraries (their
 * duplicate-parameter vector IK+Dwps556ElfBT0I3Rgjkr1wJU=). `dedupe: false`
 * signs every occurrence instead.
 */
export function computeTwilioSignature(authToken: string, url: string, params: FormParams, options: { dedupe?: boolean } = {}): string {
  const pairs = options.dedupe === false ? [...params] : [...new Map(params.map(([k, v]) => [`${k}\u0000${v}`, [k, v] as const])).values()];
  const sorted = pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  let data = url;
  for (const [name, value] of sorted) data += name + value;
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The URL with and without its scheme's default port (Twilio may sign either form). */
export function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : null;
  const variants = new Set([url]);
  if (!defaultPort) return [...variants];
  const authority = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!authority) return [...variants];
  const [, scheme, host, rest] = authority as unknown as [string, string, string, string];
  const explicit = host.endsWith(`:${defaultPort}`);
  if (explicit) variants.add(`${scheme}${host.slice(0, -defaultPort.length - 1)}${rest}`);
  else if (!/:\d+$/.test(host)) variants.add(`${scheme}${host}:${defaultPort}${rest}`);
  return [...variants];
}

/** Constant-time check of an X-Twilio-Signature header; a missing header never validates. */
export function validateTwilioSignature(authToken: string, url: string, params: FormParams, header: string | undefined | null): boolean {
  if (!header || !authToken) return false;
  const given = Buffer.from(header, 'utf8');
  let ok = false;
  const hasRepeats = new Set(params.map(([k, v]) => `${k}\u0000${v}`)).size !== params.length;
  for (const candidate of urlVariants(url)) {
    const signatures = [computeTwilioSignature(authToken, candidate, params)];
    if (hasRepeats) signatures.push(computeTwilioSignature(authToken, candidate, params, { dedupe: false }));
    for (const signature of signatures) {
      const expected = Buffer.from(signature, 'utf8');
      // Compare every variant (no early exit on the first match) in constant time per comparison.
      if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
    }
  }
  return ok;
}

/**
 * The public URL Twilio called: the configured public base address (what Twilio sees
 * when the server is behind a proxy) plus the request's path and query, verbatim.
 */
export function publicRequestUrl(publicBaseUrl: string, requestPathAndQuery: string): string {
  return publicBaseUrl.replace(/\/+$/, '') + requestPathAndQuery;
}
