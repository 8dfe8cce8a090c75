import type { z } from 'zod';
import type { WebchatPush } from '../../protocol/webchat.ts';

/** A pushed message for a visitor's sockets (the only frame that crosses instances). */
export type VisitorPush = z.infer<typeof WebchatPush>;

/** One visitor of one widget channel: where their sockets are is what the relay finds out. */
export interface RelayTarget {
  channelId: string;
  handle: string;
}

/** Hands a frame to this instance's sockets of the visitor; returns how many took it. */
export type DeliverToVisitor = (frame: VisitorPush) => number;

/**
 * Web chat visitor delivery across server instances (issue 9 §3). An agent's reply is sent by whichever instance's
 * send worker claims its job, while the visitor's socket may be open on another; the hub asks the relay to push
 * it there, and the answer (how many sockets took it) comes back so the job settles as sent, or stays parked
 * (`held`) when no instance has the visitor. The widget's ack is a database write, seen by every instance.
 *
 * app.ts picks the implementation: in-process (one server, or instances in one test process on a shared bus),
 * or Redis pub/sub (server/shared-state/redis-visitor-relay.ts).
 */
export interface VisitorRelay {
  /** From now on, pushes from other instances for this visitor reach `deliver`. Resolves once they can. */
  join(target: RelayTarget, deliver: DeliverToVisitor): Promise<void>;
  /** This instance has no socket of the visitor any more. */
  leave(target: RelayTarget): Promise<void>;
  /** Pushes to the visitor's sockets on the other instances; resolves with how many took it (0 if none could). Never rejects. */
  push(target: RelayTarget, frame: VisitorPush): Promise<number>;
  close(): Promise<void>;
}

const keyOf = (t: RelayTarget) => `${t.channelId}\n${t.handle}`;

/** Relays among the instances of one process that share `bus`; by default a bus of one, where nobody else listens. */
export class InProcessVisitorRelay implements VisitorRelay {
  private readonly joined = new Map<string, DeliverToVisitor>();

  constructor(private readonly bus: Set<InProcessVisitorRelay> = new Set()) {
    bus.add(this);
  }

  async join(target: RelayTarget, deliver: DeliverToVisitor): Promise<void> {
    this.joined.set(keyOf(target), deliver);
  }

  async leave(target: RelayTarget): Promise<void> {
    this.joined.delete(keyOf(target));
  }

  async push(target: RelayTarget, frame: VisitorPush): Promise<number> {
    let sockets = 0;
    for (const other of this.bus) if (other !== this) sockets += other.joined.get(keyOf(target))?.(frame) ?? 0;
    return sockets;
  }

  async close(): Promise<void> {
    this.bus.delete(this);
    this.joined.clear();
  }
}
