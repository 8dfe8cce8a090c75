/**
 * What a send attempt's answer means, and when to try again. Pure: the worker and the channel adapters
 * share it, and the unit tests drive it directly.
 */

/** The result of handing one outbound message to its provider (or web chat socket). */
export type SendOutcome =
  /** The provider took it: its id (null where there is none, demo and web chat) and the status it implies. */
  | { kind: 'accepted'; providerId: string | null; status: 'sending' | 'sent' }
  /** Nobody to hand it to now (a web chat visitor away): parked until an event wakes it, still queued. */
  | { kind: 'held'; reason: string }
  /** Worth trying again: network error, timeout, 5xx, 429 (with the provider's Retry-After, if any). */
  | { kind: 'transient'; reason: string; retryAfterMs: number | null }
  /** Will never go through as it is: the message fails with the reason (the client's Retry queues it again). */
  | { kind: 'permanent'; reason: string };

export interface RetryPolicy {
  /** Delay before the second attempt; doubles per attempt. */
  baseMs: number;
  /** No backoff delay above this. */
  capMs: number;
  /** A provider's Retry-After above this is cut down to it. */
  maxRetryAfterMs: number;
  /** After this many attempts a transient failure fails the message. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, capMs: 5 * 60_000, maxRetryAfterMs: 60 * 60_000, maxAttempts: 12 };

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides };
}

/**
 * The wait after failed attempt number `attempt` (1 = the first): capped exponential with "equal jitter",
 * half fixed and half random, so a burst of failures spreads out without any retry coming back at once.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 40)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** What the worker does with a finished attempt: record it, wait and retry, or give up. */
export type Settlement =
  | { kind: 'accepted'; providerId: string | null; status: 'sending' | 'sent' }
  | { kind: 'park'; reason: string }
  | { kind: 'retry'; dueAt: number; reason: string }
  | { kind: 'fail'; reason: string };

export function settlementOf(outcome: SendOutcome, attempt: number, now: number, policy: RetryPolicy, random: () => number = Math.random): Settlement {
  switch (outcome.kind) {
    case 'accepted':
      return { kind: 'accepted', providerId: outcome.providerId, status: outcome.status };
    case 'held':
      return { kind: 'park', reason: outcome.reason };
    case 'permanent':
      return { kind: 'fail', reason: outcome.reason };
    case 'transient': {
      if (attempt >= policy.maxAttempts) return { kind: 'fail', reason: `Not sent after ${attempt} attempts: ${outcome.reason}` };
      const wait = outcome.retryAfterMs !== null ? Math.min(Math.max(0, outcome.retryAfterMs), policy.maxRetryAfterMs) : backoffDelay(attempt, policy, random);
      return { kind: 'retry', dueAt: now + wait, reason: outcome.reason };
    }
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * A provider's HTTP refusal: 429 and 5xx (and 408) are transient, every other 4xx is permanent (the request
 * itself is wrong: bad number, unknown template, credentials). `reason` is shown to agents as is.
 */
export function classifyHttpRefusal(status: number, reason: string, retryAfter: string | null, now: number): SendOutcome {
  if (status === 429 || status === 408 || status >= 500) return { kind: 'transient', reason, retryAfterMs: parseRetryAfter(retryAfter, now) };
  return { kind: 'permanent', reason };
}

/** A request that got no answer (connection refused or reset, DNS, timeout): transient. */
export function unanswered(provider: string, err: unknown): SendOutcome {
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  return { kind: 'transient', reason: timedOut ? `${provider} did not answer in time` : `${provider} could not be reached`, retryAfterMs: null };
}
