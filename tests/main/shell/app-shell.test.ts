// Runs against the FAKE electron module (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IPC_METHODS, ipcInvokeChannel } from '../../../protocol/ipc.ts';
import { startElectronShell, type CreateShellCore } from '../../../main/shell/app-shell.ts';
import { SafeStorageTokenVault } from '../../../main/shell/token-vault.ts';
import { SafeStorageCacheKeyVault } from '../../../main/shell/cache-key-vault.ts';
import { fakeCore } from '../hosts/fake-core.ts';
import { FakeBrowserWindow, createFakeElectron, fakeInvokeEvent } from './fake-electron.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function launch(options: { singleInstance?: boolean; env?: NodeJS.ProcessEnv; prefs?: Record<string, unknown> } = {}) {
  const fake = createFakeElectron({ userData: path.join(dir, 'userData'), appPath: path.join(dir, 'app'), singleInstance: options.singleInstance });
  const core = fakeCore({ 'sidebar.get': () => ({ inboxes: [], chats: [], unreadTotal: 4 }) });
  let closed = 0;
  const coreOptions: Parameters<CreateShellCore>[0][] = [];
  const createCore: CreateShellCore = async (o) => {
    coreOptions.push(o);
    return { handlers: core.handlers, events: core.events, close: async () => void (closed += 1) };
  };
  const lines: string[] = [];
  const prefs = new Map<string, unknown>(Object.entries(options.prefs ?? {}));
  const shell = startElectronShell(fake.electron, {
    createCore,
    openPreferenceStore: async () => ({ get: (key) => prefs.get(key), set: (key, value) => void prefs.set(key, value) }),
    env: options.env ?? { SWITCHBOARD_SERVER_URL: 'http://127.0.0.1:5999' },
    platform: 'linux',
    log: (l) => lines.push(l),
  });
  return { ...fake, shell, core, coreOptions, closed: () => closed, lines, prefs };
}

describe('Electron shell lifecycle', () => {
  it('quits at once when another instance holds the lock', () => {
    const { shell, record } = launch({ singleInstance: false });
    expect(shell).toBeNull();
    expect(record.quitCalls).toBe(1);
    expect(FakeBrowserWindow.created).toEqual([]);
  });

  it('starts the core with the safeStorage vault and the configured server, then opens the sandboxed window', async () => {
    const { shell, record, coreOptions } = launch();
    await shell?.ready;
    expect(record.schemes.map((s) => s.scheme)).toEqual(['app']);
    expect(record.headerListeners).toHaveLength(1);
    expect(coreOptions).toHaveLength(1);
    expect(coreOptions[0]?.defaultServerUrl).toBe('http://127.0.0.1:5999');
    expect(coreOptions[0]?.tokenVault).toBeInstanceOf(SafeStorageTokenVault);
    expect(coreOptions[0]?.cacheKeyVault).toBeInstanceOf(SafeStorageCacheKeyVault);
    expect(record.forks).toEqual([]);
    const [window] = FakeBrowserWindow.created;
    expect(window?.options.webPreferences).toMatchObject({
      preload: path.join(dir, 'app', 'dist', 'preload', 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect(window?.loaded).toEqual(['app://switchboard/']);
    expect([...record.handlers.keys()].sort()).toEqual(IPC_METHODS.map(ipcInvokeChannel).sort());
  });

  it('answers IPC from its window and refuses it from a window it did not create', async () => {
    const { shell, record, app } = launch();
    await shell?.ready;
    const handler = record.handlers.get(ipcInvokeChannel('sidebar.get'));
    const window = shell?.window();
    if (!handler || !window) throw new Error('shell not ready');
    expect(await handler(fakeInvokeEvent(window.webContents), {})).toEqual({ ok: true, value: { inboxes: [], chats: [], unreadTotal: 4 } });
    const stranger = new FakeBrowserWindow(window instanceof FakeBrowserWindow ? window.options : ({} as never));
    app.emit('web-contents-created', {}, stranger.webContents);
    expect(await handler(fakeInvokeEvent(stranger.webContents), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('guards every webContents the app creates', async () => {
    const { shell, app } = launch();
    await shell?.ready;
    const window = FakeBrowserWindow.created[0];
    if (!window) throw new Error('no window');
    app.emit('web-contents-created', {}, window.webContents);
    expect(window.webContents.navigate('https://evil.example/')).toBe(true);
    expect(window.webContents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('gives the core a call opener on shell.openExternal that opens only tel: and https (issue 10 §3)', async () => {
    const { shell, coreOptions, record } = launch();
    await shell?.ready;
    const open = coreOptions[0]?.openExternal;
    if (!open) throw new Error('no call opener');
    await open('tel:+14155550123');
    await expect(open('javascript:alert(1)')).rejects.toThrow(/not allowed/);
    expect(record.opened).toEqual(['tel:+14155550123']);
  });

  it('keeps the badge at the unread total', async () => {
    const { shell, core, record } = launch();
    await shell?.ready;
    core.events.emit('changed', { sidebar: true, conversationList: false, conversations: [] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(record.badge).toEqual([4]);
  });

  it('forks the bundled server when no server address is given, and carries on without it if it is missing', async () => {
    const { shell, record, coreOptions, lines } = launch({ env: {} });
    await shell?.ready;
    // The bundle does not exist in this temp app folder, so nothing is forked and the default address is used.
    expect(record.forks).toEqual([]);
    expect(lines.join('\n')).toMatch(/embedded server not started: .*bundled server is missing/);
    expect(coreOptions[0]?.defaultServerUrl).toBe('http://127.0.0.1:4870');
  });

  it('remembers the server last signed in to, and offers it next launch when no server is configured', async () => {
    const first = launch();
    await first.shell?.ready;
    first.core.events.emit('session', {
      status: 'signedIn',
      serverUrl: 'https://switchboard.northwind.example',
      user: { id: 'u_sam', orgId: 'org_demo', name: 'Sam Rivera', email: 'sam@demo.switchboard.test', role: 'member' } as never,
    });
    expect(first.prefs.get('serverAddress')).toBe('https://switchboard.northwind.example');
    const second = launch({ env: {}, prefs: { serverAddress: 'https://switchboard.northwind.example', embeddedServer: false } });
    await second.shell?.ready;
    expect(second.coreOptions[0]?.defaultServerUrl).toBe('https://switchboard.northwind.example');
  });

  it('closes the core once before quitting for real', async () => {
    const { shell, app, record, closed } = launch();
    await shell?.ready;
    let prevented = 0;
    app.emit('will-quit', { preventDefault: () => (prevented += 1) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(prevented).toBe(1);
    expect(closed()).toBe(1);
    expect(record.quitCalls).toBe(1);
    app.emit('will-quit', { preventDefault: () => (prevented += 1) });
    expect(prevented).toBe(1);
  });

  it('quits when the last window closes, except on macOS', async () => {
    const { shell, app, record } = launch();
    await shell?.ready;
    app.emit('window-all-closed', {});
    expect(record.quitCalls).toBe(1);
  });
});
