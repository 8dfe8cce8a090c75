/**
 * Housekeeping (log retention, session pruning) runs on one server instance at a time: two instances
 * compacting the same log or deleting the same rows at once would only fight (serialization failures and
 * retries) for work one of them can do alone. The domain asks this port before each pass.
 */
export interface HousekeepingLock {
  /**
   * Runs `task` if no other instance is running a pass now; otherwise skips it (that instance does the work)
   * and resolves `{ ran: false }` without waiting.
   */
  run<T>(task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

/**
 * The one-process server (SQLite): there is no other instance, so the lock is always won. Passes of this
 * process still never overlap: a pass that finds one running skips, as it would against another instance.
 */
export class InProcessHousekeepingLock implements HousekeepingLock {
  private running = false;

  async run<T>(task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.running) return { ran: false };
    this.running = true;
    try {
      return { ran: true, value: await task() };
    } finally {
      this.running = false;
    }
  }
}
