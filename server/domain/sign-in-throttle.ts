/**
 * Sign-in throttling: one policy, two places to count. `InProcessSignInThrottle` (below) counts in memory (a
 * restart forgets every counter; that only ever loosens it); with SWITCHBOARD_REDIS_URL, app.ts injects the
 * Redis twin (server/shared-state/redis-sign-in-throttle.ts), so a limit reached on one instance refuses on all.
 *
 * Two limits, both checked before any scrypt work:
 * - per account *from one address* (normalised email + client address): after `accountFailures` failures
 *   that pair is locked for `lockoutMs`, doubling with each further failure up to `maxLockoutMs`. Keying on
 *   the pair means an attacker who hammers an account locks only their own attempts, never the colleague at
 *   another workstation, and a person mistyping at a shared workstation does not lock the next person out.
 * - per address (any accounts): a token bucket of failures, so one address cannot spray guesses over many
 *   accounts or burn CPU. It refills steadily rather than locking, so a whole contact center behind one NAT
 *   address making ordinary typos never trips it.
 * Unknown emails are counted exactly like known ones, so a refusal never reveals whether an account exists.
 */

const MINUTE = 60_000;

export interface SignInThrottlePolicy {
  /** Failures of one account from one address that lock the pair (the Nth failure locks). */
  accountFailures: number;
  /** First lockout (ms); each further failure doubles it. */
  lockoutMs: number;
  /** Longest lockout (ms). */
  maxLockoutMs: number;
  /** A pair's failures are forgotten this long after its last failure (ms). */
  forgetAfterMs: number;
  /** Failed sign-ins one address may make in a burst, over any accounts. */
  addressBurst: number;
  /** …then one more per this interval (ms). */
  addressRefillMs: number;
  /** Tracked pairs / addresses at most; beyond it the oldest are forgotten (bounds memory under a flood). */
  maxTracked: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottlePolicy = {
  accountFailures: 5,
  lockoutMs: MINUTE,
  maxLockoutMs: 15 * MINUTE,
  forgetAfterMs: 60 * MINUTE,
  addressBurst: 30,
  addressRefillMs: 30_000,
  maxTracked: 10_000,
};

export function resolveSignInThrottle(overrides: Partial<SignInThrottlePolicy> = {}): SignInThrottlePolicy {
  const policy = { ...DEFAULT_SIGN_IN_THROTTLE, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 1) throw new Error(`signInThrottle.${name} must be a positive number (got ${value})`);
  }
  return policy;
}

/** Which limit refused: the message differs, the status (429) does not. */
export type ThrottleScope = 'account' | 'address';

export interface ThrottleRefusal {
  refused: true;
  scope: ThrottleScope;
  retryAfterMs: number;
}

/** An attempt that may go on to check the password; it already counts as a failure until `succeeded()`. */
export interface ThrottleAttempt {
  refused: false;
  succeeded(): Promise<void>;
}

/** The port Domain.signIn counts through; each implementation keeps exactly the policy described above. */
export interface SignInThrottle {
  /**
   * Refuses, or counts the attempt as a failure up front: concurrent attempts see each other, so a burst
   * of parallel requests cannot all slip past the limit into scrypt. Success undoes the count.
   */
  attempt(email: string, address: string): Promise<ThrottleRefusal | ThrottleAttempt>;
}

/** The account part of the key: the email as typed, trimmed and lower-cased, with the client address. */
export const throttlePairKey = (email: string, address: string): string => JSON.stringify([email.trim().toLowerCase(), address]);

interface PairState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

interface AddressState {
  tokens: number;
  updatedAt: number;
}

export class InProcessSignInThrottle implements SignInThrottle {
  private readonly pairs = new Map<string, PairState>();
  private readonly addresses = new Map<string, AddressState>();

  constructor(
    private readonly policy: SignInThrottlePolicy,
    private readonly clock: () => number,
  ) {}

  async attempt(email: string, address: string): Promise<ThrottleRefusal | ThrottleAttempt> {
    return this.attemptNow(email, address);
  }

