import { describe, expect, it } from 'vitest';
import { ipcEventChannel } from '../../../protocol/ipc.ts';
import type { NotificationConstructor, NotificationLike } from '../../../main/shell/electron-module.ts';
import { electronNotifier } from '../../../main/shell/notifier.ts';
import { FakeBrowserWindow } from './fake-electron.ts';

/** A stand-in for Electron's Notification class that records what was shown. */
function fakeNotificationClass(supported = true): { Notification: NotificationConstructor; shown: { title: string; body: string; click(): void }[] } {
  const shown: { title: string; body: string; click(): void }[] = [];
  class FakeNotification implements NotificationLike {
    private onClick: () => void = () => {};
    constructor(private readonly options: { title: string; body: string }) {}
    static isSupported(): boolean {
      return supported;
    }
    on(_event: 'click', listener: () => void): this {
      this.onClick = listener;
      return this;
    }
    show(): void {
      shown.push({ ...this.options, click: () => this.onClick() });
    }
  }
  return { Notification: FakeNotification, shown };
}

describe('Electron notifier (SPEC §4)', () => {
  it('shows a desktop notification; a click focuses the window and opens the conversation', () => {
    const { Notification, shown } = fakeNotificationClass();
    const window = new FakeBrowserWindow({} as never);
    const notifier = electronNotifier({ Notification }, () => window);
    notifier.notify({ id: 'message:m1', title: 'Ana · Sales', body: 'Hello', target: { kind: 'conversation', conversationId: 'c1' } });
    expect(shown.map((n) => [n.title, n.body])).toEqual([['Ana · Sales', 'Hello']]);
    expect(window.focused).toBe(false);
    shown[0]?.click();
    expect(window.focused).toBe(true);
    expect(window.webContents.sent).toEqual([{ channel: ipcEventChannel('openTarget'), args: [{ kind: 'conversation', conversationId: 'c1' }] }]);
  });

  it('a chat notification opens the chat; nothing happens where notifications are unsupported', () => {
    const { Notification, shown } = fakeNotificationClass();
    const window = new FakeBrowserWindow({} as never);
    electronNotifier({ Notification }, () => window).notify({ id: 'chatMessage:x', title: 'Maya', body: 'Hi', target: { kind: 'chat', chatId: 'chat_1' } });
    shown[0]?.click();
    expect(window.webContents.sent).toEqual([{ channel: ipcEventChannel('openTarget'), args: [{ kind: 'chat', chatId: 'chat_1' }] }]);

    // Routing's notices point at the queue status popover or the Queues view: the same one event carries them.
    electronNotifier({ Notification }, () => window).notify({ id: 'notice:n', title: 'You were logged out of Billing', body: '3 offers in a row timed out.', target: { kind: 'queueStatus' } });
    shown[1]?.click();
    expect(window.webContents.sent[1]).toEqual({ channel: ipcEventChannel('openTarget'), args: [{ kind: 'queueStatus' }] });

    const unsupported = fakeNotificationClass(false);
    electronNotifier({ Notification: unsupported.Notification }, () => window).notify({ id: 'n', title: 't', body: 'b', target: { kind: 'chat', chatId: 'c' } });
    expect(unsupported.shown).toEqual([]);
    expect(() => electronNotifier({}, () => window).notify({ id: 'n', title: 't', body: 'b', target: { kind: 'chat', chatId: 'c' } })).not.toThrow();
  });
});
