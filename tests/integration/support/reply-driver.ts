import { SYNC_LIMITS } from '../../../protocol/sync.ts';
import { SyncClient } from '../../server/support/sync-client.ts';

/**
 * Sends `count` replies (message.send, mutation ids 1..count) into one conversation as a client outbox
 * does: everything not acked yet goes again, in order, on every (re)connection, and the server's
 * exactly-once ledger answers the ones it had already applied.
 */
export class ReplyDriver {
  readonly acked = new Set<number>();
  readonly refused: string[] = [];
  private client: SyncClient | null = null;
  private read = 0;

  constructor(
    private readonly token: string,
    private readonly conversationId: string,
    readonly count: number,
  ) {}

  static messageId(i: number): string {
    return `msg_crash_${String(i).padStart(4, '0')}`;
  }

  get allAcked(): boolean {
    return this.acked.size === this.count;
  }

  /** Connects to `url`, catches up and sends every unacked reply. */
  async connect(url: string): Promise<void> {
    this.client?.close();
    const client = await SyncClient.connect(url);
    this.client = client;
    this.read = 0;
    await client.sync(this.token, { clientId: 'crash-driver' });
    const unacked = Array.from({ length: this.count }, (_, i) => i + 1).filter((i) => !this.acked.has(i));
    for (let i = 0; i < unacked.length; i += SYNC_LIMITS.maxMutationsPerFrame) {
      const mutations = unacked.slice(i, i + SYNC_LIMITS.maxMutationsPerFrame).map((id) => ({
        id,
        mutation: { name: 'message.send', args: { conversationId: this.conversationId, messageId: ReplyDriver.messageId(id), body: `Reply number ${id}` } },
      }));
      client.send({ type: 'mutate', mutations });
    }
  }

  /** Takes in the answers received so far. */
  collect(): void {
    const frames = this.client?.frames ?? [];
    for (; this.read < frames.length; this.read++) {
      const frame = frames[this.read];
      if (frame?.type !== 'mutationResult') continue;
      if (frame.result.ok) this.acked.add(frame.id);
      else this.refused.push(`${frame.id}: ${frame.result.code} ${frame.result.message}`);
    }
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }
}
