import type { EntityOf } from '../../protocol/domain.ts';
import type { ClaimedSend, SendQueue } from './send-queue.ts';
import { resolveRetryPolicy, settlementOf, type RetryPolicy, type SendOutcome } from './send-retry.ts';

/** Hands one message to its provider; resolves with the answer (never throws: a thrown error counts as transient). */
export type SendOne = (message: EntityOf<'message'>, signal: AbortSignal) => Promise<SendOutcome>;

export interface SendWorkerPolicy {
  /** Provider calls at once. */
  concurrency: number;
  /** How long a claim holds a job; a worker that dies leaves it to be taken again after this. */
  leaseMs: number;
  /** A provider call taking longer is abandoned as transient (must stay well below leaseMs). */
  callTimeoutMs: number;
  /** Longest sleep between looks at the queue (for retries coming due and leases of dead workers expiring). */
  pollMs: number;
  /**
   * On start, jobs a dead worker was sending wait this long before they are sent again: their provider
   * may have taken them, and a status callback arriving meanwhile settles them without a second send.
   */
  inDoubtMs: number;
  retry: RetryPolicy;
}

export const DEFAULT_SEND_WORKER_POLICY: SendWorkerPolicy = {
  concurrency: 8,
  leaseMs: 60_000,
  callTimeoutMs: 20_000,
  pollMs: 1000,
  inDoubtMs: 5000,
  retry: resolveRetryPolicy(),
};

export function resolveSendWorkerPolicy(overrides: Partial<Omit<SendWorkerPolicy, 'retry'>> & { retry?: Partial<RetryPolicy> } = {}): SendWorkerPolicy {
  const { retry, ...rest } = overrides;
  return { ...DEFAULT_SEND_WORKER_POLICY, ...rest, retry: resolveRetryPolicy(retry) };
}

/**
 * The window in which a crash causes a second send lies between the provider accepting a message and its
 * answer being committed. The provider accepts somewhere inside our call, so the window is at least
 * answer → committed and at most call start → committed.
 */
export interface SendWindowStats {
  settled: number;
  /** Provider answer received → answer committed. */
  answered: Percentiles;
  /** Provider call started → answer committed. */
  call: Percentiles;
}

export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) : 0);
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}

interface InFlight {
  done: Promise<void>;
  /** Aborted when a graceful stop runs out of time. */
  abort: AbortController;
}

const WINDOW_SAMPLES = 4096;

/**
 * Claims due send jobs, calls the provider for each (at most `concurrency` at once) and settles each job
 * as soon as its answer is in. A job whose worker dies is taken again when its lease expires (on start,
 * at once, where the queue knows this process is the only claimer).
 */
export class SendWorker {
  private readonly inFlight = new Map<string, InFlight>();
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private again = false;
  private stopping = false;
  private readonly windows: Array<{ answered: number; call: number }> = [];
  private settledCount = 0;

  constructor(
    private readonly queue: SendQueue,
    private readonly sendOne: SendOne,
    private readonly policy: SendWorkerPolicy,
    readonly owner: string,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    private readonly random: () => number = Math.random,
  ) {}

  async start(): Promise<void> {
    const recovered = await this.queue.recover(this.owner, this.clock() + this.policy.inDoubtMs).catch((err: unknown) => (this.report('recovering send jobs', err), 0));
    if (recovered > 0) {
      this.log(`send jobs: ${recovered} send${recovered === 1 ? ' was' : 's were'} in flight when the server stopped; sent again in ${this.policy.inDoubtMs} ms unless the provider reports ${recovered === 1 ? 'it' : 'them'} first`);
    }
    this.poke();
  }

