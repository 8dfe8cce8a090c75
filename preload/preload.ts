import { exposeSwitchboardApi, type ContextBridgeLike, type IpcRendererLike } from './switchboard-api.ts';

// A sandboxed preload is CommonJS with a `require` that knows only a few modules,
// `electron` among them; the bundle (dist/preload/preload.cjs) keeps this call as is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const electron = require('electron') as { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike };

exposeSwitchboardApi(electron);
