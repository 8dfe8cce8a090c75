import { createClientCore } from '../core/client-core.ts';
import { startElectronShell } from './app-shell.ts';
import type { ElectronModule } from './electron-module.ts';
import type { KeyValueStore } from './preferences.ts';

/**
 * The Electron entry (bundled by scripts/build-electron.ts to
 * dist/main/electron-main.cjs). The only place the real `electron` module is
 * loaded: everything else receives it, so it can be tested with a fake.
 */

// `require`, not a static import: electron exists only inside the Electron
// runtime (and its types only when the optional dependency installed), and
// the bundle is CommonJS, where esbuild leaves this call to Electron.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const electron = require('electron') as ElectronModule;

async function openPreferenceStore(): Promise<KeyValueStore> {
  // electron-store imports electron itself, so it is loaded only here, too.
  const { default: ElectronStore } = await import('electron-store');
  return new ElectronStore({ name: 'preferences' });
}

startElectronShell(electron, {
  createCore: createClientCore,
  openPreferenceStore,
  env: process.env,
  platform: process.platform,
  log: (line) => console.log(`[switchboard] ${line}`),
});
