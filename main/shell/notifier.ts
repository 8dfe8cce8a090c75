import { ipcEventChannel, type NotificationPayload } from '../../protocol/ipc.ts';
import type { BrowserWindowLike, ElectronModule } from './electron-module.ts';

/** The core's Notifier (main/core/notifications.ts), structurally: the shell does not import the core. */
export interface ShellNotifier {
  notify(notification: NotificationPayload): void;
}

/**
 * SPEC §4 on the desktop: an Electron Notification; clicking it brings the
 * window back and asks the renderer to open the conversation (or chat).
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
          if (n.target.kind === 'conversation') window.webContents.send(ipcEventChannel('openConversation'), { conversationId: n.target.conversationId });
          else window.webContents.send(ipcEventChannel('openChat'), { chatId: n.target.chatId });
        });
        shown.show();
      } catch (err) {
        log(`notification not shown: ${String(err)}`);
      }
    },
  };
}