  /** Synchronous: nothing can interleave between the check and the count. */
  private attemptNow(email: string, address: string): ThrottleRefusal | ThrottleAttempt {
    const now = this.clock();
    const pairKey = throttlePairKey(email, address);
    const pair = this.livePair(pairKey, now);
    if (pair && pair.lockedUntil > now) return { refused: true, scope: 'account', retryAfterMs: pair.lockedUntil - now };
    const bucket = this.refilled(address, now);
    if (bucket.tokens < 1) {
      return { refused: true, scope: 'address', retryAfterMs: Math.ceil((1 - bucket.tokens) * this.policy.addressRefillMs) };
    }

    bucket.tokens -= 1;
    this.remember(this.addresses, address, bucket, now);
    const before = pair ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
    const failures = before.failures + 1;
    const over = failures - this.policy.accountFailures;
    const lockedUntil = over >= 0 ? now + Math.min(this.policy.maxLockoutMs, this.policy.lockoutMs * 2 ** Math.min(over, 30)) : 0;
    this.remember(this.pairs, pairKey, { failures, lastFailureAt: now, lockedUntil }, now);

    let settled = false;
    return {
      refused: false,
      succeeded: async () => {
        if (settled) return;
        settled = true;
        this.pairs.delete(pairKey);
        // Give the address its token back: a busy shared address signing in correctly costs nothing.
        const current = this.addresses.get(address);
        if (current) current.tokens = Math.min(this.policy.addressBurst, current.tokens + 1);
      },
    };
  }

  /** How many pairs and addresses are tracked (tests: memory stays bounded). */
  get size(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }

  private livePair(key: string, now: number): PairState | null {
    const pair = this.pairs.get(key);
    if (!pair) return null;
    if (pair.lockedUntil <= now && now - pair.lastFailureAt >= this.policy.forgetAfterMs) {
      this.pairs.delete(key);
      return null;
    }
    return pair;
  }

  private refilled(address: string, now: number): AddressState {
    const state = this.addresses.get(address);
    if (!state) return { tokens: this.policy.addressBurst, updatedAt: now };
    const tokens = Math.min(this.policy.addressBurst, state.tokens + Math.max(0, now - state.updatedAt) / this.policy.addressRefillMs);
    return { tokens, updatedAt: now };
  }

  /** Re-inserts so Map order is least-recently-failed first, then trims expired and, if need be, the oldest. */
  private remember<V extends PairState | AddressState>(map: Map<string, V>, key: string, value: V, now: number): void {
    map.delete(key);
    map.set(key, value);
    if (map.size <= this.policy.maxTracked) return;
    for (const [k, v] of map) {
      if (map.size <= this.policy.maxTracked) break;
      if (this.forgettable(v, now)) map.delete(k);
    }
    for (const k of map.keys()) {
      if (map.size <= this.policy.maxTracked) break;
      map.delete(k);
    }
  }

  private forgettable(state: PairState | AddressState, now: number): boolean {
    if ('failures' in state) return state.lockedUntil <= now && now - state.lastFailureAt >= this.policy.forgetAfterMs;
    return state.tokens + (now - state.updatedAt) / this.policy.addressRefillMs >= this.policy.addressBurst;
  }
}

/** "Too many failed sign-ins for this account; try again in 3 minutes." */
export function throttleMessage(refusal: ThrottleRefusal): string {
  const minutes = Math.max(1, Math.ceil(refusal.retryAfterMs / MINUTE));
  const wait = `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return refusal.scope === 'account'
    ? `Too many failed sign-ins for this account; try again in ${wait}.`
    : `Too many failed sign-ins from this network address; try again in ${wait}.`;
}

/** Thrown by Domain.signIn when a limit refuses the attempt (answered as 429 with Retry-After). */
export class SignInThrottled extends Error {
  constructor(readonly refusal: ThrottleRefusal) {
    super(throttleMessage(refusal));
    this.name = 'SignInThrottled';
  }
}
