import { describe, expect, it } from 'vitest';
import type { SidebarView } from '../../../protocol/ipc.ts';
import { IpcEventHub } from '../../../main/ipc-router.ts';
import { keepBadgeInSync } from '../../../main/shell/badge.ts';
import { PREFERENCE_DEFAULTS, Preferences } from '../../../main/shell/preferences.ts';

function mapStore(initial: Record<string, unknown> = {}) {
  const map = new Map(Object.entries(initial));
  return { get: (key: string) => map.get(key), set: (key: string, value: unknown) => void map.set(key, value), map };
}

describe('Preferences', () => {
  it('returns defaults for missing or malformed values', () => {
    const prefs = new Preferences(mapStore({ windowBounds: { x: 'a' }, serverAddress: 'ftp://x', muted: 'yes' }));
    expect(prefs.get('windowBounds')).toBe(PREFERENCE_DEFAULTS.windowBounds);
    expect(prefs.get('serverAddress')).toBeNull();
    expect(prefs.get('muted')).toBe(false);
    expect(prefs.get('embeddedServer')).toBe(true);
  });

  it('stores valid values and refuses invalid ones', () => {
    const store = mapStore();
    const prefs = new Preferences(store);
    prefs.set('windowBounds', { x: 1, y: 2, width: 900, height: 600 });
    prefs.set('serverAddress', 'https://switchboard.northwind.example');
    expect(prefs.get('windowBounds')).toEqual({ x: 1, y: 2, width: 900, height: 600 });
    expect(prefs.get('serverAddress')).toBe('https://switchboard.northwind.example');
    expect(() => prefs.set('serverAddress', 'javascript:alert(1)')).toThrow();
  });
});

describe('unread badge', () => {
  const view = (unreadTotal: number): SidebarView => ({ inboxes: [], chats: [], unreadTotal });

  it('follows the sidebar unread total when it changes, and clears on sign-out', async () => {
    const events = new IpcEventHub();
    const badge: number[] = [];
    let unread = 3;
    keepBadgeInSync(events, async () => view(unread), (n) => badge.push(n));
    events.emit('changed', { sidebar: true, conversationList: false, conversations: [] });
    await new Promise((resolve) => setImmediate(resolve));
    unread = 5;
    events.emit('changed', { sidebar: false, conversationList: true, conversations: [] });
    events.emit('session', { status: 'signedOut', serverUrl: 'http://x', reason: null });
    expect(badge).toEqual([3, 0]);
  });

  it('re-reads once more when a change arrives during a read', async () => {
    const events = new IpcEventHub();
    const badge: number[] = [];
    let release: () => void = () => {};
    let reads = 0;
    keepBadgeInSync(
      events,
      () => {
        reads += 1;
        return reads === 1 ? new Promise<SidebarView>((resolve) => (release = () => resolve(view(1)))) : view(2);
      },
      (n) => badge.push(n),
    );
    events.emit('changed', { sidebar: true, conversationList: false, conversations: [] });
    events.emit('changed', { sidebar: true, conversationList: false, conversations: [] });
    events.emit('changed', { sidebar: true, conversationList: false, conversations: [] });
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(badge).toEqual([1, 2]);
    expect(reads).toBe(2);
  });
});
