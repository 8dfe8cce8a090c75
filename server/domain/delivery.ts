import type { DeliveryStatus, EntityOf } from '../../protocol/domain.ts';

/** Hands outbound messages to a carrier. Real providers come later; the demo adapter fakes one. */
export interface DeliveryAdapter {
  deliver(message: EntityOf<'message'>): void;
  close(): void;
}

export interface DemoDeliveryOptions {
  sentAfterMs: number;
  deliveredAfterMs: number;
  /** Records a status change (with its change-log entry). */
  setStatus(messageId: string, status: DeliveryStatus): void;
  log(line: string): void;
}

/** queued → sent → delivered on short timers, as a provider's callbacks would. */
export function createDemoDelivery(options: DemoDeliveryOptions): DeliveryAdapter {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (ms: number, task: () => void) => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closed) return;
      try {
        task();
      } catch (err) {
        options.log(`demo delivery failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }, ms);
    timers.add(timer);
  };
  return {
    deliver(message) {
      later(options.sentAfterMs, () => {
        options.setStatus(message.id, 'sent');
        later(options.deliveredAfterMs, () => options.setStatus(message.id, 'delivered'));
      });
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
