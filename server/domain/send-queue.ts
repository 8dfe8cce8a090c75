import type { EntityOf } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import { recordDeliveryStatus, recordProviderId } from './delivery-status.ts';
import type { Settlement } from './send-retry.ts';

/**
 * Durable outbound delivery: every outbound message gets a send job in the transaction that writes it
 * (enqueueSend); the send worker (send-worker.ts) claims jobs through a SendQueue, hands the message to its
 * provider and settles the job with the answer. The port is asynchronous so a PostgreSQL claimer
 * (`FOR UPDATE SKIP LOCKED`, many instances) can implement it; StorageSendQueue is the one over the
 * storage contract (SQLite: one server process).
 */

/** Writes the send job of an outbound message, in the caller's transaction (so both commit or neither). */
export async function enqueueSend(tx: StorageTx, messageId: string, now: number): Promise<void> {
  await tx.putSendJob(messageId, now, now);
}

/** A leased job with the message to send. */
export interface ClaimedSend {
  messageId: string;
  /** 1 on the first claim. */
  attempt: number;
  message: EntityOf<'message'>;
}

export interface SendQueue {
  /** Leases up to `limit` due jobs to `owner` for `leaseMs`. */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedSend[]>;
  /** Records the answer: the message's provider id / status and the job's end, or its next attempt, in one transaction. */
  settle(owner: string, job: ClaimedSend, settlement: Settlement, now: number): Promise<void>;
  /** Gives a job back unfinished (shutdown mid-call): due again at once, for this or another worker. */
  release(owner: string, messageId: string): Promise<void>;
  /**
   * On start: takes back the leases of workers that are gone (SQLite has one process, so every lease not ours
   * is orphaned). Their calls may have reached the provider, so they wait until `notBefore`: a status
   * callback naming the message (Twilio's callback URL, WhatsApp's biz_opaque_callback_data) may settle them
   * first, and then they are never sent twice.
   */
  recover(owner: string, notBefore: number): Promise<number>;
  /** When to look again (the next due time or lease expiry); null = only a poke brings new work. */
  nextAt(): Promise<number | null>;
}

type Write = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

/** The SendQueue over the storage contract; `write` is the domain's (it pokes sync clients on commit). */
export class StorageSendQueue implements SendQueue {
  constructor(
    private readonly write: Write,
    /** true where this process is the only claimer (SQLite): a lease of another owner is from a dead process. */
    private readonly exclusive: boolean,
  ) {}

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedSend[]> {
    return this.write(async (tx) => {
      const claimed: ClaimedSend[] = [];
      for (const job of await tx.claimSendJobs(owner, now, now + leaseMs, limit)) {
        const message = await tx.get('message', job.messageId);
        // Only queued outbound messages are sent: one that moved on (a status callback, a web chat welcome) is done.
        if (!message || message.direction !== 'out' || message.status !== 'queued') await tx.deleteSendJob(job.messageId);
        else claimed.push({ messageId: job.messageId, attempt: job.attempt, message });
      }
      return claimed;
    });
  }

  async settle(owner: string, job: ClaimedSend, settlement: Settlement, _now: number): Promise<void> {
    await this.write(async (tx) => {
      switch (settlement.kind) {
        case 'accepted':
          if (settlement.providerId !== null) await recordProviderId(tx, job.messageId, settlement.providerId, settlement.status);
          else await recordDeliveryStatus(tx, job.messageId, settlement.status);
          await tx.deleteSendJob(job.messageId);
          return;
        case 'fail':
          await recordDeliveryStatus(tx, job.messageId, 'failed', settlement.reason);
          await tx.deleteSendJob(job.messageId);
          return;
        case 'park':
          await tx.rescheduleSendJob(job.messageId, owner, null, settlement.reason);
          return;
        case 'retry':
          await tx.rescheduleSendJob(job.messageId, owner, settlement.dueAt, settlement.reason);
          return;
      }
    });
  }

  async release(owner: string, messageId: string): Promise<void> {
    await this.write(async (tx) => {
      const job = await tx.getSendJob(messageId);
      if (job?.leaseOwner === owner) await tx.rescheduleSendJob(messageId, owner, job.dueAt, job.lastError);
    });
  }

  async recover(owner: string, notBefore: number): Promise<number> {
    return this.exclusive ? this.write((tx) => tx.releaseSendJobLeases(owner, notBefore)) : 0;
  }

  async nextAt(): Promise<number | null> {
    return this.write((tx) => tx.nextSendJobAt());
  }
}
