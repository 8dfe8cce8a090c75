import { ipcEventChannel, type NotificationPayload } from '../../protocol/ipc.ts';
import type { BrowserWindowLike, ElectronModule } from './electron-module.ts';

/** The core's Notifier (main/core/notifications.ts), structurally: the shell does not import the core. */
export interface ShellNotifier {
  notify(notification: NotificationPayload): void;
}

/**
 * SPEC §4 on the desktop: an Electron Notification; clicking it brings the
 * window back and asks the renderer to open what it points at (a conversation, chat, the queue status or the Queues view).
 */
export function electronNotifier(electron: Pick<ElectronModule, 'Notification'>, currentWindow: () => BrowserWindowLike | null, log: (line: string) => void = () => {}): ShellNotifier {
  return {
    notify(n) {
      const Notification = electron.Notification;
      if (!Notification || !Notification.isSupported()) return;
      try {
        const shown = new Notification({ title: n.title, body: n.body });
        shown.on('click', () => {
          const window = currentWindow();
          if (!window || window.isDestroyed()) return;
          if (window.isMinimized()) window.restore();
          window.focus();
          if (window.webContents.isDestroyed()) return;
          window.webContents.send(ipcEventChannel('openTarget'), n.target);
        });
        shown.show();
      } catch (err) {
        log(`notification not shown: ${String(err)}`);
      }
    },
  };
}
