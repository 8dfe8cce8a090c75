import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import WebSocket from 'ws';
import type { HostServerFrame } from '../../protocol/ipc.ts';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { startBrowserHost, type BrowserHost } from '../../main/hosts/browser-host.ts';
import { MAYA, SyncClient, signIn, startTestServer, type TestServer } from '../server/support/sync-client.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { request, requestBytes } from '../support/http-arbitraries.ts';
import { hasStack, rawExchange } from '../support/raw-http.ts';

/**
 * Issue 8 (1): no request stops a process. Generated requests — methods, targets with broken
 * percent-escapes or no URL at all, headers, bodies whose length lies, websocket upgrades — go byte
 * for byte over TCP to a running server and a running browser host (with a real client core); both
 * must answer each with a clean status (never a 5xx), log client errors without a stack, and still
 * serve a normal client afterwards.
 */

let t: TestServer;
let dir: { path: string; remove(): void };
let core: ClientCore;
let host: BrowserHost;
const hostLogs: string[] = [];

const portOf = (url: string) => Number(new URL(url).port);
const hostToken = () => new URL(host.url).searchParams.get('token') ?? '';

beforeAll(async () => {
  t = await startTestServer();
  dir = tempDir('switchboard-boundary-');
  mkdirSync(join(dir.path, 'renderer'), { recursive: true });
  writeFileSync(join(dir.path, 'renderer', 'index.html'), '<!doctype html><title>Switchboard</title>');
  core = await createClientCore({ dataDir: join(dir.path, 'client'), defaultServerUrl: t.server.url, log: () => {} });
  host = await startBrowserHost({ core, rendererDir: join(dir.path, 'renderer'), log: (line) => hostLogs.push(line) });
});

afterAll(async () => {
  await host?.close();
  await core?.close();
  await t?.close();
  dir?.remove();
});

/** A normal user of the server: signs in over HTTP and says hello on the sync socket. */
async function serverStillServes(): Promise<void> {
  const token = await signIn(t.server.url, MAYA);
  const client = await SyncClient.connect(t.server.url);
  try {
    const welcome = await client.sync(token, { clientId: 'boundary-check' });
    expect(welcome.user.id).toBe(MAYA.id);
  } finally {
    client.close();
  }
}

/** A normal page of the browser host: loads the page and asks the core for its state over /ipc. */
async function hostStillServes(): Promise<void> {
  const page = await fetch(host.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<title>Switchboard</title>');
  const ws = new WebSocket(`ws://${new URL(host.origin).host}/ipc?token=${hostToken()}`, { origin: host.origin });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answer = new Promise<HostServerFrame>((resolve) => ws.on('message', (data) => resolve(JSON.parse(data.toString()) as HostServerFrame)));
    ws.send(JSON.stringify({ id: 1, method: 'app.state', input: {} }));
    const frame = await answer;
    expect(frame).toMatchObject({ kind: 'result', id: 1, result: { ok: true } });
  } finally {
    ws.close();
  }
}

const upgradeHead = (target: string) =>
  `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

describe('the requests of the issue', () => {
  it('server: malformed escapes and unparsable targets, as requests and as upgrades, get 400 and one log line without a stack', async () => {
    const port = portOf(t.server.url);
    const before = t.logs.length;
    for (const path of ['/api/attachments/%ff', '/media/%ff%fe?exp=1&sig=x', '/webchat/attachments/%ff?widget=widget-sales', 'http://[']) {
      const { statuses } = await rawExchange(port, `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
      expect(statuses, path).toEqual([400]);
    }
    for (const path of ['http://[', '/sync/%ff', '/webchat%']) {
      const { statuses } = await rawExchange(port, upgradeHead(path));
      expect(statuses, path).toEqual([400]);
    }
    const lines = t.logs.slice(before);
    expect(lines).toHaveLength(7);
    expect(lines.filter(hasStack)).toEqual([]);
    await serverStillServes();
  });

  it('browser host: the same for its page and its /ipc upgrade', async () => {
    const port = portOf(host.origin);
    const before = hostLogs.length;
    const own = `host: ${new URL(host.origin).host}`;
    for (const path of ['/%ff', `/attachments/%ff?token=${hostToken()}`, 'http://[']) {
      const { statuses } = await rawExchange(port, `GET ${path} HTTP/1.1\r\n${own}\r\n\r\n`);
      expect(statuses, path).toEqual([400]);
    }
    for (const path of ['http://[', `/ipc%?token=${hostToken()}`]) {
      const { statuses } = await rawExchange(port, upgradeHead(path));
      expect(statuses, path).toEqual([400]);
    }
    expect(hostLogs.slice(before).filter(hasStack)).toEqual([]);
    await hostStillServes();
  });
});

describe('generated requests', () => {
  it.prop([fc.array(request, { minLength: 1, maxLength: 3 })], { numRuns: 150 })('never get a 5xx from the server, nor stop it', async (requests) => {
    for (const r of requests) {
      const { statuses } = await rawExchange(portOf(t.server.url), requestBytes(r, t.server.url));
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    }
  });

  it.prop([fc.array(request, { minLength: 1, maxLength: 3 })], { numRuns: 150 })('never get a 5xx from the browser host, nor stop it', async (requests) => {
    for (const r of requests) {
      const { statuses } = await rawExchange(portOf(host.origin), requestBytes(r, host.origin, hostToken()));
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    }
  });

  it('left both serving normal clients, with no stack trace logged', async () => {
    await serverStillServes();
    await hostStillServes();
    expect(t.logs.filter(hasStack)).toEqual([]);
    expect(hostLogs.filter(hasStack)).toEqual([]);
  });
});
