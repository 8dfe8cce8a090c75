/**
 * A FAKE `electron` main-process module. The Electron binary cannot be
 * installed or run on this machine, so the shell is written against an
 * injected ElectronModule and these tests drive it with this stand-in, which
 * records what the shell asks of Electron and lets a test fire Electron's events.
 */
import type {
  AppLike,
  BrowserWindowLike,
  BrowserWindowOptions,
  ElectronEvent,
  ElectronModule,
  IpcMainInvokeEventLike,
  NavigationEvent,
  Rectangle,
  ResponseHeaders,
  SafeStorageLike,
  UtilityProcessLike,
  WebContentsLike,
  WebFrameMainLike,
  WindowOpenResponse,
} from '../../../main/shell/electron-module.ts';

type Listener = (...args: never[]) => unknown;

class Emitter {
  private listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

let nextId = 1;

export function fakeFrame(url: string, parent: WebFrameMainLike | null = null, processId = 1, routingId = nextId++): WebFrameMainLike {
  return { url, parent, processId, routingId };
}

export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextId++;
  mainFrame: WebFrameMainLike;
  sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => WindowOpenResponse) | null = null;
  constructor(url = 'app://switchboard/') {
    super();
    this.mainFrame = fakeFrame(url);
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenResponse): void {
    this.windowOpenHandler = handler;
  }
  /** Fires will-navigate the way Electron 45 does; returns whether the shell prevented it. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    let prevented = false;
    const navigation: NavigationEvent = { url, preventDefault: () => (prevented = true) };
    this.emit(event, navigation, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends Emitter implements BrowserWindowLike {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: string[] = [];
  shown = false;
  focused = false;
  destroyed = false;
  constructor(readonly options: BrowserWindowOptions) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rectangle {
    return { x: this.options.x ?? 0, y: this.options.y ?? 0, width: this.options.width, height: this.options.height };
  }
}

/** Encrypts by reversing and base64-encoding with a marker: enough to prove nothing is stored as given. */
export class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend: ReturnType<NonNullable<SafeStorageLike['getSelectedStorageBackend']>> = 'gnome_libsecret';
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('encryption is not available');
    return Buffer.from(`FAKE-ENC:${Buffer.from([...plainText].reverse().join('')).toString('base64')}`);
  }
  decryptString(encrypted: Buffer): string {
    const text = encrypted.toString();
    if (!text.startsWith('FAKE-ENC:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return [...Buffer.from(text.slice('FAKE-ENC:'.length), 'base64').toString()].reverse().join('');
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
}

export function fakeInvokeEvent(sender: WebContentsLike, senderFrame: WebFrameMainLike | null = sender.mainFrame): IpcMainInvokeEventLike {
  return { sender, senderFrame };
}

export function createFakeElectron(options: { userData: string; appPath: string; singleInstance?: boolean }) {
  FakeBrowserWindow.created = [];
  const appEvents = new Emitter();
  const handlers = new Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown>();
  const headerListeners: Parameters<ElectronModule['session']['defaultSession']['webRequest']['onHeadersReceived']>[0][] = [];
  const permissionHandlers: Parameters<ElectronModule['session']['defaultSession']['setPermissionRequestHandler']>[0][] = [];
  const schemes: Parameters<ElectronModule['protocol']['registerSchemesAsPrivileged']>[0] = [];
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  const opened: string[] = [];
  const forks: { modulePath: string; args: string[] }[] = [];
  const record = {
    quitCalls: 0,
    badge: [] as number[],
    handlers,
    headerListeners,
    permissionHandlers,
    schemes,
    protocolHandlers,
    opened,
    forks,
  };

  const app: AppLike & { emit(event: string, ...args: unknown[]): void } = {
    isPackaged: false,
    requestSingleInstanceLock: () => options.singleInstance ?? true,
    whenReady: async () => {},
    quit: () => {
      record.quitCalls += 1;
    },
    getPath: () => options.userData,
    getAppPath: () => options.appPath,
    setBadgeCount: (count: number) => {
      record.badge.push(count);
      return true;
    },
    on: (event: string, listener: Listener) => appEvents.on(event, listener),
    emit: (event: string, ...args: unknown[]) => appEvents.emit(event, ...args),
  };

  const electron: ElectronModule = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle: (channel, listener) => {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel) => void handlers.delete(channel),
    },
    safeStorage: new FakeSafeStorage(),
    shell: {
      openExternal: async (url) => {
        opened.push(url);
      },
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (listener) => void headerListeners.push(listener) },
        setPermissionRequestHandler: (handler) => void permissionHandlers.push(handler),
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (list) => void schemes.push(...list),
      handle: (scheme, handler) => void protocolHandlers.set(scheme, handler),
    },
    utilityProcess: {
      fork: (modulePath, args): UtilityProcessLike => {
        forks.push({ modulePath, args });
        return { pid: 1, stdout: null, stderr: null, kill: () => true, once: () => undefined };
      },
    },
  };

  /** Runs the onHeadersReceived listener the shell installed, as Electron would for a response. */
  function receiveHeaders(url: string, responseHeaders: ResponseHeaders): ResponseHeaders {
    let result: ResponseHeaders = {};
    for (const listener of headerListeners) listener({ url, responseHeaders }, (response) => (result = response.responseHeaders ?? {}));
    return result;
  }

  return { electron, app, record, receiveHeaders };
}

export type { ElectronEvent };
