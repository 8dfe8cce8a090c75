import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { WEBCHAT_IP_LIMITS } from '../../../protocol/webchat.ts';
import { InProcessAddressLimits, type AddressLimits, type IpLimitKind, type Rate } from '../../../server/webchat/limits.ts';

/** Builds an empty implementation on these rates and clock. */
export type LimitsFactory = (rates: Partial<Record<IpLimitKind, Rate>>, clock: () => number) => Promise<AddressLimits>;

const KINDS = Object.keys(WEBCHAT_IP_LIMITS) as IpLimitKind[];

/** The web chat per-address limits, as every implementation must behave (in memory and Redis alike). */
export function addressLimitsContract(name: string, make: LimitsFactory): void {
  describe(`${name}: web chat per-address limits`, () => {
    it('refills address buckets over time, per address', async () => {
      let now = 0;
      const limits = await make({ uploads: { perMinute: 60, burst: 1 } }, () => now);
      expect(await limits.take('uploads', '10.0.0.1')).toBe(true);
      expect(await limits.take('uploads', '10.0.0.1')).toBe(false);
      expect(await limits.take('uploads', '10.0.0.2')).toBe(true);
      now += 1000;
      expect(await limits.take('uploads', '10.0.0.1')).toBe(true);
    });

    it('keeps kinds apart and uses the protocol defaults for kinds not configured', async () => {
      const now = 0;
      const limits = await make({ messages: { perMinute: 1, burst: 2 } }, () => now);
      expect([await limits.take('messages', 'a'), await limits.take('messages', 'a'), await limits.take('messages', 'a')]).toEqual([true, true, false]);
      const { burst } = WEBCHAT_IP_LIMITS.connections;
      const taken = [];
      for (let i = 0; i <= burst; i++) taken.push(await limits.take('connections', 'a'));
      expect(taken.filter(Boolean)).toHaveLength(burst);
    });

    it('parallel takes never give out more than the burst', async () => {
      const limits = await make({ newVisitors: { perMinute: 0.001, burst: 4 } }, () => 0);
      const answers = await Promise.all(Array.from({ length: 25 }, () => limits.take('newVisitors', '198.51.100.1')));
      expect(answers.filter(Boolean)).toHaveLength(4);
    });
  });
}

/** Generated takes and clock moves: the implementation under test answers each exactly as the in-memory one. */
export function sameAnswersAsInProcess(make: LimitsFactory) {
  const rate = fc.record({ perMinute: fc.integer({ min: 0, max: 600 }), burst: fc.integer({ min: 1, max: 5 }) });
  const step = fc.oneof(
    fc.record({ kind: fc.constantFrom(...KINDS), from: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ wait: fc.integer({ min: 1, max: 120_000 }) }),
  );
  return fc.asyncProperty(fc.dictionary(fc.constantFrom(...KINDS), rate), fc.array(step, { maxLength: 40 }), async (rates, steps) => {
    const time = { now: 1_000_000 };
    const clock = () => time.now;
    const reference = new InProcessAddressLimits(rates, clock);
    const subject = await make(rates, clock);
    for (const s of steps) {
      if ('wait' in s) {
        time.now += s.wait;
        continue;
      }
      const address = `203.0.113.${s.from}`;
      expect(await subject.take(s.kind, address)).toBe(await reference.take(s.kind, address));
    }
  });
}
