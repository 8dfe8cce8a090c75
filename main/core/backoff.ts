export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 30_000 };

/**
 * "Full jitter" exponential backoff: a uniformly random wait in
 * [0, min(cap, base × factor^attempt)), so a fleet of clients that lost the
 * server together does not come back together.
 */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
