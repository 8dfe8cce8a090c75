/** Keyboard shortcuts for frequent actions, listed in the '?' help overlay. */
export type ShortcutAction = 'next' | 'previous' | 'reply' | 'close' | 'assignToMe' | 'search' | 'dismiss' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  /** As shown in the overlay. */
  keys: string[];
  label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'next', keys: ['j'], label: 'Next conversation' },
  { action: 'previous', keys: ['k'], label: 'Previous conversation' },
  { action: 'reply', keys: ['r'], label: 'Reply (focus the composer)' },
  { action: 'close', keys: ['e'], label: 'Close the conversation (or reopen it)' },
  { action: 'assignToMe', keys: ['a'], label: 'Assign to me' },
  { action: 'search', keys: ['/', 'Ctrl K'], label: 'Search' },
  { action: 'dismiss', keys: ['Esc'], label: 'Close the open chat, dialog or this help' },
  { action: 'help', keys: ['?'], label: 'Show keyboard shortcuts' },
];

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/**
 * The action a key press asks for, or null. Letters never fire while typing
 * (in the composer, a form, the search box) or with a modifier held; Escape
 * always may. '/' and Ctrl+K are handled by the search box itself.
 */
export function shortcutFor(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'defaultPrevented'>): ShortcutAction | null {
  if (event.defaultPrevented) return null;
  if (event.key === 'Escape') return 'dismiss';
  if (event.ctrlKey || event.metaKey || event.altKey || isEditable(event.target)) return null;
  switch (event.key) {
    case 'j':
      return 'next';
    case 'k':
      return 'previous';
    case 'r':
      return 'reply';
    case 'e':
      return 'close';
    case 'a':
      return 'assignToMe';
    case '?':
      return 'help';
    default:
      return null;
  }
}
