import { computed, onBeforeUnmount, ref, type ComputedRef } from 'vue';
import { useOpenConversationStore } from '../stores/open-conversation.ts';

export interface WhatsappWindow {
  /** True when only an approved template can be sent (the customer last wrote over 24 hours ago). */
  closed: ComputedRef<boolean>;
  /** The one sentence that tells the agent where the window stands, or null for other channels. */
  notice: ComputedRef<string | null>;
}

export const WINDOW_CLOSED_NOTICE =
  'The 24-hour reply window is closed: only an approved template can be sent. Free-form replies open again when the customer writes.';

/**
 * WhatsApp's 24-hour reply window for the open conversation, re-evaluated every minute so "closes in" counts
 * down and the window closes on screen. The conversation banner says it; the composer only follows it.
 */
export function useWhatsappWindow(): WhatsappWindow {
  const open = useOpenConversationStore();
  const clock = ref(Date.now());
  const ticker = setInterval(() => (clock.value = Date.now()), 60_000);
  onBeforeUnmount(() => clearInterval(ticker));
  const closed = computed(() => {
    const w = open.detail?.whatsappWindow;
    return !!w && (w.closesAt === null || !w.open || w.closesAt <= clock.value);
  });
  const notice = computed(() => {
    const w = open.detail?.whatsappWindow;
    if (!w) return null;
    if (closed.value || w.closesAt === null) return WINDOW_CLOSED_NOTICE;
    const minutes = Math.max(1, Math.floor((w.closesAt - clock.value) / 60_000));
    const h = Math.floor(minutes / 60);
    return `Reply window open — closes in ${h > 0 ? `${h} h ` : ''}${minutes % 60} min`;
  });
  return { closed, notice };
}
