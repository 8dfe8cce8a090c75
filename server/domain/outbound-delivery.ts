import { randomBytes } from 'node:crypto';
import type { ChannelKind, DeliveryStatus, EntityOf } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import { ChannelRegistry, parseProviderConfig } from '../channels/channel-adapter.ts';
import { createDemoDelivery, type OutboundSender } from './delivery.ts';
import { StorageSendQueue } from './send-queue.ts';
import type { SendOutcome } from './send-retry.ts';
import { sendRefusal } from './send-rules.ts';
import { resolveSendWorkerPolicy, SendWorker, type SendWindowStats, type SendWorkerPolicy } from './send-worker.ts';

type Transaction = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

export interface OutboundDeliveryOptions {
  write: Transaction;
  read: Transaction;
  clock: () => number;
  log: (line: string) => void;
  /** A status change from outside a send job (the demo's "delivered" callback). */
  setStatus(messageId: string, status: DeliveryStatus): Promise<void>;
  demo: { sentAfterMs: number; deliveredAfterMs: number };
  worker?: Parameters<typeof resolveSendWorkerPolicy>[0];
  /** true where this process is the only claimer of send jobs (Storage.sharedByInstances false: SQLite). */
  exclusiveClaimer: boolean;
}

/** Where one message goes: a kind's own sender (web chat) or the channel registry (provider or demo). */
interface Route {
  sender: OutboundSender;
  accepts: (conversation: EntityOf<'conversation'>) => boolean;
}

/**
 * The outbound half of the domain: the send worker over the send-job queue, and the senders it hands
 * messages to. Each send is checked against the channel's rules again at send time (a STOP or a closed
 * WhatsApp window while it waited is a failure with the reason, not a send).
 */
export class OutboundDelivery {
  readonly channels: ChannelRegistry;
  private readonly routes = new Map<ChannelKind, Route>();
  private readonly worker: SendWorker;
  readonly policy: SendWorkerPolicy;
  private started = false;

  constructor(private readonly options: OutboundDeliveryOptions) {
    this.channels = new ChannelRegistry({
      fallback: createDemoDelivery({ ...options.demo, setStatus: options.setStatus, log: options.log }),
      resolve: (message) =>
        options.read(async (tx) => {
          const conversation = await tx.get('conversation', message.conversationId);
          const channel = conversation ? await tx.get('channel', conversation.channelId) : null;
          if (!conversation || !channel) return null;
          return { channel, to: conversation.customerAddress, config: parseProviderConfig(await tx.getProviderConfig(channel.id)) };
        }),
      hooks: { log: options.log },
    });
    this.policy = resolveSendWorkerPolicy(options.worker);
    // The only claimer (SQLite) takes back at start the leases a previous run left; on a shared database
    // (PostgreSQL) a lease of another owner may be a live instance's, so only expired ones are taken over.
    const queue = new StorageSendQueue(options.write, options.exclusiveClaimer);
    const owner = `send-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.worker = new SendWorker(queue, (message, signal) => this.sendOne(message, signal), this.policy, owner, options.clock, options.log);
  }

  /** Outbound messages on channels of `kind` go to `sender` instead, for the conversations `accepts`. */
  useFor(kind: ChannelKind, sender: OutboundSender, accepts: (conversation: EntityOf<'conversation'>) => boolean): void {
    this.routes.set(kind, { sender, accepts });
  }

  /** Starts the send worker: every unfinished job is picked up. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    return this.worker.start();
  }

  /** A transaction that wrote send jobs committed. */
  poke(): void {
    if (this.started) this.worker.poke();
  }

  /** Graceful: stop claiming, let provider calls finish for up to graceMs, record every answer. */
  async stop(graceMs: number): Promise<void> {
    if (!this.started) return;
    await this.worker.stop(graceMs);
    const w = this.worker.windowStats();
    if (w.settled > 0) {
      const p = (x: { p50Ms: number; p99Ms: number; maxMs: number }) => `p50 ${fmt(x.p50Ms)} ms, p99 ${fmt(x.p99Ms)} ms, max ${fmt(x.maxMs)} ms`;
      this.options.log(`send jobs: ${w.settled} acceptances recorded; provider answer → committed ${p(w.answered)}; call start → committed ${p(w.call)}`);
    }
  }

  windowStats(): SendWindowStats {
    return this.worker.windowStats();
  }

  /** Jobs being sent now. */
  get busy(): number {
    return this.worker.busy;
  }

  close(): void {
    void this.worker.stop(0);
    this.channels.close();
    for (const route of this.routes.values()) route.sender.close();
  }

  private async sendOne(message: EntityOf<'message'>, signal: AbortSignal): Promise<SendOutcome> {
    const decided = await this.options.read(async (tx): Promise<{ refused: string } | { sender: OutboundSender }> => {
      const conversation = await tx.get('conversation', message.conversationId);
      const channel = conversation ? await tx.get('channel', conversation.channelId) : null;
      if (!conversation || !channel) return { refused: 'The conversation or its channel no longer exists.' };
      // An automatic reply (HELP) answers the customer's own message: carriers require it whatever the opt-out.
      const refusal = message.authorType === 'system' ? null : await sendRefusal(tx, conversation, channel, { template: Boolean(message.template) }, this.options.clock());
      if (refusal) return { refused: refusal.message };
      const route = this.routes.get(channel.kind);
      return { sender: route && route.accepts(conversation) ? route.sender : this.channels };
    });
    if ('refused' in decided) return { kind: 'permanent', reason: decided.refused };
    return decided.sender.send(message, signal);
  }
}

const fmt = (ms: number) => (Math.round(ms * 100) / 100).toString();
