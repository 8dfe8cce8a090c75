// Runs against the FAKE electron module (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { describe, expect, it } from 'vitest';
import { createMainWindow, guardWebContents, mainWindowOptions, vetExternalUrl } from '../../../main/shell/window.ts';
import { FakeBrowserWindow, FakeWebContents, createFakeElectron } from './fake-electron.ts';

describe('main window options', () => {
  it('isolates the page: context isolation, sandbox, no Node, web security on', () => {
    const { webPreferences } = mainWindowOptions('/app/dist/preload/preload.cjs', null);
    expect(webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('reopens at the saved bounds, and saves them on close', () => {
    const { electron } = createFakeElectron({ userData: '/tmp/u', appPath: '/app' });
    const saved: unknown[] = [];
    const window = createMainWindow(electron, {
      preloadPath: '/p.cjs',
      bounds: { x: 10, y: 20, width: 1000, height: 700 },
      onBoundsChanged: (b) => saved.push(b),
    }) as FakeBrowserWindow;
    expect(window.options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false });
    expect(window.loaded).toEqual(['app://switchboard/']);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
    window.emit('close');
    expect(saved).toEqual([{ x: 10, y: 20, width: 1000, height: 700 }]);
  });
});

describe('navigation guard', () => {
  function guarded() {
    const { electron, record } = createFakeElectron({ userData: '/tmp/u', appPath: '/app' });
    const contents = new FakeWebContents();
    guardWebContents(contents, electron.shell);
    return { contents, record };
  }

  it('lets the page move within its own app:// origin', () => {
    const { contents } = guarded();
    expect(contents.navigate('app://switchboard/conversations/c_1')).toBe(false);
  });

  it('prevents navigation and redirects anywhere else, judged by a URL parser not a prefix', () => {
    const { contents, record } = guarded();
    for (const url of [
      'https://evil.example/',
      'app://switchboard.evil.example/',
      'app://switchboard@evil.example/',
      'app://switchboard:8080/',
      'file:///etc/passwd',
      'http://127.0.0.1:4870/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(contents.navigate(url), url).toBe(true);
    }
    expect(contents.navigate('https://evil.example/', 'will-redirect')).toBe(true);
    expect(record.opened).toEqual([]);
  });

  it('refuses <webview> attachment', () => {
    const { contents } = guarded();
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});

describe('window.open', () => {
  it('is always denied; vetted http(s) links go to the browser instead', () => {
    const { electron, record } = createFakeElectron({ userData: '/tmp/u', appPath: '/app' });
    const contents = new FakeWebContents();
    guardWebContents(contents, electron.shell);
    const open = contents.windowOpenHandler;
    if (!open) throw new Error('no window open handler');
    expect(open({ url: 'https://northwind.example/order/7' })).toEqual({ action: 'deny' });
    expect(open({ url: 'app://switchboard/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open({ url: 'https://bank.example@evil.example/' })).toEqual({ action: 'deny' });
    expect(record.opened).toEqual(['https://northwind.example/order/7']);
  });

  it('vets external URLs by scheme, host and embedded credentials', () => {
    expect(vetExternalUrl('http://example.com/a b')).toBe('http://example.com/a%20b');
    expect(vetExternalUrl('smb://host/share')).toBeNull();
    expect(vetExternalUrl('https://user:pw@example.com/')).toBeNull();
    expect(vetExternalUrl(`https://example.com/${'a'.repeat(5000)}`)).toBeNull();
  });
});
