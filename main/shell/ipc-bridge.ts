import { IPC_EVENTS, IPC_METHODS, ipcEventChannel, ipcInvokeChannel, type IpcResult } from '../../protocol/ipc.ts';
import type { IpcEventSource, IpcRouter } from '../ipc-router.ts';
import type { BrowserWindowLike, IpcMainLike } from './electron-module.ts';
import { isTrustedSender } from './sender-frame.ts';

const FORBIDDEN: IpcResult<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'This request did not come from the Switchboard window.' },
};

/**
 * One `ipcMain.handle` per method of the contract, each checking the sender
 * frame before the router validates the input. Returns an unregister function.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  router: IpcRouter,
  currentWindow: () => BrowserWindowLike | null,
  log: (line: string) => void = () => {},
): () => void {
  for (const method of IPC_METHODS) {
    ipcMain.handle(ipcInvokeChannel(method), (event, input) => {
      if (!isTrustedSender(event, currentWindow())) {
        log(`refused ${method} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        return FORBIDDEN;
      }
      return router.call(method, input);
    });
  }
  return () => {
    for (const method of IPC_METHODS) ipcMain.removeHandler(ipcInvokeChannel(method));
  };
}

/** Core events go to our window only, on the channel names declared in the protocol. */
export function forwardIpcEvents(events: IpcEventSource, currentWindow: () => BrowserWindowLike | null): () => void {
  const unsubscribers = IPC_EVENTS.map((event) =>
    events.on(event, (payload) => {
      const window = currentWindow();
      if (window && !window.isDestroyed() && !window.webContents.isDestroyed()) {
        window.webContents.send(ipcEventChannel(event), payload);
      }
    }),
  );
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
