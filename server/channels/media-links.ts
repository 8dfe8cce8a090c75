import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../storage/storage.ts';

/** Public, signed, expiring links to attachments (GET /media/<id>?exp=…&sig=…), for providers fetching outbound MMS media. */
export const MEDIA_PATH_PREFIX = '/media/';
export const MEDIA_LINK_TTL_MS = 60 * 60 * 1000;

/** The name of the signing key in `server_secrets`. */
export const MEDIA_LINK_SECRET = 'media-links';
/** Where versions before issue 9 kept it, in the data dir. */
export const LEGACY_MEDIA_SECRET_FILE = 'media-secret';
const HEX_KEY = /^[0-9a-f]{64}$/;

/**
 * The signing key every instance shares, from the database (never the change log). Made on first use; a
 * media-secret file left by an earlier version is imported instead, so links it signed stay valid, and then
 * removed (the database is where the key lives now). When instances race, the first insert wins and all read it.
 */
export async function loadMediaLinkSecret(storage: Storage, dataDir: string, now: number, log: (line: string) => void = () => {}): Promise<Buffer> {
  const file = join(dataDir, LEGACY_MEDIA_SECRET_FILE);
  const legacy = existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
  const { value, imported } = await storage.transaction(async (tx) => {
    const stored = await tx.getServerSecret(MEDIA_LINK_SECRET);
    if (stored) return { value: stored, imported: false };
    const fresh = legacy !== null && HEX_KEY.test(legacy) ? legacy : randomBytes(32).toString('hex');
    const added = await tx.addServerSecret(MEDIA_LINK_SECRET, fresh, now);
    return { value: (await tx.getServerSecret(MEDIA_LINK_SECRET)) ?? fresh, imported: added && fresh === legacy };
  });
  if (legacy !== null) {
    if (imported) log(`media links: moved the signing key from ${file} into the database`);
    else if (value !== legacy) log(`media links: ${file} was not used (the database holds the key); links it signed no longer verify`);
    rmSync(file, { force: true });
  }
  return Buffer.from(value, 'hex');
}

export class MediaLinks {
  /** `secret`: loadMediaLinkSecret's key, the same on every instance. */
  constructor(private readonly secret: Buffer) {}

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
