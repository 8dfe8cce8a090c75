import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessSignInThrottle, SignInThrottled, resolveSignInThrottle, throttleMessage } from '../../../server/domain/sign-in-throttle.ts';
import { signInThrottleContract } from '../support/sign-in-throttle-contract.ts';
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

signInThrottleContract('in process', async (policy, clock) => new InProcessSignInThrottle(policy, clock));

describe('InProcessSignInThrottle', () => {
  it('bounds how many pairs and addresses it tracks', async () => {
    const time = { now: 1_000_000 };
    const limiter = new InProcessSignInThrottle(resolveSignInThrottle({ maxTracked: 50 }), () => time.now);
    for (let i = 0; i < 200; i++) await limiter.attempt(`spray${i}@x.test`, `10.1.${i}.1`);
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
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('refuses even the right password while locked, before any scrypt, and lets it in after the window', async () => {
    const time = { now: Date.now() };
    t = await openTestDomain({ clock: () => time.now });
    const from = { clientAddress: '192.0.2.7' };
    for (let i = 0; i < 5; i++) expect(await t.domain.sessions.signIn(MAYA.email, 'wrong', from)).toBeNull();
    const refused = t.domain.sessions.signIn(MAYA.email, MAYA.password, from);
    await expect(refused).rejects.toBeInstanceOf(SignInThrottled);
    await expect(refused).rejects.toMatchObject({ refusal: { scope: 'account', retryAfterMs: MINUTE } });
    // Another person at another workstation, and another account at this one, are not locked.
    expect((await t.domain.sessions.signIn(MAYA.email, MAYA.password, { clientAddress: '192.0.2.8' }))?.user.id).toBe(MAYA.id);
    expect((await t.domain.sessions.signIn(SAM.email, SAM.password, from))?.user.id).toBe(SAM.id);
    time.now += MINUTE;
    expect((await t.domain.sessions.signIn(MAYA.email, MAYA.password, from))?.user.id).toBe(MAYA.id);
    // Success reset the count: four more mistakes do not lock.
    for (let i = 0; i < 4; i++) expect(await t.domain.sessions.signIn(MAYA.email, 'wrong', from)).toBeNull();
    expect((await t.domain.sessions.signIn(MAYA.email, MAYA.password, from))?.user.id).toBe(MAYA.id);
  });

  it('throttles unknown emails exactly like known ones', async () => {
    t = await openTestDomain();
    for (let i = 0; i < 5; i++) expect(await t.domain.sessions.signIn('nobody@demo.switchboard.test', 'x')).toBeNull();
    await expect(t.domain.sessions.signIn('nobody@demo.switchboard.test', 'x')).rejects.toMatchObject({ refusal: { scope: 'account' } });
  });

  it('does not run scrypt while throttled, for known and unknown emails alike', async () => {
    t = await openTestDomain({ signInThrottle: { accountFailures: 1, lockoutMs: 10 * MINUTE } });
    expect(await t.domain.sessions.signIn(MAYA.email, 'wrong')).toBeNull();
    expect(await t.domain.sessions.signIn('nobody@demo.switchboard.test', 'wrong')).toBeNull();
    const before = scrypt.runs;
    for (let i = 0; i < 5; i++) {
      await expect(t.domain.sessions.signIn(MAYA.email, MAYA.password)).rejects.toBeInstanceOf(SignInThrottled);
      await expect(t.domain.sessions.signIn('nobody@demo.switchboard.test', 'wrong')).rejects.toBeInstanceOf(SignInThrottled);
    }
    expect(scrypt.runs).toBe(before);
  });
});
