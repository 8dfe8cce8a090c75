import { EventEmitter } from 'node:events';

/**
 * "The change log moved to N", between the server instances of one database. The log in the database stays
 * the truth: a poke only says "read it now" (Domain.noticeForeignCommits), and a lost poke is made up for
 * by the next one or by the periodic check. app.ts publishes the commits of its own process and subscribes
 * once per instance; the sync hub then reads the log once for all of its sockets.
 */
export interface CommitPokes {
  /** Tells the other instances; never throws (a poke that cannot go out is caught up by their periodic check). */
  publish(head: number): void;
  /** Other instances' pokes from now on (not this instance's own). Resolves once subscribed. */
  subscribe(listener: (head: number) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Instances in one process (tests), on a bus they share; by default a bus of one, where nobody else listens
 * (the single embedded server of `npm start`).
 */
export class InProcessCommitPokes implements CommitPokes {
  private readonly listeners = new Set<(head: number) => void>();

  constructor(private readonly bus: EventEmitter<{ poke: [from: InProcessCommitPokes, head: number] }> = new EventEmitter()) {
    bus.setMaxListeners(0);
  }

  private readonly onPoke = (from: InProcessCommitPokes, head: number) => {
    if (from === this) return;
    for (const listener of this.listeners) listener(head);
  };

  publish(head: number): void {
    this.bus.emit('poke', this, head);
  }

  async subscribe(listener: (head: number) => void): Promise<void> {
    if (this.listeners.size === 0) this.bus.on('poke', this.onPoke);
    this.listeners.add(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.bus.off('poke', this.onPoke);
  }
}
