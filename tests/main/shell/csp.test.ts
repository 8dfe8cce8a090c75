// Runs against the FAKE electron module (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ELECTRON_CSP, applyContentSecurityPolicy, permissionGranted, serveRendererOnAppScheme } from '../../../main/shell/csp.ts';
import type { PermissionRequestDetails } from '../../../main/shell/electron-module.ts';
import { contentSecurityPolicy } from '../../../main/hosts/content-security-policy.ts';
import { createFakeElectron, FakeWebContents } from './fake-electron.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sb-csp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function directives(policy: string): Map<string, string> {
  return new Map(policy.split(';').map((part) => {
    const [name = '', ...values] = part.trim().split(/\s+/);
    return [name, values.join(' ')];
  }));
}

describe('Content-Security-Policy', () => {
  it('allows only same-origin code and no network at all', () => {
    const csp = directives(ELECTRON_CSP);
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(ELECTRON_CSP).not.toMatch(/unsafe-(inline|eval)|\*/);
  });

  it('is the browser host policy minus the browser host socket', () => {
    expect(contentSecurityPolicy({ connectSources: ['ws://127.0.0.1:1234'] })).toBe(
      ELECTRON_CSP.replace("connect-src 'none'", 'connect-src ws://127.0.0.1:1234'),
    );
  });

  it('lets the page play blob: and same-origin media (voice notes)', () => {
    expect(directives(ELECTRON_CSP).get('media-src')).toBe("'self' blob:");
  });

  it('replaces whatever policy a response brings with ours', () => {
    const { electron, receiveHeaders } = createFakeElectron({ userData: dir, appPath: dir });
    applyContentSecurityPolicy(electron.session.defaultSession);
    const headers = receiveHeaders('app://switchboard/', { 'content-security-policy': ['default-src *'], 'content-type': ['text/html'] });
    expect(headers).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [ELECTRON_CSP] });
  });
});

describe('page permissions', () => {
  const OURS = 'app://switchboard/';
  const audio: PermissionRequestDetails = { requestingUrl: OURS, isMainFrame: true, mediaTypes: ['audio'], securityOrigin: 'app://switchboard' };

  /** Asks the handler the shell installed, as Electron would; returns its answers. */
  function ask(permission: string, details: PermissionRequestDetails, pageUrl = OURS): boolean[] {
    const { electron, record } = createFakeElectron({ userData: dir, appPath: dir });
    applyContentSecurityPolicy(electron.session.defaultSession);
    const answers: boolean[] = [];
    for (const handler of record.permissionHandlers) handler(new FakeWebContents(pageUrl), permission, (granted) => answers.push(granted), details);
    return answers;
  }

  it('grants the microphone, audio only, to our own page (voice notes)', () => {
    expect(ask('media', audio)).toEqual([true]);
    expect(ask('media', { ...audio, requestingUrl: 'app://switchboard/inbox/sales', securityOrigin: undefined })).toEqual([true]);
  });

  it('refuses the camera and screen capture, even with audio', () => {
    expect(ask('media', { ...audio, mediaTypes: ['video'] })).toEqual([false]);
    expect(ask('media', { ...audio, mediaTypes: ['audio', 'video'] })).toEqual([false]);
    expect(ask('media', { ...audio, mediaTypes: [] })).toEqual([false]);
    expect(ask('media', { requestingUrl: OURS, isMainFrame: true })).toEqual([false]);
  });

  it('refuses media to any other page or frame', () => {
    expect(ask('media', { ...audio, requestingUrl: 'https://evil.example/' })).toEqual([false]);
    expect(ask('media', { ...audio, requestingUrl: 'app://switchboard.evil/' })).toEqual([false]);
    expect(ask('media', { ...audio, securityOrigin: 'https://evil.example' })).toEqual([false]);
    expect(ask('media', { ...audio, isMainFrame: false })).toEqual([false]);
    expect(ask('media', audio, 'https://evil.example/')).toEqual([false]);
  });

  it('refuses every other permission', () => {
    for (const permission of ['geolocation', 'notifications', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal', 'clipboard-read', 'display-capture', 'mediaKeySystem', 'unknown']) {
      expect(ask(permission, audio), permission).toEqual([false]);
    }
  });

  it('is the same rule as permissionGranted', () => {
    expect(permissionGranted(new FakeWebContents(OURS), 'media', audio)).toBe(true);
    expect(permissionGranted(new FakeWebContents(OURS), 'geolocation', audio)).toBe(false);
  });
});

describe('app:// scheme', () => {
  mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Switchboard</title>');
  writeFileSync(path.join(dir, 'renderer', 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');

  function handler() {
    const { electron, record } = createFakeElectron({ userData: dir, appPath: dir });
    serveRendererOnAppScheme(electron.protocol, path.join(dir, 'renderer'));
    const handle = record.protocolHandlers.get('app');
    if (!handle) throw new Error('app scheme not handled');
    return (url: string) => Promise.resolve(handle(new Request(url)));
  }

  it('serves the renderer with its content type and the CSP header', async () => {
    const res = await handler()('app://switchboard/assets/app.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
    expect(await (await handler()('app://switchboard/inbox/sales')).text()).toContain('<title>Switchboard');
  });

  it('serves nothing outside the renderer folder or for another host', async () => {
    expect((await handler()('app://switchboard/%2e%2e/secret.txt')).status).toBe(404);
    expect((await handler()('app://other/index.html')).status).toBe(404);
  });
});
