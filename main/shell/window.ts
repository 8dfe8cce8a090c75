import { APP_START_URL, isAppUrl } from './app-origin.ts';
import type { BrowserWindowLike, BrowserWindowOptions, ElectronModule, Rectangle, ShellLike, WebContentsLike } from './electron-module.ts';

export const DEFAULT_BOUNDS = { width: 1280, height: 820 };
const MIN_SIZE = { width: 880, height: 560 };

/** The security-relevant options live here, in one place a test can read. */
export function mainWindowOptions(preloadPath: string, bounds: Rectangle | null): BrowserWindowOptions {
  return {
    ...(bounds ?? DEFAULT_BOUNDS),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    // Shown on ready-to-show, so the window never flashes an empty frame.
    show: false,
    title: 'Switchboard',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // A file dropped on the window would otherwise navigate away from the app.
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  };
}

/**
 * Links the person may open in their browser: http(s) to a named host, no
 * embedded credentials (which phishing uses to disguise the real host).
 * Returns the normalised URL to open, or null.
 */
export function vetExternalUrl(raw: string): string | null {
  if (raw.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  return url.href;
}

/**
 * Applied to every webContents the app creates: no navigation away from the
 * app, no new windows, no <webview>. Links meant for the outside world
 * (target=_blank) open in the person's browser once vetted.
 */
export function guardWebContents(contents: WebContentsLike, shell: ShellLike, log: (line: string) => void = () => {}): void {
  const blockForeignNavigation = (event: { preventDefault(): void; url?: string }, legacyUrl: string) => {
    const target = event.url ?? legacyUrl;
    if (!isAppUrl(target)) {
      event.preventDefault();
      log(`blocked navigation to ${target}`);
    }
  };
  contents.on('will-navigate', blockForeignNavigation);
  contents.on('will-redirect', blockForeignNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = vetExternalUrl(url);
    if (external) {
      shell.openExternal(external).catch((err: unknown) => log(`could not open ${external}: ${String(err)}`));
    } else {
      log(`refused to open ${url}`);
    }
    return { action: 'deny' };
  });
}

export interface MainWindowOptions {
  preloadPath: string;
  bounds: Rectangle | null;
  onBoundsChanged(bounds: Rectangle): void;
}

export function createMainWindow(electron: Pick<ElectronModule, 'BrowserWindow'>, options: MainWindowOptions): BrowserWindowLike {
  const window = new electron.BrowserWindow(mainWindowOptions(options.preloadPath, options.bounds));
  window.once('ready-to-show', () => window.show());
  // Normal bounds, so a maximised window reopens at its restored size.
  window.on('close', () => options.onBoundsChanged(window.getNormalBounds()));
  void window.loadURL(APP_START_URL);
  return window;
}
