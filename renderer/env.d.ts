import type { SwitchboardApi } from '../protocol/ipc.ts';

declare global {
  interface Window {
    /** Put there by preload/ in Electron; absent in the browser host, where api/browser-host-client.ts stands in. */
    switchboard?: SwitchboardApi;
  }
}

export {};
