import path from 'node:path';
import { createIpcRouter, type IpcEventSource, type IpcHandlers } from '../ipc-router.ts';
import { keepBadgeInSync } from './badge.ts';
import { APP_SCHEME_PRIVILEGES, applyContentSecurityPolicy, serveRendererOnAppScheme } from './csp.ts';
import type { BrowserWindowLike, ElectronModule } from './electron-module.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.ts';
import { forwardIpcEvents, registerIpcHandlers } from './ipc-bridge.ts';
import { electronNotifier, type ShellNotifier } from './notifier.ts';
import { callOpener } from './call-opener.ts';
import { Preferences, type KeyValueStore } from './preferences.ts';
import { SafeStorageTokenVault, type TokenVault } from './token-vault.ts';
import { SafeStorageCacheKeyVault } from './cache-key-vault.ts';
import type { CacheKeyVault } from '../core/cache-key-vault.ts';
import { createMainWindow, guardWebContents } from './window.ts';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4870';
const DEFAULT_SERVER_PORT = 4870;

/** What the shell needs of the client core (main/core/client-core.ts). */
export interface ShellCore {
  handlers: IpcHandlers;
  events: IpcEventSource;
  close(): Promise<void>;
}
export type CreateShellCore = (options: {
  dataDir: string;
  defaultServerUrl: string;
  tokenVault: TokenVault;
  cacheKeyVault: CacheKeyVault;
  log: (line: string) => void;
  /** Electron notifications; the core decides what to notify (main/core/notifications.ts). */
  notifier?: ShellNotifier;
  /** Calls (tel: / softphone), through shell.openExternal behind the allowlist of call-opener.ts. */
  openExternal?: (url: string) => Promise<void>;
}) => Promise<ShellCore>;

export interface ShellOptions {
  createCore: CreateShellCore;
  openPreferenceStore: () => Promise<KeyValueStore>;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  log: (line: string) => void;
}

/** Files of the app, relative to app.getAppPath() (the folder or asar holding package.json). */
export function appFiles(appPath: string) {
  return {
    rendererDir: path.join(appPath, 'dist', 'renderer'),
    preload: path.join(appPath, 'dist', 'preload', 'preload.cjs'),
    serverEntry: path.join(appPath, 'dist', 'server', 'server.mjs'),
  };
}

export interface RunningShell {
  window(): BrowserWindowLike | null;
  /** Resolves once the core is up and the window is loading. */
  ready: Promise<void>;
}

/**
 * The app's lifecycle. Returns null when another instance already runs (that
 * instance is focused instead).
 */
export function startElectronShell(electron: ElectronModule, options: ShellOptions): RunningShell | null {
  const { app } = electron;
  const { log } = options;
  // Must happen before `ready`.
  electron.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  let mainWindow: BrowserWindowLike | null = null;
  let core: ShellCore | null = null;
  let server: EmbeddedServer | null = null;
  const cleanups: (() => void)[] = [];

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, electron.shell, log));
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  const ready = (async () => {
    await app.whenReady();
    const files = appFiles(app.getAppPath());
    const userData = app.getPath('userData');
    applyContentSecurityPolicy(electron.session.defaultSession);
    serveRendererOnAppScheme(electron.protocol, files.rendererDir);
    const preferences = new Preferences(await options.openPreferenceStore());

    let serverUrl = options.env.SWITCHBOARD_SERVER_URL ?? null;
    if (!serverUrl && preferences.get('embeddedServer')) {
      try {
        server = await startEmbeddedServer(electron.utilityProcess, {
          serverEntry: files.serverEntry,
          dataDir: path.join(userData, 'server'),
          port: Number(options.env.SWITCHBOARD_PORT ?? DEFAULT_SERVER_PORT),
          demo: options.env.SWITCHBOARD_DEMO !== '0',
          log,
        });
        serverUrl = server.url;
      } catch (err) {
        log(`embedded server not started: ${String(err)}`);
      }
    }

    const tokenVault = new SafeStorageTokenVault(electron.safeStorage, path.join(userData, 'session.bin'), log, options.platform);
    core = await options.createCore({
      dataDir: userData,
      defaultServerUrl: serverUrl ?? preferences.get('serverAddress') ?? DEFAULT_SERVER_URL,
      tokenVault,
      cacheKeyVault: new SafeStorageCacheKeyVault(electron.safeStorage, path.join(userData, 'cache-keys.bin'), log, options.platform),
      log,
      notifier: electronNotifier(electron, () => mainWindow, log),
      openExternal: callOpener(electron.shell, log),
    });
    const router = createIpcRouter(core.handlers, (message, err) => log(`${message}: ${String(err)}`));
    const currentWindow = () => mainWindow;
    cleanups.push(registerIpcHandlers(electron.ipcMain, router, currentWindow, log));
    cleanups.push(forwardIpcEvents(core.events, currentWindow));
    cleanups.push(keepBadgeInSync(core.events, core.handlers['sidebar.get'], (n) => app.setBadgeCount(n), log));
    // The server someone last signed in to is the one the sign-in form offers next launch.
    cleanups.push(
      core.events.on('session', (session) => {
        if (session.status === 'signedIn' && session.serverUrl !== server?.url) preferences.set('serverAddress', session.serverUrl);
      }),
    );

    const openWindow = () => {
      mainWindow = createMainWindow(electron, {
        preloadPath: files.preload,
        bounds: preferences.get('windowBounds'),
        onBoundsChanged: (bounds) => preferences.set('windowBounds', bounds),
      });
      mainWindow.on('closed', () => (mainWindow = null));
    };
    openWindow();
    // macOS keeps the app running without windows; clicking the dock icon reopens one.
    app.on('activate', () => {
      if (!mainWindow) openWindow();
    });
  })();

  ready.catch((err: unknown) => {
    log(`Switchboard could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    app.quit();
  });

  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin') app.quit();
  });

  // Quit waits once for the core (outbox on disk, sockets closed) and the server; the second quit goes through.
  let shutDown = false;
  app.on('will-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    shutDown = true;
    void (async () => {
      for (const cleanup of cleanups.splice(0)) cleanup();
      await core?.close().catch((err: unknown) => log(`closing the client core failed: ${String(err)}`));
      await server?.close().catch((err: unknown) => log(`stopping the embedded server failed: ${String(err)}`));
      app.quit();
    })();
  });

  return { window: () => mainWindow, ready };
}
