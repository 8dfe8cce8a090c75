import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { WebchatPush } from '../../protocol/webchat.ts';
import type { DeliverToVisitor, RelayTarget, VisitorPush, VisitorRelay } from '../webchat/visitor-relay.ts';
import type { SharedRedis } from './redis-connection.ts';

/** What travels; anything else on these channels is ignored and logged (a boundary like any other). */
const Request = z.object({ id: z.string().min(1).max(64), replyTo: z.string().min(1).max(64), frame: WebchatPush });
const Reply = z.object({ id: z.string().min(1).max(64), sockets: z.number().int().nonnegative().max(10_000) });

interface Waiting {
  /** Instances that received the request (PUBLISH's answer); Infinity until it came. */
  expected: number;
  answered: number;
  sockets: number;
  finish(): void;
}

/**
 * The visitor relay over Redis pub/sub. An instance holding a visitor's socket subscribes to that visitor's
 * channel, so the subscription itself says where the visitor is: PUBLISH answers how many instances have them,
 * a visitor nobody has costs one round trip and no waiting, and each holder answers on the asker's reply
 * channel with how many sockets took the frame. An instance that dies between PUBLISH and its answer is waited
 * for at most `answerTimeoutMs`; the job then counts only the answers that came (a visitor with no socket left
 * gets the reply with their history when they return).
 */
export class RedisVisitorRelay implements VisitorRelay {
  private readonly instance = randomBytes(9).toString('base64url');
  private readonly replies: string;
  private readonly joined = new Map<string, { deliver: DeliverToVisitor; listener: (message: string) => void }>();
  private readonly waiting = new Map<string, Waiting>();
  private onReply: ((message: string) => void) | null = null;
  private failing = false;

  constructor(
    private readonly redis: SharedRedis,
    private readonly log: (line: string) => void,
    private readonly answerTimeoutMs = 2000,
  ) {
    this.replies = redis.key('webchat', 'reply', this.instance);
  }

  /** Subscribes to this instance's reply channel; before the first push. */
  async start(): Promise<void> {
    this.onReply = (message) => {
      const reply = parse(Reply, message);
      if (!reply) return this.log(`webchat relay: ignored a message that is not a reply on ${this.replies}`);
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return; // answered after its time ran out
      waiting.answered += 1;
      waiting.sockets += reply.sockets;
      if (waiting.answered >= waiting.expected) waiting.finish();
    };
    await this.redis.subscriber.subscribe(this.replies, this.onReply);
  }

  async join(target: RelayTarget, deliver: DeliverToVisitor): Promise<void> {
    const channel = this.channelOf(target);
    const joined = this.joined.get(channel);
    // Joined already (a subscription may still be on its way): the newest deliverer takes over.
    if (joined) return void (joined.deliver = deliver);
    const entry = {
      deliver,
      listener: (message: string) => {
        const request = parse(Request, message);
        if (!request) return this.log(`webchat relay: ignored a message that is not a push on ${channel}`);
        // Our own push comes back when we hold the visitor too: the asker delivered here already, so it counts 0.
        const sockets = request.replyTo === this.instance ? 0 : entry.deliver(request.frame);
        this.send(this.redis.key('webchat', 'reply', request.replyTo), JSON.stringify({ id: request.id, sockets }));
      },
    };
    this.joined.set(channel, entry);
    // Commands go out in the order they are issued: a leave right after this join still ends unsubscribed.
    // Failing (Redis down) is logged, not thrown: the visitor is still served by this instance's own pushes.
    await this.redis.subscriber.subscribe(channel, entry.listener).catch((err: unknown) => {
      this.joined.delete(channel);
      this.log(`webchat relay: could not listen for a visitor (${err instanceof Error ? err.message : String(err)}); other instances' replies reach them on their next visit`);
    });
  }

  async leave(target: RelayTarget): Promise<void> {
    const channel = this.channelOf(target);
    const joined = this.joined.get(channel);
    if (!joined) return;
    this.joined.delete(channel);
    await this.redis.subscriber.unsubscribe(channel, joined.listener).catch(() => {});
  }

  push(target: RelayTarget, frame: VisitorPush): Promise<number> {
    const id = randomBytes(9).toString('base64url');
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => waiting.finish(), this.answerTimeoutMs);
      const waiting: Waiting = {
        expected: Number.POSITIVE_INFINITY,
        answered: 0,
        sockets: 0,
        finish: () => {
          clearTimeout(timer);
          this.waiting.delete(id);
          resolve(waiting.sockets);
        },
      };
      // Registered before publishing: an answer can arrive before PUBLISH's own reply does.
      this.waiting.set(id, waiting);
      this.redis.client.publish(this.channelOf(target), JSON.stringify({ id, replyTo: this.instance, frame })).then(
        (receivers) => {
          this.failing = false;
          waiting.expected = receivers;
          if (waiting.answered >= receivers) waiting.finish();
        },
        (err: unknown) => {
          this.reportFailure(err);
          waiting.finish();
        },
      );
    });
  }

  async close(): Promise<void> {
    for (const waiting of [...this.waiting.values()]) waiting.finish();
    const subscriptions: Array<[string, (message: string) => void]> = [...this.joined.entries()].map(([channel, j]) => [channel, j.listener]);
    this.joined.clear();
    if (this.onReply) subscriptions.push([this.replies, this.onReply]);
    this.onReply = null;
    await Promise.all(subscriptions.map(([channel, listener]) => this.redis.subscriber.unsubscribe(channel, listener).catch(() => {})));
  }

  private channelOf(target: RelayTarget): string {
    return this.redis.key('webchat', 'visitor', target.channelId, target.handle);
  }

  private send(channel: string, message: string): void {
    this.redis.client.publish(channel, message).then(
      () => {
        this.failing = false;
      },
      (err: unknown) => this.reportFailure(err),
    );
  }

  /** One line per outage, not per message: the replies wait parked until the visitor comes back. */
  private reportFailure(err: unknown): void {
    if (!this.failing) this.log(`webchat relay: could not publish (${err instanceof Error ? err.message : String(err)}); replies for visitors on other instances wait for their return`);
    this.failing = true;
  }
}

function parse<T>(schema: z.ZodType<T>, message: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
