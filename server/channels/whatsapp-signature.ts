import { createHmac, timingSafeEqual } from 'node:crypto';

/** Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw request body with the app secret. */
export function computeWhatsAppSignature(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Constant-time check of the header against the RAW body bytes (never a re-serialised
 * JSON value); a missing or malformed header never validates.
 */
export function validateWhatsAppSignature(appSecret: string, rawBody: Buffer, header: string | undefined | null): boolean {
  if (!header || !appSecret) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
