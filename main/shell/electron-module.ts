/**
 * The part of Electron's main-process API the shell uses, typed narrowly here
 * because the shell is written against an injected module: the real `electron`
 * (loaded only by electron-main.ts at runtime) or a fake in tests, where the
 * Electron binary cannot run. Names and signatures follow Electron 45.
 */

export interface ElectronEvent {
  preventDefault(): void;
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WebFrameMainLike {
  readonly url: string;
  readonly parent: WebFrameMainLike | null;
  readonly processId: number;
  readonly routingId: number;
}

/** `will-navigate` / `will-redirect`: Electron 45 puts the target on the event; the second argument is the legacy form. */
export interface NavigationEvent extends ElectronEvent {
  readonly url?: string;
}

export type WindowOpenResponse = { action: 'deny' } | { action: 'allow' };

export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: WebFrameMainLike;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: ElectronEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenResponse): void;
}

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  experimentalFeatures: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
}

export interface BrowserWindowOptions {
  x?: number;
  y?: number;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  webPreferences: WebPreferences;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rectangle;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close' | 'closed', listener: () => void): unknown;
}

export interface IpcMainInvokeEventLike {
  readonly sender: WebContentsLike;
  /** Null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: WebFrameMainLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface AppLike {
  readonly isPackaged: boolean;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  quit(): void;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  setBadgeCount(count: number): boolean;
  on(
    event: 'second-instance' | 'window-all-closed' | 'activate' | 'will-quit',
    listener: (event: ElectronEvent) => void,
  ): unknown;
  on(event: 'web-contents-created', listener: (event: ElectronEvent, contents: WebContentsLike) => void): unknown;
}

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which secret store backs the encryption key. */
  getSelectedStorageBackend?(): 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

/** The fourth argument of a permission request handler (Electron's PermissionRequest / MediaAccessPermissionRequest). */
export interface PermissionRequestDetails {
  /** The URL of the frame that asked. */
  readonly requestingUrl: string;
  readonly isMainFrame: boolean;
  /** 'media' (getUserMedia) only: what the page asks to capture. */
  readonly mediaTypes?: readonly ('audio' | 'video')[];
  /** 'media' only: the origin of the frame that asked. */
  readonly securityOrigin?: string;
}

export type ResponseHeaders = Record<string, string | string[]>;

export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: ResponseHeaders },
        callback: (response: { responseHeaders?: ResponseHeaders }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (webContents: WebContentsLike, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetails) => void,
  ): void;
}

export interface ProtocolLike {
  registerSchemesAsPrivileged(
    schemes: { scheme: string; privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean; corsEnabled: boolean } }[],
  ): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): boolean;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

export interface UtilityProcessModule {
  fork(modulePath: string, args: string[], options: { serviceName: string; stdio: 'pipe'; env?: NodeJS.ProcessEnv }): UtilityProcessLike;
}

export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}
export interface NotificationConstructor {
  new (options: { title: string; body: string }): NotificationLike;
  isSupported(): boolean;
}

export interface ElectronModule {
  /** Desktop notifications (SPEC §4); optional so that fakes without it still type-check. */
  Notification?: NotificationConstructor;
  app: AppLike;
  BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  safeStorage: SafeStorageLike;
  shell: ShellLike;
  session: { defaultSession: SessionLike };
  protocol: ProtocolLike;
  utilityProcess: UtilityProcessModule;
}
