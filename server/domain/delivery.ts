import type { DeliveryStatus, EntityOf } from '../../protocol/domain.ts';
import type { SendOutcome } from './send-retry.ts';

/**
 * Hands one outbound message to a carrier (a channel adapter, the web chat socket, the demo) when its send
 * job runs, and resolves with the answer; never throws.
 */
export interface OutboundSender {
  send(message: EntityOf<'message'>, signal: AbortSignal): Promise<SendOutcome>;
  close(): void;
}

export interface DemoDeliveryOptions {
  sentAfterMs: number;
  deliveredAfterMs: number;
  /** Records a status change (with its change-log entry), as a provider's callback would. */
  setStatus(messageId: string, status: DeliveryStatus): Promise<void>;
  log(line: string): void;
}

/** A provider without one: `sent` after sentAfterMs (the job's answer), `delivered` a moment later (a callback). */
export function createDemoDelivery(options: DemoDeliveryOptions): OutboundSender {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const callbackLater = (messageId: string) => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closed) return;
      // A timer: a failure (a closing database) is logged, never an unhandled rejection.
      options.setStatus(messageId, 'delivered').catch((err: unknown) => {
        options.log(`demo delivery failed: ${err instanceof Error ? err.stack : String(err)}`);
      });
    }, options.deliveredAfterMs);
    timers.add(timer);
  };
  return {
    async send(message, signal) {
      const answered = await new Promise<boolean>((resolve) => {
        if (signal.aborted) return resolve(false);
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', stop);
          resolve(true);
        }, options.sentAfterMs);
        const stop = () => {
          clearTimeout(timer);
          resolve(false);
        };
        signal.addEventListener('abort', stop, { once: true });
      });
      if (!answered) return { kind: 'transient', reason: 'The demo delivery was interrupted', retryAfterMs: null };
      callbackLater(message.id);
      return { kind: 'accepted', providerId: null, status: 'sent' };
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
