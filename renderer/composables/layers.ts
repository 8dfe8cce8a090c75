/**
 * One stack of open layers (menus, popovers, dialogs). Only the top layer hears Esc and clicks outside it,
 * so a menu inside a dialog closes before the dialog does. A layer with `trap` keeps Tab inside it (dialogs).
 */

export type DismissReason = 'escape' | 'outside';

export interface Layer {
  /** Whether a node belongs to the layer (its panel, and the button that opened it). */
  contains(node: Node): boolean;
  dismiss(reason: DismissReason): void;
  trap?: () => HTMLElement | null;
}

const stack: Layer[] = [];

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
}

function keepTabInside(event: KeyboardEvent, root: HTMLElement): void {
  const items = focusables(root);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) {
    event.preventDefault();
    return;
  }
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !root.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !root.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

function onKeydown(event: KeyboardEvent): void {
  const top = stack[stack.length - 1];
  if (!top) return;
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    top.dismiss('escape');
  } else if (event.key === 'Tab') {
    const root = top.trap?.();
    if (root) keepTabInside(event, root);
  }
}

function onPointerDown(event: PointerEvent): void {
  const top = stack[stack.length - 1];
  if (top && event.target instanceof Node && !top.contains(event.target)) top.dismiss('outside');
}

/** Opens a layer on top; the returned function removes it (whatever its position). */
export function pushLayer(layer: Layer): () => void {
  if (stack.length === 0) {
    window.addEventListener('keydown', onKeydown, true);
    window.addEventListener('pointerdown', onPointerDown, true);
  }
  stack.push(layer);
  return () => {
    const at = stack.indexOf(layer);
    if (at >= 0) stack.splice(at, 1);
    if (stack.length === 0) {
      window.removeEventListener('keydown', onKeydown, true);
      window.removeEventListener('pointerdown', onPointerDown, true);
    }
  };
}

export function hasOpenLayer(): boolean {
  return stack.length > 0;
}
