import type { SwitchboardApi } from '../../protocol/ipc.ts';
import { createBrowserHostClient, hostSocketUrl } from './browser-host-client.ts';

let current: SwitchboardApi | null = null;

/**
 * The one way the renderer reaches the app: Electron's preload puts the API on `window.switchboard`;
 * without it we are in the browser host and speak the same contract over its local websocket.
 */
export function getApi(): SwitchboardApi {
  if (!current) current = window.switchboard ?? createBrowserHostClient({ url: hostSocketUrl(window.location) });
  return current;
}

/** Tests (and only tests) hand the stores a fake. */
export function setApi(api: SwitchboardApi | null): void {
  current = api;
}
