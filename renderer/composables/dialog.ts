import { nextTick, onBeforeUnmount, onMounted, type Ref } from 'vue';
import { focusables, pushLayer } from './layers.ts';

/**
 * A modal dialog mounted with v-if: on mount it takes focus (the element marked [autofocus] or the first
 * field), keeps Tab inside, closes on Esc or a click on the backdrop, and on unmount gives focus back to
 * what had it before.
 */
export function useDialog(panel: Ref<HTMLElement | null>, close: () => void): void {
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  let removeLayer: (() => void) | null = null;
  onMounted(() => {
    removeLayer = pushLayer({
      contains: (node) => !!panel.value?.contains(node),
      dismiss: () => close(),
      trap: () => panel.value,
    });
    void nextTick(() => {
      const root = panel.value;
      if (!root || root.contains(document.activeElement)) return;
      (root.querySelector<HTMLElement>('[autofocus]') ?? focusables(root)[0] ?? root).focus();
    });
  });
  onBeforeUnmount(() => {
    removeLayer?.();
    if (returnTo?.isConnected) returnTo.focus();
  });
}
