import {
  IPC_EVENTS,
  IPC_METHODS,
  ipcEventChannel,
  ipcInvokeChannel,
  type IpcEvent,
  type IpcMethod,
  type IpcResult,
  type SwitchboardApi,
} from '../protocol/ipc.ts';

/** The part of Electron's renderer-side `ipcRenderer` this bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}
export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

const methods: ReadonlySet<string> = new Set(IPC_METHODS);
const events: ReadonlySet<string> = new Set(IPC_EVENTS);

/**
 * `window.switchboard`: exactly the contract's methods and events, on the
 * channel names the protocol declares. The page never gets `ipcRenderer`, an
 * IPC event object, or a way to name an arbitrary channel.
 */
export function createSwitchboardApi(ipcRenderer: IpcRendererLike): SwitchboardApi {
  const api = {
    async invoke(method: IpcMethod, input: unknown): Promise<IpcResult<unknown>> {
      if (typeof method !== 'string' || !methods.has(method)) {
        return { ok: false, error: { code: 'invalid', message: `unknown method ${String(method)}` } };
      }
      try {
        return (await ipcRenderer.invoke(ipcInvokeChannel(method), input)) as IpcResult<unknown>;
      } catch {
        // Only if main has no handler yet (still starting) or is going away.
        return { ok: false, error: { code: 'unavailable', message: 'The app is not ready; try again in a moment.' } };
      }
    },
    on(event: IpcEvent, listener: (payload: unknown) => void): () => void {
      if (typeof event !== 'string' || !events.has(event)) throw new Error(`unknown event ${String(event)}`);
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      // Drop Electron's event argument: it carries `sender`, a handle back into IPC.
      const forward = (_event: unknown, payload: unknown) => listener(payload);
      const channel = ipcEventChannel(event);
      ipcRenderer.on(channel, forward);
      return () => {
        ipcRenderer.removeListener(channel, forward);
      };
    },
  };
  // The generic signatures of SwitchboardApi are checked at the renderer; here the names are checked at run time.
  return api as SwitchboardApi;
}

export function exposeSwitchboardApi(electron: { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike }): void {
  electron.contextBridge.exposeInMainWorld('switchboard', createSwitchboardApi(electron.ipcRenderer));
}
