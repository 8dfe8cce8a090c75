import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CommitPokes } from '../domain/commit-pokes.ts';
import type { SharedRedis } from './redis-connection.ts';

/** What goes over the channel; anything else on it is ignored (it is a boundary like any other). */
const Poke = z.object({ from: z.string().min(1).max(64), head: z.number().int().nonnegative() });

/**
 * Commit pokes over Redis pub/sub, on the instance's subscriber connection (one subscription per instance,
 * re-made by the client after a reconnect). Pub/sub is fire and forget: a poke sent while this instance was
 * disconnected is not replayed, which is why the periodic check stays.
 */
export class RedisCommitPokes implements CommitPokes {
  /** Tells this instance's own pokes apart when they come back on the channel. */
  private readonly instance = randomBytes(9).toString('base64url');
  private readonly channel: string;
  private publishFailing = false;
  private subscribed: ((message: string) => void) | null = null;

  constructor(
    private readonly redis: SharedRedis,
    private readonly log: (line: string) => void,
  ) {
    this.channel = redis.key('change-log');
  }

  /** Resolves once published or reported (admin commands wait for it before they disconnect); never rejects. */
  publish(head: number): Promise<void> {
    // Called from the feed's synchronous emit: a failure must become a log line, never a throw.
    return Promise.resolve()
      .then(() => this.redis.client.publish(this.channel, JSON.stringify({ from: this.instance, head })))
      .then(
      () => {
        if (this.publishFailing) this.log('commit pokes: publishing again');
        this.publishFailing = false;
      },
      (err: unknown) => {
        // One line per outage, not per commit; the other instances catch up by their periodic check.
        if (!this.publishFailing) this.log(`commit pokes: could not publish (${err instanceof Error ? err.message : String(err)}); other instances catch up by their periodic check`);
        this.publishFailing = true;
      },
    );
  }

  async subscribe(listener: (head: number) => void): Promise<void> {
    if (this.subscribed) throw new Error('commit pokes: one subscription per instance');
    this.subscribed = (message: string) => {
      let poke: z.infer<typeof Poke>;
      try {
        poke = Poke.parse(JSON.parse(message));
      } catch {
        this.log(`commit pokes: ignored a message that is not a poke on ${this.channel}`);
        return;
      }
      if (poke.from !== this.instance) listener(poke.head);
    };
    await this.redis.subscriber.subscribe(this.channel, this.subscribed);
  }

  async close(): Promise<void> {
    if (!this.subscribed) return;
    const listener = this.subscribed;
    this.subscribed = null;
    await this.redis.subscriber.unsubscribe(this.channel, listener).catch(() => {});
  }
}
