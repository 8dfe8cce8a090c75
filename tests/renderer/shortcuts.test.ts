import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor } from '../../renderer/shortcuts.ts';

const key = (k: string, over: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null; defaultPrevented: boolean }> = {}) =>
  shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: null, defaultPrevented: false, ...over });

describe('keyboard shortcuts', () => {
  it('maps the frequent actions, and lists every action in the help overlay', () => {
    expect(['j', 'k', 'r', 'e', 'a', '?', 'Escape'].map((k) => key(k))).toEqual(['next', 'previous', 'reply', 'close', 'assignToMe', 'help', 'dismiss']);
    expect(key('x')).toBeNull();
    const listed = new Set(SHORTCUTS.map((s) => s.action));
    for (const action of ['next', 'previous', 'reply', 'close', 'assignToMe', 'search', 'dismiss', 'help']) expect(listed.has(action as never)).toBe(true);
  });

  it('letters never fire while typing or with a modifier; Escape always may', () => {
    const textarea = { tagName: 'TEXTAREA', isContentEditable: false } as unknown as EventTarget;
    expect(key('r', { target: textarea })).toBeNull();
    expect(key('j', { ctrlKey: true })).toBeNull();
    expect(key('Escape', { target: textarea })).toBe('dismiss');
    expect(key('j', { defaultPrevented: true })).toBeNull();
  });
});
