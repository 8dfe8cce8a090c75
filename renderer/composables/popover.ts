import { nextTick, onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { focusables, pushLayer, type DismissReason } from './layers.ts';

export interface Popover {
  open: Ref<boolean>;
  /** Bind to the button that opens it (ref="popover.trigger" via a function ref or a plain ref). */
  trigger: Ref<HTMLElement | null>;
  /** Bind to the floating panel. */
  panel: Ref<HTMLElement | null>;
  show(): void;
  toggle(): void;
  /** Closes; focus goes back to where it was before opening unless `restoreFocus` is false. */
  close(restoreFocus?: boolean): void;
}

export interface PopoverOptions {
  /** Move focus into the panel when it opens (menus, pickers); off for popovers that keep typing focus. */
  focusFirst?: boolean | (() => HTMLElement | null | undefined);
  onClose?: (reason: DismissReason | 'closed') => void;
}

/**
 * Menus and popovers: Esc or a click outside closes them, Esc (and choosing) returns focus where it came
 * from. A click outside leaves focus where that click put it.
 */
export function usePopover(options: PopoverOptions = {}): Popover {
  const open = ref(false);
  const trigger = ref<HTMLElement | null>(null);
  const panel = ref<HTMLElement | null>(null);
  let returnTo: HTMLElement | null = null;
  let removeLayer: (() => void) | null = null;

  function finish(reason: DismissReason | 'closed', restoreFocus: boolean): void {
    if (!open.value) return;
    open.value = false;
    if (restoreFocus) (returnTo?.isConnected ? returnTo : trigger.value)?.focus();
    returnTo = null;
    options.onClose?.(reason);
  }

  watch(open, (isOpen) => {
    removeLayer?.();
    removeLayer = null;
    if (!isOpen) return;
    removeLayer = pushLayer({
      contains: (node) => !!(panel.value?.contains(node) || trigger.value?.contains(node)),
      dismiss: (reason) => finish(reason, reason === 'escape'),
    });
    if (options.focusFirst) {
      void nextTick(() => {
        const chosen = typeof options.focusFirst === 'function' ? options.focusFirst() : null;
        (chosen ?? (panel.value ? focusables(panel.value)[0] : null))?.focus();
      });
    }
  });
  onBeforeUnmount(() => removeLayer?.());

  function show(): void {
    if (open.value) return;
    returnTo = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : trigger.value;
    open.value = true;
  }
  return {
    open,
    trigger,
    panel,
    show,
    toggle: () => (open.value ? finish('closed', true) : show()),
    close: (restoreFocus = true) => finish('closed', restoreFocus),
  };
}
