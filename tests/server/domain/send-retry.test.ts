import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { whatsAppRefusalOutcome } from '../../../server/channels/whatsapp-adapter.ts';
import {
  backoffDelay,
  classifyHttpRefusal,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  settlementOf,
  unanswered,
  type RetryPolicy,
} from '../../../server/domain/send-retry.ts';

const NOW = 1_700_000_000_000;
const policy: RetryPolicy = { baseMs: 1000, capMs: 60_000, maxRetryAfterMs: 600_000, maxAttempts: 5 };

describe('backoff', () => {
  test.prop([fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })])(
    'stays between half and all of the capped exponential delay',
    (attempt, r) => {
      const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      const delay = backoffDelay(attempt, policy, () => r);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(exponential / 2));
      expect(delay).toBeLessThanOrEqual(Math.ceil(exponential));
      expect(delay).toBeLessThanOrEqual(policy.capMs);
    },
  );

  it('doubles per attempt until the cap, and the jitter spreads equal attempts', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, policy, none))).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(3998);
  });
});

describe('what an answer means', () => {
  it('429, 408 and 5xx are transient, with the provider’s Retry-After; other 4xx are permanent', () => {
    expect(classifyHttpRefusal(429, 'slow down', '7', NOW)).toEqual({ kind: 'transient', reason: 'slow down', retryAfterMs: 7000 });
    expect(classifyHttpRefusal(503, 'down', null, NOW)).toEqual({ kind: 'transient', reason: 'down', retryAfterMs: null });
    expect(classifyHttpRefusal(500, 'oops', null, NOW).kind).toBe('transient');
    expect(classifyHttpRefusal(408, 'late', null, NOW).kind).toBe('transient');
    for (const status of [400, 401, 403, 404, 409, 422]) expect(classifyHttpRefusal(status, 'no', null, NOW)).toEqual({ kind: 'permanent', reason: 'no' });
  });

  test.prop([fc.integer({ min: 100, max: 599 })])('every HTTP refusal is exactly one of transient or permanent', (status) => {
    const outcome = classifyHttpRefusal(status, 'r', null, NOW);
    expect(outcome.kind).toBe(status === 429 || status === 408 || status >= 500 ? 'transient' : 'permanent');
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores nonsense', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it('no answer at all (refused connection, timeout) is transient', () => {
    expect(unanswered('Twilio', new TypeError('fetch failed'))).toEqual({ kind: 'transient', reason: 'Twilio could not be reached', retryAfterMs: null });
    expect(unanswered('Twilio', new DOMException('timed out', 'TimeoutError'))).toMatchObject({ kind: 'transient', reason: 'Twilio did not answer in time' });
  });

  it('WhatsApp: throttling codes are transient whatever the status, 131047 is a closed window, other 4xx are permanent', () => {
    expect(whatsAppRefusalOutcome(400, '130429', 'Rate limit hit', '3', NOW)).toEqual({
      kind: 'transient',
      reason: 'WhatsApp refused the message (130429): Rate limit hit',
      retryAfterMs: 3000,
    });
    expect(whatsAppRefusalOutcome(400, '131047', 'Re-engagement message', null, NOW)).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('24 hours') });
    expect(whatsAppRefusalOutcome(400, '131026', 'Message undeliverable', null, NOW)).toEqual({
      kind: 'permanent',
      reason: 'WhatsApp refused the message (131026): Message undeliverable',
    });
    expect(whatsAppRefusalOutcome(503, '1', 'Service unavailable', null, NOW).kind).toBe('transient');
  });
});

describe('what the worker does with an answer', () => {
  it('records acceptance, parks a held send, fails a permanent refusal', () => {
    expect(settlementOf({ kind: 'accepted', providerId: 'SM1', status: 'sending' }, 1, NOW, policy)).toEqual({ kind: 'accepted', providerId: 'SM1', status: 'sending' });
    expect(settlementOf({ kind: 'held', reason: 'away' }, 1, NOW, policy)).toEqual({ kind: 'park', reason: 'away' });
    expect(settlementOf({ kind: 'permanent', reason: 'bad number' }, 1, NOW, policy)).toEqual({ kind: 'fail', reason: 'bad number' });
  });

  it('retries a transient failure after the backoff, or after Retry-After (capped), and gives up after maxAttempts', () => {
    const transient = (retryAfterMs: number | null) => ({ kind: 'transient' as const, reason: 'Twilio could not be reached', retryAfterMs });
    expect(settlementOf(transient(null), 2, NOW, policy, () => 0)).toEqual({ kind: 'retry', dueAt: NOW + 1000, reason: 'Twilio could not be reached' });
    expect(settlementOf(transient(45_000), 1, NOW, policy, () => 0)).toMatchObject({ kind: 'retry', dueAt: NOW + 45_000 });
    expect(settlementOf(transient(10 * 3_600_000), 1, NOW, policy)).toMatchObject({ kind: 'retry', dueAt: NOW + policy.maxRetryAfterMs });
    expect(settlementOf(transient(null), 5, NOW, policy)).toEqual({ kind: 'fail', reason: 'Not sent after 5 attempts: Twilio could not be reached' });
  });

  test.prop([fc.integer({ min: 1, max: DEFAULT_RETRY_POLICY.maxAttempts - 1 }), fc.option(fc.nat({ max: 10 ** 9 }), { nil: null })])(
    'a transient failure before the last attempt is always retried, never earlier than now',
    (attempt, retryAfterMs) => {
      const s = settlementOf({ kind: 'transient', reason: 'x', retryAfterMs }, attempt, NOW, DEFAULT_RETRY_POLICY);
      expect(s.kind).toBe('retry');
      if (s.kind === 'retry') expect(s.dueAt).toBeGreaterThanOrEqual(NOW);
    },
  );
});
