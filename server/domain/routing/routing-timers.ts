import type { StorageTx, TimerRow } from '../../storage/storage.ts';
import { offerTimedOut } from './offers.ts';
import { passesExpired } from './passes.ts';
import { graceExpired } from './presence.ts';
import { routeQueue, TIMER } from './route-queue.ts';

/** Runs a due timer's effect; the caller deletes the timer in the same transaction. */
export async function fireTimer(tx: StorageTx, timer: TimerRow, now: number): Promise<void> {
  if (timer.kind === TIMER.offer) await offerTimedOut(tx, timer.key, now);
  else if (timer.kind === TIMER.grace) await graceExpired(tx, timer.key, now);
  else if (timer.kind === TIMER.more) await routeQueue(tx, timer.key, now);
  else if (timer.kind === TIMER.passes) await passesExpired(tx, timer.key, now);
}

export interface TimerWorkerOptions {
  write: <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;
  read: <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;
  clock: () => number;
  log: (line: string) => void;
  /** Also run on each tick (presence leases). */
  onTick?: (now: number) => Promise<void>;
  /** Longest sleep between looks (ms): timers written by other instances are found within it. */
  pollMs?: number;
}

/**
 * Fires due durable timers (offer timeouts, disconnection graces), like the send worker does send jobs: each
 * in its own write transaction that claims it (PostgreSQL: FOR UPDATE SKIP LOCKED), applies its effect and
 * deletes it, so a crash before the commit leaves it due for the next start or another instance.
 */
export class TimerWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly pollMs: number;

  constructor(private readonly options: TimerWorkerOptions) {
    this.pollMs = options.pollMs ?? 1_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Fires every timer due at `now`; returns how many fired. */
  async runDue(now = this.options.clock()): Promise<number> {
    let fired = 0;
    for (;;) {
      const done = await this.options.write(async (tx) => {
        const timer = await tx.claimDueTimer(now);
        if (!timer) return false;
        await tx.deleteTimer(timer.kind, timer.key);
        await fireTimer(tx, timer, now);
        return true;
      });
      if (!done) return fired;
      fired += 1;
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = null));
    }, delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let next = this.pollMs;
    try {
      const now = this.options.clock();
      await this.options.onTick?.(now);
      await this.runDue(now);
      const due = await this.options.read((tx) => tx.nextTimerAt());
      if (due !== null) next = Math.max(0, Math.min(this.pollMs, due - this.options.clock()));
    } catch (err) {
      this.options.log(`routing timers: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.schedule(next);
  }
}
