import { randomUUID } from 'node:crypto';
import type { StorageTx } from '../../storage/storage.ts';
import { publishOrgRecords } from '../org-record.ts';
import { expirePresence, socketClosed, socketOpened } from './presence.ts';
import { TimerWorker } from './routing-timers.ts';

export interface RoutingServiceOptions {
  write: <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;
  read: <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;
  clock: () => number;
  log: (line: string) => void;
  /** How long this instance's presence rows live without a heartbeat (ms; default 30 s). */
  presenceLeaseMs?: number;
  /** Longest wait of the timer worker between looks (ms; default 1 s). */
  timerPollMs?: number;
  /** This instance's id in the presence table (default: random per process). */
  instanceId?: string;
}

/** What the sync sockets tell routing (server/sync/connection.ts): a person's socket said hello, or closed. */
export interface SyncPresence {
  opened(userId: string): void;
  closed(userId: string): void;
}

/**
 * Contact Center routing's running parts (issue 10): the timer worker (offer timeouts, disconnection graces),
 * this instance's presence rows and their heartbeat, and the org records' one-time backfill. Reached as
 * `domain.routing`; the routing decisions themselves run inside the write that causes them (route-queue.ts).
 */
export class RoutingService {
  readonly instanceId: string;
  readonly presence: SyncPresence;
  private readonly worker: TimerWorker;
  private readonly leaseMs: number;
  /** Presence changes of this instance, in the order the sockets reported them (an open never overtakes its close). */
  private presenceChain: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: RoutingServiceOptions) {
    this.instanceId = options.instanceId ?? `instance_${randomUUID()}`;
    this.leaseMs = options.presenceLeaseMs ?? 30_000;
    this.worker = new TimerWorker({
      write: options.write,
      read: options.read,
      clock: options.clock,
      log: options.log,
      pollMs: options.timerPollMs,
      onTick: async (now) => {
        await this.renewPresence(now);
      },
    });
    this.presence = {
      opened: (userId) => this.enqueue('open', (tx, now) => socketOpened(tx, userId, this.instanceId, now, this.leaseMs)),
      closed: (userId) => this.enqueue('close', (tx, now) => socketClosed(tx, userId, this.instanceId, now)),
    };
  }

  /** The org records of organisations made before they existed (once per database). */
  init(): Promise<void> {
    return this.options.write((tx) => publishOrgRecords(tx));
  }

  /** Starts the timer worker and the presence heartbeat (the server does, beside the send worker). */
  start(): void {
    this.worker.start();
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      this.renewPresence(this.options.clock()).catch((err: unknown) => this.options.log(`presence heartbeat: ${String(err)}`));
    }, Math.max(1_000, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    await this.worker.stop();
    await this.presenceChain;
  }

  /** Fires the timers due at `now` (tests drive this with their clock). */
  runDueTimers(now = this.options.clock()): Promise<number> {
    return this.worker.runDue(now);
  }

  /** This instance's heartbeat: its presence rows live on; rows of instances that stopped are dropped. */
  async renewPresence(now = this.options.clock()): Promise<void> {
    await this.options.write(async (tx) => {
      await tx.renewPresence(this.instanceId, now + this.leaseMs);
      await expirePresence(tx, now);
    });
  }

  /** Waits for the presence changes reported so far (tests). */
  settled(): Promise<void> {
    return this.presenceChain;
  }

  private enqueue(what: string, fn: (tx: StorageTx, now: number) => Promise<void>): void {
    this.presenceChain = this.presenceChain
      .then(() => this.options.write((tx) => fn(tx, this.options.clock())))
      .catch((err: unknown) => this.options.log(`presence ${what} failed: ${err instanceof Error ? err.message : String(err)}`));
  }
}
