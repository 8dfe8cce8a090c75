import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  InProcessSignInThrottle,
  resolveSignInThrottle,
  type SignInThrottle,
  type SignInThrottlePolicy,
} from '../../../server/domain/sign-in-throttle.ts';

const MINUTE = 60_000;

/** Builds an implementation on this policy and clock (each call a fresh, empty one). */
export type ThrottleFactory = (policy: SignInThrottlePolicy, clock: () => number) => Promise<SignInThrottle>;

/**
 * The sign-in throttle policy, as behaviour every implementation must show (in memory and Redis alike):
 * same refusals, same scopes, same waits.
 */
export function signInThrottleContract(name: string, make: ThrottleFactory): void {
  async function throttle(overrides: Partial<SignInThrottlePolicy> = {}) {
    const time = { now: 1_000_000 };
    const limiter = await make(resolveSignInThrottle(overrides), () => time.now);
    /** One attempt that fails; returns the refusal, or null when it was let through. */
    const fail = async (email: string, address: string) => {
      const attempt = await limiter.attempt(email, address);
      return attempt.refused ? attempt : null;
    };
    const succeed = async (email: string, address: string) => {
      const attempt = await limiter.attempt(email, address);
      if (!attempt.refused) await attempt.succeeded();
      return attempt.refused;
    };
    return { time, limiter, fail, succeed };
  }

  describe(`${name}: the sign-in throttle policy`, () => {
    it('locks an account from one address after 5 failures for 1 minute, doubling up to 15', async () => {
      const { time, fail } = await throttle();
      for (let i = 0; i < 5; i++) expect(await fail('a@x.test', '10.0.0.1')).toBeNull();
      expect(await fail('a@x.test', '10.0.0.1')).toEqual({ refused: true, scope: 'account', retryAfterMs: MINUTE });
      const waits: number[] = [];
      for (let i = 0; i < 6; i++) {
        time.now += MINUTE * 16; // past any lockout, well inside forgetAfterMs
        expect(await fail('a@x.test', '10.0.0.1')).toBeNull();
        waits.push((await fail('a@x.test', '10.0.0.1'))?.retryAfterMs ?? 0);
      }
      expect(waits).toEqual([2, 4, 8, 15, 15, 15].map((m) => m * MINUTE));
    });

    it('keys on the pair: the same account from another address, and another account from this one, are unaffected', async () => {
      const { fail } = await throttle();
      for (let i = 0; i < 5; i++) await fail('a@x.test', '10.0.0.1');
      expect((await fail('a@x.test', '10.0.0.1'))?.scope).toBe('account');
      expect(await fail('a@x.test', '10.0.0.2')).toBeNull();
      expect(await fail('b@x.test', '10.0.0.1')).toBeNull();
    });

    it('normalises the email', async () => {
      const { fail } = await throttle();
      for (let i = 0; i < 5; i++) await fail(i % 2 ? ' A@X.test ' : 'a@x.test', '10.0.0.1');
      expect((await fail('A@x.TEST', '10.0.0.1'))?.scope).toBe('account');
    });

    it('success clears the account’s failures and returns the address its token', async () => {
      const { fail, succeed } = await throttle();
      for (let i = 0; i < 4; i++) await fail('a@x.test', '10.0.0.1');
      expect(await succeed('a@x.test', '10.0.0.1')).toBe(false);
      for (let i = 0; i < 5; i++) expect(await fail('a@x.test', '10.0.0.1')).toBeNull();
      expect((await fail('a@x.test', '10.0.0.1'))?.scope).toBe('account');

      // A shared address where everyone signs in correctly never runs out, even with a burst of one.
      const shared = await throttle({ addressBurst: 1 });
      for (let i = 0; i < 10; i++) expect(await shared.succeed(`agent${i}@x.test`, '10.0.0.5')).toBe(false);
    });

    it('limits failures per address over any accounts, refilling steadily', async () => {
      const { time, fail } = await throttle({ addressBurst: 3, addressRefillMs: 30_000 });
      expect([await fail('a@x.test', '10.0.0.9'), await fail('b@x.test', '10.0.0.9'), await fail('c@x.test', '10.0.0.9')]).toEqual([null, null, null]);
      expect(await fail('d@x.test', '10.0.0.9')).toEqual({ refused: true, scope: 'address', retryAfterMs: 30_000 });
      expect(await fail('d@x.test', '10.0.0.10')).toBeNull();
      time.now += 10_000;
      // A third of a token back: two thirds of the interval to wait (ceil of a float product, so ±1 ms).
      expect((await fail('d@x.test', '10.0.0.9'))?.retryAfterMs).toBeCloseTo(20_000, -1);
      time.now += 20_000;
      expect(await fail('d@x.test', '10.0.0.9')).toBeNull();
      expect((await fail('e@x.test', '10.0.0.9'))?.scope).toBe('address');
    });

    it('forgets a pair an hour after its last failure', async () => {
      const { time, fail } = await throttle();
      for (let i = 0; i < 4; i++) await fail('a@x.test', '10.0.0.1');
      time.now += 60 * MINUTE;
      for (let i = 0; i < 4; i++) expect(await fail('a@x.test', '10.0.0.1')).toBeNull();
      expect(await fail('a@x.test', '10.0.0.1')).toBeNull();
      expect((await fail('a@x.test', '10.0.0.1'))?.scope).toBe('account');
    });

    it('parallel attempts see each other: no more than the limit get through to the password check', async () => {
      const { fail } = await throttle({ accountFailures: 3, addressBurst: 1000 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => fail('a@x.test', '10.0.0.1')));
      expect(answers.filter((a) => a === null)).toHaveLength(3);
    });
  });
}

/**
 * Generated sequences of attempts, successes and clock moves: the implementation under test answers every
 * step exactly as the in-memory one (the reference) does.
 */
export function sameAnswersAsInProcess(make: ThrottleFactory) {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('fail' as const), who: fc.integer({ min: 0, max: 2 }), from: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ kind: fc.constant('succeed' as const), who: fc.integer({ min: 0, max: 2 }), from: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 20 * MINUTE }) }),
  );
  const policy = fc.record({
    accountFailures: fc.integer({ min: 1, max: 4 }),
    lockoutMs: fc.integer({ min: 1000, max: 5 * MINUTE }),
    maxLockoutMs: fc.integer({ min: 1000, max: 30 * MINUTE }),
    forgetAfterMs: fc.integer({ min: 1000, max: 60 * MINUTE }),
    addressBurst: fc.integer({ min: 1, max: 5 }),
    addressRefillMs: fc.integer({ min: 1000, max: 60_000 }),
  });
  return fc.asyncProperty(policy, fc.array(step, { maxLength: 40 }), async (overrides, steps) => {
    const resolved = resolveSignInThrottle(overrides);
    const time = { now: 5_000_000 };
    const clock = () => time.now;
    const reference = new InProcessSignInThrottle(resolved, clock);
    const subject = await make(resolved, clock);
    for (const s of steps) {
      if (s.kind === 'wait') {
        time.now += s.ms;
        continue;
      }
      const email = `user${s.who}@x.test`;
      const address = `192.0.2.${s.from}`;
      const [expected, actual] = [await reference.attempt(email, address), await subject.attempt(email, address)];
      if (expected.refused || actual.refused) {
        expect(actual).toEqual(expected);
      } else if (s.kind === 'succeed') {
        await expected.succeeded();
        await actual.succeeded();
      }
    }
  });
}
