import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignInThrottle, SignInThrottled, resolveSignInThrottle, throttleMessage } from '../../../server/domain/sign-in-throttle.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';
import { MAYA, SAM } from '../support/sync-client.ts';

const MINUTE = 60_000;

/** Counts password checks (scrypt runs) while keeping the real ones. */
const scrypt = vi.hoisted(() => ({ runs: 0 }));
vi.mock('../../../server/domain/passwords.ts', async (original) => {
  const real = await original<typeof import('../../../server/domain/passwords.ts')>();
  return {
    ...real,
    verifyPassword: (password: string, stored: string) => {
      scrypt.runs++;
      return real.verifyPassword(password, stored);
    },
    burnPasswordCheck: (password: string) => {
      scrypt.runs++;
      return real.burnPasswordCheck(password);
    },
  };
});

function throttle(overrides: Parameters<typeof resolveSignInThrottle>[0] = {}) {
  const time = { now: 1_000_000 };
  const limiter = new SignInThrottle(resolveSignInThrottle(overrides), () => time.now);
  /** One attempt that fails (or succeeds); returns the refusal, or null when it was let through. */
  const fail = (email: string, address: string) => {
    const attempt = limiter.attempt(email, address);
    return attempt.refused ? attempt : null;
  };
  return { time, limiter, fail };
}

describe('SignInThrottle', () => {
  it('locks an account from one address after 5 failures for 1 minute, doubling up to 15', () => {
    const { time, fail } = throttle();
    for (let i = 0; i < 5; i++) expect(fail('a@x.test', '10.0.0.1')).toBeNull();
    expect(fail('a@x.test', '10.0.0.1')).toEqual({ refused: true, scope: 'account', retryAfterMs: MINUTE });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      time.now += MINUTE * 16; // past any lockout, well inside forgetAfterMs
      expect(fail('a@x.test', '10.0.0.1')).toBeNull();
      waits.push(fail('a@x.test', '10.0.0.1')?.retryAfterMs ?? 0);
    }
    expect(waits).toEqual([2, 4, 8, 15, 15, 15].map((m) => m * MINUTE));
  });

  it('keys on the pair: the same account from another address, and another account from this one, are unaffected', () => {
    const { fail } = throttle();
    for (let i = 0; i < 5; i++) fail('a@x.test', '10.0.0.1');
    expect(fail('a@x.test', '10.0.0.1')?.scope).toBe('account');
    expect(fail('a@x.test', '10.0.0.2')).toBeNull();
    expect(fail('b@x.test', '10.0.0.1')).toBeNull();
  });

  it('normalises the email', () => {
    const { fail } = throttle();
    for (let i = 0; i < 5; i++) fail(i % 2 ? ' A@X.test ' : 'a@x.test', '10.0.0.1');
    expect(fail('A@x.TEST', '10.0.0.1')?.scope).toBe('account');
  });

  it('success clears the account’s failures and returns the address its token', () => {
    const { limiter, fail } = throttle();
    const succeed = (email: string, address: string) => {
      const attempt = limiter.attempt(email, address);
      if (!attempt.refused) attempt.succeeded();
      return attempt.refused;
    };
    for (let i = 0; i < 4; i++) fail('a@x.test', '10.0.0.1');
    expect(succeed('a@x.test', '10.0.0.1')).toBe(false);
    for (let i = 0; i < 5; i++) expect(fail('a@x.test', '10.0.0.1')).toBeNull();
    expect(fail('a@x.test', '10.0.0.1')?.scope).toBe('account');

    // A shared address where everyone signs in correctly never runs out, even with a burst of one.
    const shared = throttle({ addressBurst: 1 });
    for (let i = 0; i < 10; i++) {
      const attempt = shared.limiter.attempt(`agent${i}@x.test`, '10.0.0.5');
      expect(attempt.refused).toBe(false);
      if (!attempt.refused) attempt.succeeded();
    }
  });

  it('limits failures per address over any accounts, refilling steadily', () => {
    const { time, fail } = throttle({ addressBurst: 3, addressRefillMs: 30_000 });
    expect([fail('a@x.test', '10.0.0.9'), fail('b@x.test', '10.0.0.9'), fail('c@x.test', '10.0.0.9')]).toEqual([null, null, null]);
    expect(fail('d@x.test', '10.0.0.9')).toEqual({ refused: true, scope: 'address', retryAfterMs: 30_000 });
    expect(fail('d@x.test', '10.0.0.10')).toBeNull();
    time.now += 30_000;
    expect(fail('d@x.test', '10.0.0.9')).toBeNull();
    expect(fail('e@x.test', '10.0.0.9')?.scope).toBe('address');
  });

  it('forgets a pair an hour after its last failure, and bounds how many it tracks', () => {
    const { time, limiter, fail } = throttle({ maxTracked: 50 });
    for (let i = 0; i < 4; i++) fail('a@x.test', '10.0.0.1');
    time.now += 60 * MINUTE;
    for (let i = 0; i < 4; i++) expect(fail('a@x.test', '10.0.0.1')).toBeNull();
    for (let i = 0; i < 200; i++) fail(`spray${i}@x.test`, `10.1.${i}.1`);
    expect(limiter.size.pairs).toBeLessThanOrEqual(50);
    expect(limiter.size.addresses).toBeLessThanOrEqual(50);
  });

  it('says how many minutes to wait', () => {
    expect(throttleMessage({ refused: true, scope: 'account', retryAfterMs: 61_000 })).toBe(
      'Too many failed sign-ins for this account; try again in 2 minutes.',
    );
    expect(throttleMessage({ refused: true, scope: 'account', retryAfterMs: 1_000 })).toBe('Too many failed sign-ins for this account; try again in 1 minute.');
    expect(throttleMessage({ refused: true, scope: 'address', retryAfterMs: 30_000 })).toContain('from this network address');
  });
});

