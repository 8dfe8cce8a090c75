import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Public, signed, expiring links to attachments (GET /media/<id>?exp=…&sig=…), for providers fetching outbound MMS media. */
export const MEDIA_PATH_PREFIX = '/media/';
export const MEDIA_LINK_TTL_MS = 60 * 60 * 1000;

export class MediaLinks {
  private readonly secret: Buffer;

  /** The secret lives in <dataDir>/media-secret (created once, owner-only), never in the database or the change log. */
  constructor(dataDir: string) {
    const file = join(dataDir, 'media-secret');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    this.secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  }

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${id}.${exp}`).digest('hex');
  }

  url(publicUrl: string, id: string, now = Date.now(), ttlMs = MEDIA_LINK_TTL_MS): string {
    const exp = now + ttlMs;
    return `${publicUrl.replace(/\/+$/, '')}${MEDIA_PATH_PREFIX}${encodeURIComponent(id)}?exp=${exp}&sig=${this.sign(id, exp)}`;
  }

  /** Whether exp/sig are a valid, unexpired signature of this id. */
  verify(id: string, exp: string | null, sig: string | null, now = Date.now()): boolean {
    if (!exp || !sig || !/^\d{1,16}$/.test(exp) || !/^[0-9a-f]{64}$/.test(sig)) return false;
    const expires = Number(exp);
    if (expires < now) return false;
    return timingSafeEqual(Buffer.from(this.sign(id, expires), 'hex'), Buffer.from(sig, 'hex'));
  }
}
