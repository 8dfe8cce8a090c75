/**
 * How often one person may ask the assistant (issue 12): a port, so a Redis implementation can share the
 * count between server instances. Only the in-process one exists so far: with several instances each
 * counts on its own (the limit is per instance).
 */
export interface AssistantRateLimit {
  /** Counts one use by this person; refused with the wait when they used up their allowance. */
  take(userId: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

export interface AssistantRatePolicy {
  /** Uses per person per window. */
  limit: number;
  windowMs: number;
}

export const DEFAULT_ASSISTANT_RATE: AssistantRatePolicy = { limit: 20, windowMs: 60_000 };

/** A sliding window of each person's recent uses, in memory. */
export class InProcessAssistantRateLimit implements AssistantRateLimit {
  private readonly uses = new Map<string, number[]>();

  constructor(
    private readonly policy: AssistantRatePolicy = DEFAULT_ASSISTANT_RATE,
    private readonly clock: () => number = Date.now,
  ) {}

  async take(userId: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    const now = this.clock();
    const recent = (this.uses.get(userId) ?? []).filter((at) => at > now - this.policy.windowMs);
    if (recent.length >= this.policy.limit) {
      this.uses.set(userId, recent);
      return { ok: false, retryAfterMs: Math.max(1, recent[0]! + this.policy.windowMs - now) };
    }
    recent.push(now);
    this.uses.set(userId, recent);
    // Forget people who stopped asking, so the map does not grow with everyone who ever used it.
    if (this.uses.size > 10_000) for (const [id, times] of this.uses) if (times.every((at) => at <= now - this.policy.windowMs)) this.uses.delete(id);
    return { ok: true };
  }
}
