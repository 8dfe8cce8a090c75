import type { IncomingMessage } from 'node:http';
import { WEBCHAT_IP_LIMITS, WEBCHAT_LIMITS } from '../../protocol/webchat.ts';
import { TokenBucket } from '../sync/rate-limit.ts';

export interface Rate {
  perMinute: number;
  burst: number;
}

export type IpLimitKind = keyof typeof WEBCHAT_IP_LIMITS;

/** Web chat abuse settings; every field is optional (defaults in protocol/webchat.ts). */
export interface WebchatHubOptions {
  /** Visitor frame rate per socket (tests lower it). */
  framesPerSecond?: number;
  frameBurst?: number;
  /** Close a socket after this long without a visitor frame (0 = never). */
  idleTimeoutMs?: number;
  /** Per client address limits, by kind. */
  perIp?: Partial<Record<IpLimitKind, Rate>>;
  /**
   * Widget key → the page origins allowed to use it (e.g. `{ 'widget-sales': ['https://shop.example'] }`).
   * A widget key that is not listed accepts every origin.
   */
  allowedOrigins?: Readonly<Record<string, readonly string[]>>;
  /** Behind a reverse proxy: key per-address limits by the first X-Forwarded-For address. */
  trustProxy?: boolean;
  /** Upload quota per visitor (tests lower it). */
  uploadQuota?: { maxPendingFiles?: number; maxPendingBytes?: number; pendingTtlMs?: number; bytesPerHour?: number };
}

/**
 * Options from the environment where the caller left them unset:
 * SWITCHBOARD_WEBCHAT_ORIGINS="widget-sales=https://a.example,https://b.example;widget-support=https://c.example",
 * SWITCHBOARD_WEBCHAT_IDLE_MINUTES=10, SWITCHBOARD_TRUST_PROXY=1 (also read as SWITCHBOARD_WEBCHAT_TRUST_PROXY;
 * sign-in throttling follows the same setting).
 */
export function resolveWebchatOptions(options: WebchatHubOptions = {}, env: NodeJS.ProcessEnv = process.env): WebchatHubOptions {
  const resolved: WebchatHubOptions = { ...options };
  if (!resolved.allowedOrigins && env.SWITCHBOARD_WEBCHAT_ORIGINS) resolved.allowedOrigins = parseAllowedOrigins(env.SWITCHBOARD_WEBCHAT_ORIGINS);
  const idle = Number(env.SWITCHBOARD_WEBCHAT_IDLE_MINUTES);
  if (resolved.idleTimeoutMs === undefined && env.SWITCHBOARD_WEBCHAT_IDLE_MINUTES && Number.isFinite(idle) && idle >= 0) resolved.idleTimeoutMs = idle * 60_000;
  const trustProxy = env.SWITCHBOARD_TRUST_PROXY ?? env.SWITCHBOARD_WEBCHAT_TRUST_PROXY;
  if (resolved.trustProxy === undefined && trustProxy) resolved.trustProxy = /^(1|true|yes)$/i.test(trustProxy);
  return resolved;
}

/** "key=origin,origin;key2=origin" → { key: [origin, origin], key2: [origin] } (origins normalised). */
export function parseAllowedOrigins(spec: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of spec.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const origins = part
      .slice(eq + 1)
      .split(',')
      .map((o) => normaliseOrigin(o.trim()))
      .filter((o): o is string => o !== null);
    if (key) out[key] = [...(out[key] ?? []), ...origins];
  }
  return out;
}

function normaliseOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * Whether a request from `origin` may use this widget. Browsers always send Origin on websockets
 * and cross-site fetches, so another site's page cannot pass; a request without one is a
 * same-origin GET or not a browser (which could claim any origin anyway) and is let through.
 */
export function originAllowed(options: WebchatHubOptions, widgetKey: string, origin: string | undefined): boolean {
  const list = options.allowedOrigins?.[widgetKey];
  if (!list) return true;
  if (!origin) return true;
  const normalised = normaliseOrigin(origin);
  return normalised !== null && list.some((o) => normaliseOrigin(o) === normalised);
}

/** The address limits are keyed by. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean | undefined): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Token buckets per client address and kind (connections, new visitors, messages, uploads): `burst` at
 * once, refilled at `perMinute`. In memory below; with SWITCHBOARD_REDIS_URL app.ts injects the Redis twin
 * (server/shared-state/redis-address-limits.ts), so an address gets one allowance over all instances.
 */
export interface AddressLimits {
  /** Takes one token; false = over the limit. */
  take(kind: IpLimitKind, address: string): Promise<boolean>;
}

/** The rate of a kind: the configured one, else protocol/webchat.ts's. */
export const rateOf = (rates: Partial<Record<IpLimitKind, Rate>>, kind: IpLimitKind): Rate => rates[kind] ?? WEBCHAT_IP_LIMITS[kind];

/**
 * In memory: idle entries are dropped once they would be full again, so memory stays proportional to
 * recently active addresses.
 */
export class InProcessAddressLimits implements AddressLimits {
  private readonly buckets = new Map<string, { bucket: TokenBucket; last: number }>();
  private sweeps = 0;

  constructor(
    private readonly rates: Partial<Record<IpLimitKind, Rate>> = {},
    private readonly clock: () => number = Date.now,
  ) {}

  async take(kind: IpLimitKind, address: string): Promise<boolean> {
    return this.takeNow(kind, address);
  }

  private takeNow(kind: IpLimitKind, address: string): boolean {
    const rate = this.rate(kind);
    const k = `${kind}\n${address}`;
    const now = this.clock();
    let entry = this.buckets.get(k);
    if (!entry) {
      entry = { bucket: new TokenBucket(rate.perMinute / 60, rate.burst, this.clock), last: now };
      this.buckets.set(k, entry);
    }
    entry.last = now;
    if (++this.sweeps % 256 === 0) this.sweep(now);
    return entry.bucket.take();
  }

  private rate(kind: IpLimitKind): Rate {
    return rateOf(this.rates, kind);
  }

  private sweep(now: number): void {
    for (const [k, entry] of this.buckets) {
      const kind = k.slice(0, k.indexOf('\n')) as IpLimitKind;
      const rate = this.rate(kind);
      const refillMs = rate.perMinute > 0 ? (rate.burst / rate.perMinute) * 60_000 : Infinity;
      if (now - entry.last > refillMs) this.buckets.delete(k);
    }
  }
}

export const idleTimeoutOf = (options: WebchatHubOptions): number => options.idleTimeoutMs ?? WEBCHAT_LIMITS.idleTimeoutMs;
