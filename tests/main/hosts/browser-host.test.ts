import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostServerFrame } from '../../../protocol/ipc.ts';
import { startBrowserHost, type BrowserHost } from '../../../main/hosts/browser-host.ts';
import { fakeCore } from './fake-core.ts';

let dir: string;
let host: BrowserHost;
const core = fakeCore({
  'app.state': () => ({
    session: { status: 'signedOut', serverUrl: 'http://127.0.0.1:4870', reason: null },
    connection: { status: 'signedOut', retryInMs: null, lastError: null, pendingCount: 0 },
    syncProgress: null,
    defaultServerUrl: 'http://127.0.0.1:4870',
  }),
  'attachments.read': ({ id }) => {
    if (id === 'att_png') return { name: 'shelf.png', contentType: 'image/png', dataBase64: Buffer.from('PNGDATA').toString('base64') };
    if (id === 'att_html') return { name: 'x.html', contentType: 'text/html', dataBase64: Buffer.from('<script>1</script>').toString('base64') };
    throw new Error('not found');
  },
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-host-'));
  mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Switchboard</title>');
  writeFileSync(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
  host = await startBrowserHost({ core, rendererDir: path.join(dir, 'renderer') });
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

function token(): string {
  return new URL(host.url).searchParams.get('token') ?? '';
}

/** Raw GET so the path reaches the server exactly as written (fetch would normalise `..`). */
function get(pathname: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(host.origin);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ hostname, port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the socket once open, or with the HTTP status the upgrade was refused with. */
function connect(url: string, origin: string | undefined): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

async function openPage(): Promise<WebSocket> {
  const ws = await connect(`ws://${new URL(host.origin).host}/ipc?token=${token()}`, host.origin);
  if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
  return ws;
}

function nextFrame(ws: WebSocket): Promise<HostServerFrame> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as HostServerFrame)));
}

describe('browser host: files', () => {
  it('serves index.html under the same strict CSP the Electron shell uses, plus its own socket', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src ws://${new URL(host.origin).host}`);
    // Voice notes and other audio play from the page's own origin (/attachments/…) or blob: URLs.
    expect(csp).toContain("media-src 'self' blob:");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with their content type and falls back to index.html for app routes only', async () => {
    expect((await get('/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    const route = await get('/conversations/c_1');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Switchboard');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const attempt of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt']) {
      const res = await get(attempt);
      expect(res.body, attempt).not.toContain('outside the renderer');
    }
  });

  it('answers only requests addressed to its own host name', async () => {
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(421);
  });
});

describe('browser host: /attachments (SPEC (18))', () => {
  it('serves an attachment through the core to the page holding the host token only', async () => {
    const ok = await get(`/attachments/att_png?token=${encodeURIComponent(token())}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.body).toBe('PNGDATA');
    expect(ok.headers['content-security-policy']).toMatch(/sandbox/);
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/attachments/att_png')).status).toBe(401);
    expect((await get('/attachments/att_png?token=wrong')).status).toBe(401);
    expect((await get(`/attachments/att_nope?token=${encodeURIComponent(token())}`)).status).toBe(404);
  });

  it('never serves a file as a page', async () => {
    const res = await get(`/attachments/att_html?token=${encodeURIComponent(token())}`);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
  });
});

describe('browser host: /ipc', () => {
  const wsUrl = (t: string) => `ws://${new URL(host.origin).host}/ipc?token=${encodeURIComponent(t)}`;

  it('refuses a wrong or missing token with 401', async () => {
    expect(await connect(wsUrl('not-the-token'), host.origin)).toBe(401);
    expect(await connect(`ws://${new URL(host.origin).host}/ipc`, host.origin)).toBe(401);
  });

  it('refuses the right token from another origin, or with no origin, with 403', async () => {
    expect(await connect(wsUrl(token()), 'http://evil.example')).toBe(403);
    expect(await connect(wsUrl(token()), 'http://localhost:1')).toBe(403);
    expect(await connect(wsUrl(token()), undefined)).toBe(403);
  });

  it('routes a request frame through the IPC router and answers with its id', async () => {
    const ws = await openPage();
    ws.send(JSON.stringify({ id: 7, method: 'app.state', input: {} }));
    const frame = await nextFrame(ws);
    expect(frame).toMatchObject({ kind: 'result', id: 7, result: { ok: true, value: { defaultServerUrl: 'http://127.0.0.1:4870' } } });
    ws.close();
  });

  it('answers bad frames with an error result and keeps the socket open', async () => {
    const ws = await openPage();
    ws.send('not json');
    expect(await nextFrame(ws)).toMatchObject({ kind: 'result', id: -1, result: { ok: false, error: { code: 'invalid' } } });
    ws.send(JSON.stringify({ id: 3, method: 42 }));
    expect(await nextFrame(ws)).toMatchObject({ kind: 'result', id: 3, result: { ok: false, error: { code: 'invalid' } } });
    ws.send(JSON.stringify({ id: 4, method: 'shell.exec', input: {} }));
    expect(await nextFrame(ws)).toMatchObject({ id: 4, result: { ok: false, error: { code: 'invalid', message: 'unknown method shell.exec' } } });
    ws.send(JSON.stringify({ id: 5, method: 'conversation.get', input: { id: 12 } }));
    expect(await nextFrame(ws)).toMatchObject({ id: 5, result: { ok: false, error: { code: 'invalid' } } });
    ws.send(JSON.stringify({ id: 6, method: 'app.state', input: {} }));
    expect(await nextFrame(ws)).toMatchObject({ id: 6, result: { ok: true } });
    ws.close();
  });

  it('forwards core events to every connected page', async () => {
    const [a, b] = [await openPage(), await openPage()];
    const frames = Promise.all([nextFrame(a), nextFrame(b)]);
    core.events.emit('changed', { sidebar: true, conversationList: false, conversations: ['c_1'] });
    for (const frame of await frames) {
      expect(frame).toEqual({ kind: 'event', event: 'changed', payload: { sidebar: true, conversationList: false, conversations: ['c_1'] } });
    }
    a.close();
    b.close();
  });
});
