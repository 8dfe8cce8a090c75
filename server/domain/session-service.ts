import { createHash, randomBytes } from 'node:crypto';
import type { EntityOf } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import type { HousekeepingLock } from './housekeeping-lock.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import { expiryCutoffs, needsTouch, sessionStatus, type SessionPolicy } from './sessions.ts';
import { SignInThrottled, type SignInThrottle } from './sign-in-throttle.ts';

export interface Authenticated {
  user: EntityOf<'user'>;
  sessionId: string;
}

/** A token's verdict; `expired` lets the client say "session expired" rather than a bare "signed out". */
export type TokenCheck = { ok: true; auth: Authenticated } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'disabled' };

/** Where a sign-in comes from, for the per-address limits. Domain callers without one share 'local'. */
export interface SignInContext {
  clientAddress: string;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface SessionServiceDeps {
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  clock(): number;
  log(line: string): void;
  throttle: SignInThrottle;
  housekeeping: HousekeepingLock;
  /** A session was signed out: its live sockets are closed by whoever listens. */
  revoked(sessionId: string): void;
}

/** Sign-in, token checks, sign-out and the sweep of expired sessions (`domain.sessions`). */
export class SessionService {
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: SessionServiceDeps,
    readonly policy: SessionPolicy,
  ) {}

  /**
   * Null for a wrong password, an unknown email or a disabled account (all alike, and all taking one
   * scrypt). Throws SignInThrottled, before any scrypt, while too many recent failures lock the attempt.
   */
  async signIn(email: string, password: string, context: SignInContext = { clientAddress: 'local' }): Promise<{ token: string; user: EntityOf<'user'> } | null> {
    const attempt = await this.deps.throttle.attempt(email, context.clientAddress);
    if (attempt.refused) throw new SignInThrottled(attempt);
    const found = await this.deps.read(async (tx) => {
      const user = await tx.findUserByEmail(email);
      return user ? { user, hash: await tx.getPasswordHash(user.id) } : null;
    });
    if (!found || !found.hash || found.user.status !== 'active') {
      await burnPasswordCheck(password);
      return null;
    }
    if (!(await verifyPassword(password, found.hash))) return null;
    await attempt.succeeded();
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock();
    await this.sweepExpiredSessions(now);
    await this.deps.write((tx) =>
      tx.insertSession({
        id: randomBytes(12).toString('base64url'),
        userId: found.user.id,
        tokenHash: hashToken(token),
        createdAt: now,
        lastUsedAt: now,
        revokedAt: null,
      }),
    );
    return { token, user: found.user };
  }

  async authenticate(token: string): Promise<Authenticated | null> {
    const check = await this.checkToken(token);
    return check.ok ? check.auth : null;
  }

  /** Refuses unknown, revoked, idle-expired, too-old and disabled sessions; records use every touchIntervalMs at most. */
  async checkToken(token: string): Promise<TokenCheck> {
    const now = this.deps.clock();
    const check = await this.deps.read(async (tx): Promise<TokenCheck & { touch?: boolean }> => {
      const session = await tx.findSessionByTokenHash(hashToken(token));
      if (!session) return { ok: false, reason: 'unknown' };
      const status = sessionStatus(session, this.policy, now);
      if (status === 'revoked') return { ok: false, reason: 'revoked' };
      if (status !== 'active') return { ok: false, reason: 'expired' };
      const user = await tx.get('user', session.userId);
      if (!user || user.status !== 'active') return { ok: false, reason: 'disabled' };
      return { ok: true, auth: { user, sessionId: session.id }, touch: needsTouch(session, this.policy, now) };
    });
    if (!check.ok) return check;
    if (check.touch) await this.deps.write((tx) => tx.touchSession(check.auth.sessionId, now));
    return { ok: true, auth: check.auth };
  }

  /** Deletes expired and signed-out sessions when a sweep is due (or always with force); returns how many. */
  async sweepExpiredSessions(now = this.deps.clock(), force = false): Promise<number> {
    if (!force && now - this.lastSweepAt < this.policy.sweepIntervalMs) return 0;
    this.lastSweepAt = now;
    try {
      const pass = await this.deps.housekeeping.run(() => this.deps.write((tx) => tx.deleteExpiredSessions(expiryCutoffs(this.policy, now))));
      // Another instance is sweeping: the same rows, so nothing is left for this one.
      const deleted = pass.ran ? pass.value : 0;
      if (deleted > 0) this.deps.log(`deleted ${deleted} expired or signed-out session${deleted === 1 ? '' : 's'}`);
      return deleted;
    } catch (err) {
      // Housekeeping: a failed sweep must not fail the sign-in that triggered it.
      this.deps.log(`session sweep failed: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
  }

  /** Revokes the session of this token; live sockets of it are closed by whoever listens to the feed. */
  async signOut(token: string): Promise<boolean> {
    const revoked = await this.deps.write(async (tx) => {
      const session = await tx.findSessionByTokenHash(hashToken(token));
      if (!session || session.revokedAt !== null) return null;
      await tx.revokeSession(session.id, this.deps.clock());
      return session.id;
    });
    if (revoked === null) return false;
    this.deps.revoked(revoked);
    return true;
  }
}
