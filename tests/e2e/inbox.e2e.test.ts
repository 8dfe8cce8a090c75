import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoInboundResponse, HTTP_PATHS } from '../../protocol/http.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { startBrowserHost, type BrowserHost } from '../../main/hosts/browser-host.ts';
import { ensureRendererBuilt } from '../../scripts/renderer-build.ts';

/**
 * The whole product on one machine: a real sync server (demo workspace), the
 * real client core, the browser host serving the built renderer, and Chromium
 * driving it as Sam. Nothing is mocked.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const SAM = { email: 'sam@demo.switchboard.test', password: 'demo-agent' };
const SALES_SMS = 'ch_sales_sms';
const CUSTOMER = '+14155550147';
const quiet = () => {};

let dir: string;
let server: RunningServer;
let core: ClientCore;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let conversationId: string;

function startDemoServer(port: number): Promise<RunningServer> {
  return startServer({ dataDir: path.join(dir, 'server'), port, demo: true, log: quiet });
}

async function injectInbound(body: string): Promise<string> {
  const res = await fetch(`${server.url}${HTTP_PATHS.demoInbound}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channelId: SALES_SMS, from: CUSTOMER, body }),
  });
  expect(res.status).toBe(200);
  return DemoInboundResponse.parse(await res.json()).conversationId;
}

function message(body: string, status?: string) {
  const selector = status ? `[data-testid="message"][data-status="${status}"]` : '[data-testid="message"]';
  return page.locator(selector, { hasText: body });
}

async function reply(body: string): Promise<void> {
  await page.getByTestId('composer-input').fill(body);
  await page.getByTestId('composer-send').click();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await ensureRendererBuilt(ROOT);
  dir = mkdtempSync(path.join(tmpdir(), 'sb-e2e-'));
  server = await startDemoServer(0);
  core = await createClientCore({
    dataDir: path.join(dir, 'client'),
    defaultServerUrl: server.url,
    log: quiet,
    // Short reconnect waits so the restart below is picked up quickly; the policy itself is unchanged.
    sync: { backoff: { baseMs: 100, factor: 2, capMs: 1000 } },
  });
  host = await startBrowserHost({ core, rendererDir: path.join(ROOT, 'dist', 'renderer') });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  // A new context is a new, empty profile.
  page = await (await browser.newContext()).newPage();
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('inbox, end to end in a browser', () => {
  it('gives a page without this launch token nothing but an error', async () => {
    const stranger = await (await browser.newContext()).newPage();
    try {
      await stranger.goto(`${host.origin}/?token=not-the-token`);
      await stranger.getByTestId('app-error').waitFor();
      expect(await stranger.getByTestId('signin-email').count()).toBe(0);
    } finally {
      await stranger.context().close();
    }
  });

  it('signs Sam in and shows the connection online', async () => {
    await page.goto(host.url);
    await page.getByTestId('signin-email').fill(SAM.email);
    await page.getByTestId('signin-password').fill(SAM.password);
    await page.getByTestId('signin-submit').click();
    await page.locator('[data-testid="connection"][data-status="online"]').waitFor();
    await page.getByTestId('conversation-item').first().waitFor();
  });

  it('shows a new customer conversation live, and delivers a reply to it', async () => {
    conversationId = await injectInbound('Hi! Is the blue tent still in stock?');
    const item = page.locator(`[data-testid="conversation-item"][data-id="${conversationId}"]`);
    await item.click();
    await message('Is the blue tent still in stock?').waitFor();

    await reply('Yes, we have three left. Shall I reserve one?');
    await message('Shall I reserve one?', 'delivered').waitFor();
  });

  it('shows the customer answer arrive live in the open conversation', async () => {
    expect(await injectInbound('Yes please, reserve one for Friday.')).toBe(conversationId);
    const answer = page.locator('[data-testid="message"][data-direction="in"]', { hasText: 'reserve one for Friday' });
    await answer.waitFor();
    expect(await answer.count()).toBe(1);
  });

  it('keeps a reply made while the server is down as pending', async () => {
    await server.close();
    await page.locator('[data-testid="connection"]:not([data-status="online"])').waitFor();
    await reply('Reserved for Friday, see you then!');
    await message('Reserved for Friday', 'pending').waitFor();
    expect(await page.getByTestId('connection').getAttribute('data-status')).not.toBe('online');
    // The true word while offline: queued, not "Sending…".
    expect(await message('Reserved for Friday', 'pending').getByTestId('message-status').textContent()).toContain('Queued — sends when back online');
  });

  it('delivers the pending reply once the server is back on the same port, exactly once', async () => {
    server = await startDemoServer(server.port);
    await page.locator('[data-testid="connection"][data-status="online"]').waitFor();
    await message('Reserved for Friday', 'delivered').waitFor();
    expect(await message('Reserved for Friday').count()).toBe(1);

    // Ask the server itself, through a fresh client with an empty cache.
    const checker = await createClientCore({ dataDir: path.join(dir, 'checker'), defaultServerUrl: server.url, log: quiet });
    try {
      await checker.handlers['session.signIn']({ serverUrl: server.url, ...SAM });
      let copies: number | null = null;
      await expect
        .poll(
          async () => {
            const page = await checker.handlers['messages.list']({ conversationId, before: null, limit: 200 });
            copies = page.items.filter((m) => m.body === 'Reserved for Friday, see you then!').length;
            return copies;
          },
          { timeout: 20_000, interval: 200 },
        )
        .toBeGreaterThan(0);
      expect(copies).toBe(1);
    } finally {
      await checker.close();
    }
  });
});