  /** New work was committed (or a call finished): look at the queue now. */
  poke(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /** Jobs being sent now (tests, shutdown). */
  get busy(): number {
    return this.inFlight.size;
  }

  windowStats(): SendWindowStats {
    return {
      settled: this.settledCount,
      answered: percentiles(this.windows.map((w) => w.answered)),
      call: percentiles(this.windows.map((w) => w.call)),
    };
  }

  /**
   * Stops claiming, lets calls in flight finish for up to `graceMs` and records their answers; calls still
   * running then are aborted and their jobs given back (sent again on the next start: at least once).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = () => Promise.all([...this.inFlight.values()].map((f) => f.done));
    let graceTimer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'late'>((resolve) => (graceTimer = setTimeout(() => resolve('late'), graceMs)));
    const finished = await Promise.race([all().then(() => 'done' as const), outOfTime]);
    clearTimeout(graceTimer);
    if (finished === 'late') {
      this.log(`send jobs: ${this.inFlight.size} provider call(s) still running after ${graceMs} ms; abandoned, sent again on the next start`);
      for (const f of this.inFlight.values()) f.abort.abort();
      await all();
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        const free = this.policy.concurrency - this.inFlight.size;
        if (free > 0 && !this.stopping) {
          const claimed = await this.queue.claim(this.owner, free, this.clock(), this.policy.leaseMs);
          for (const job of claimed) this.run(job);
        }
        // A poke while claiming (a new job, a call that finished) means: look once more.
        if (!this.again) await this.schedule();
      } while (this.again && !this.stopping);
    } catch (err) {
      this.report('claiming send jobs', err);
      this.scheduleIn(this.policy.pollMs);
    } finally {
      this.pumping = false;
    }
  }

  /** Sleeps until the next job or lease comes due, at most pollMs. */
  private async schedule(): Promise<void> {
    if (this.stopping) return;
    const next = await this.queue.nextAt();
    const wait = next === null ? this.policy.pollMs : Math.min(this.policy.pollMs, Math.max(0, next - this.clock()));
    this.scheduleIn(wait);
  }

  private scheduleIn(ms: number): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.poke();
    }, ms);
    this.timer.unref();
  }

  private run(job: ClaimedSend): void {
    const abort = new AbortController();
    const done = this.attempt(job, abort.signal).finally(() => {
      this.inFlight.delete(job.messageId);
      this.poke();
    });
    this.inFlight.set(job.messageId, { done, abort });
  }

  private async attempt(job: ClaimedSend, stopSignal: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([stopSignal, AbortSignal.timeout(this.policy.callTimeoutMs)]);
    const startedAt = performance.now();
    let outcome: SendOutcome;
    try {
      outcome = await this.sendOne(job.message, signal);
    } catch (err) {
      outcome = { kind: 'transient', reason: err instanceof Error ? err.message : String(err), retryAfterMs: null };
    }
    const answeredAt = performance.now();
    try {
      if (stopSignal.aborted && outcome.kind === 'transient') {
        // Cut off by shutdown: whether the provider got it is unknown, so it is sent again next time.
        await this.queue.release(this.owner, job.messageId);
        return;
      }
      const settlement = settlementOf(outcome, job.attempt, this.clock(), this.policy.retry, this.random);
      if (settlement.kind === 'retry') this.log(`send of ${job.messageId} (attempt ${job.attempt}) will be retried: ${settlement.reason}`);
      await this.queue.settle(this.owner, job, settlement, this.clock());
      if (settlement.kind === 'accepted') this.noteWindow(answeredAt, startedAt);
    } catch (err) {
      // Not recorded: the lease runs out and the job is sent again (the at-least-once window).
      this.report(`recording the send of ${job.messageId}`, err);
    }
  }

  private noteWindow(answeredAt: number, startedAt: number): void {
    const committedAt = performance.now();
    this.settledCount++;
    if (this.windows.length >= WINDOW_SAMPLES) this.windows.splice(0, this.windows.length - WINDOW_SAMPLES + 1);
    this.windows.push({ answered: committedAt - answeredAt, call: committedAt - startedAt });
  }

  private report(what: string, err: unknown): void {
    this.log(`send jobs: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
