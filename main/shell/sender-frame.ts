import { isAppUrl } from './app-origin.ts';
import type { BrowserWindowLike, IpcMainInvokeEventLike } from './electron-module.ts';

/**
 * Every IPC call must come from the main frame of our own window, showing our
 * own app:// page. An iframe, a page that navigated elsewhere, or any other
 * webContents is refused, whatever it sends.
 */
export function isTrustedSender(event: IpcMainInvokeEventLike, window: BrowserWindowLike | null): boolean {
  if (!window || window.isDestroyed()) return false;
  const frame = event.senderFrame;
  if (!frame) return false;
  if (event.sender !== window.webContents) return false;
  const main = window.webContents.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isAppUrl(frame.url);
}
