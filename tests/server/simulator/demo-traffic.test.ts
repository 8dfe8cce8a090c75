import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_TRAFFIC_MS, parseDemoTrafficInterval } from '../../../server/simulator/demo-traffic.ts';

describe('SWITCHBOARD_DEMO_TRAFFIC_MS', () => {
  it('is the default when unset, a whole number of ms otherwise (0 = off), null when not one', () => {
    expect(parseDemoTrafficInterval(undefined)).toBe(DEFAULT_DEMO_TRAFFIC_MS);
    expect(parseDemoTrafficInterval(' ')).toBe(DEFAULT_DEMO_TRAFFIC_MS);
    expect(parseDemoTrafficInterval('0')).toBe(0);
    expect(parseDemoTrafficInterval('1500')).toBe(1500);
    expect(parseDemoTrafficInterval('-5')).toBeNull();
    expect(parseDemoTrafficInterval('1.5')).toBeNull();
    expect(parseDemoTrafficInterval('fast')).toBeNull();
  });
});
