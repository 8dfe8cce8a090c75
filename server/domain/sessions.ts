import type { SessionRow } from '../storage/storage.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** How long a session token stays valid. Shared workstations: a forgotten sign-in must not live forever. */
export interface SessionPolicy {
  /** A session unused for this long is expired (ms). */
  idleTimeoutMs: number;
  /** A session older than this is expired however busy it is (ms). */
  maxAgeMs: number;
  /** last-used is written at most this often per session, so requests do not each cost a write (ms). */
  touchIntervalMs: number;
  /** How often expired and signed-out sessions are deleted (ms). */
  sweepIntervalMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleTimeoutMs: 30 * DAY,
  maxAgeMs: 90 * DAY,
  touchIntervalMs: 5 * MINUTE,
  sweepIntervalMs: 60 * MINUTE,
};

export function resolveSessionPolicy(overrides: Partial<SessionPolicy> = {}): SessionPolicy {
  const policy = { ...DEFAULT_SESSION_POLICY, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`sessions.${name} must be a positive number of ms (got ${value})`);
  }
  return policy;
}

/** Why a stored session no longer authenticates, or 'active'. */
export type SessionStatus = 'active' | 'revoked' | 'idle' | 'tooOld';

export function sessionStatus(session: SessionRow, policy: SessionPolicy, now: number): SessionStatus {
  if (session.revokedAt !== null) return 'revoked';
  if (now - session.createdAt >= policy.maxAgeMs) return 'tooOld';
  if (now - session.lastUsedAt >= policy.idleTimeoutMs) return 'idle';
  return 'active';
}

/** Whether last-used is stale enough to be worth a write. */
export const needsTouch = (session: SessionRow, policy: SessionPolicy, now: number): boolean =>
  now - session.lastUsedAt >= policy.touchIntervalMs;

/** Sessions created or last used before these instants are expired (for the sweep). */
export function expiryCutoffs(policy: SessionPolicy, now: number): { createdBefore: number; usedBefore: number } {
  return { createdBefore: now - policy.maxAgeMs, usedBefore: now - policy.idleTimeoutMs };
}