describe('Domain.signIn throttling', () => {
  let t: TestDomain | null = null;
  afterEach(() => {
    t?.close();
    t = null;
  });

  it('refuses even the right password while locked, before any scrypt, and lets it in after the window', async () => {
    const time = { now: Date.now() };
    t = openTestDomain({ clock: () => time.now });
    const from = { clientAddress: '192.0.2.7' };
    for (let i = 0; i < 5; i++) expect(await t.domain.signIn(MAYA.email, 'wrong', from)).toBeNull();
    const refused = t.domain.signIn(MAYA.email, MAYA.password, from);
    await expect(refused).rejects.toBeInstanceOf(SignInThrottled);
    await expect(refused).rejects.toMatchObject({ refusal: { scope: 'account', retryAfterMs: MINUTE } });
    // Another person at another workstation, and another account at this one, are not locked.
    expect((await t.domain.signIn(MAYA.email, MAYA.password, { clientAddress: '192.0.2.8' }))?.user.id).toBe(MAYA.id);
    expect((await t.domain.signIn(SAM.email, SAM.password, from))?.user.id).toBe(SAM.id);
    time.now += MINUTE;
    expect((await t.domain.signIn(MAYA.email, MAYA.password, from))?.user.id).toBe(MAYA.id);
    // Success reset the count: four more mistakes do not lock.
    for (let i = 0; i < 4; i++) expect(await t.domain.signIn(MAYA.email, 'wrong', from)).toBeNull();
    expect((await t.domain.signIn(MAYA.email, MAYA.password, from))?.user.id).toBe(MAYA.id);
  });

  it('throttles unknown emails exactly like known ones', async () => {
    t = openTestDomain();
    for (let i = 0; i < 5; i++) expect(await t.domain.signIn('nobody@demo.switchboard.test', 'x')).toBeNull();
    await expect(t.domain.signIn('nobody@demo.switchboard.test', 'x')).rejects.toMatchObject({ refusal: { scope: 'account' } });
  });

  it('does not run scrypt while throttled, for known and unknown emails alike', async () => {
    t = openTestDomain({ signInThrottle: { accountFailures: 1, lockoutMs: 10 * MINUTE } });
    expect(await t.domain.signIn(MAYA.email, 'wrong')).toBeNull();
    expect(await t.domain.signIn('nobody@demo.switchboard.test', 'wrong')).toBeNull();
    const before = scrypt.runs;
    for (let i = 0; i < 5; i++) {
      await expect(t.domain.signIn(MAYA.email, MAYA.password)).rejects.toBeInstanceOf(SignInThrottled);
      await expect(t.domain.signIn('nobody@demo.switchboard.test', 'wrong')).rejects.toBeInstanceOf(SignInThrottled);
    }
    expect(scrypt.runs).toBe(before);
  });
});
