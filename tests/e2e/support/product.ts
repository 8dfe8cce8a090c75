import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3-multiple-ciphers';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WHATSAPP_WINDOW_MS } from '../../../protocol/domain.ts';
import { DemoInboundResponse, HTTP_PATHS } from '../../../protocol/http.ts';
import { DATABASE_FILE, startServer, type RunningServer, type ServerOptions } from '../../../server/app.ts';
import { createClientCore, type ClientCore } from '../../../main/core/client-core.ts';
import { startBrowserHost, type BrowserHost } from '../../../main/hosts/browser-host.ts';
import { ensureRendererBuilt } from '../../../scripts/renderer-build.ts';
import { startPausableProxy, type PausableProxy } from './pausable-proxy.ts';

/**
 * The whole product on one machine for an end-to-end test: a real sync server
 * (demo workspace), the real client core, the browser host serving the built
 * renderer, and Chromium. Nothing is mocked.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const DEMO = {
  maya: { email: 'maya@demo.switchboard.test', password: 'demo-manager' },
  sam: { email: 'sam@demo.switchboard.test', password: 'demo-agent' },
  alex: { email: 'alex@demo.switchboard.test', password: 'demo-agent' },
  ava: { email: 'ava@demo.switchboard.test', password: 'demo-admin' },
} as const;

export interface Product {
  dir: string;
  server: RunningServer;
  core: ClientCore;
  host: BrowserHost;
  browser: Browser;
  page: Page;
  /** With `pausable`: the proxy between the client core and the server. */
  proxy: PausableProxy | null;
  /** Signs in through the sign-in screen and waits for the first conversations. */
  signIn(account: { email: string; password: string }): Promise<void>;
  /** Injects an inbound customer message (POST /api/demo/inbound); returns its conversation id. */
  injectInbound(channelId: string, from: string, body: string): Promise<string>;
  close(): Promise<void>;
}

const quiet = (): void => {};

/**
 * Moves every inbound message of a conversation (column and stored record) back by more than the WhatsApp
 * reply window, straight in the server's SQLite file: the window is closed from then on.
 */
export async function ageInboundPastWindow(product: Pick<Product, 'dir'>, conversationId: string): Promise<void> {
  const db = new Database(path.join(product.dir, 'server', DATABASE_FILE));
  try {
    const at = Date.now() - WHATSAPP_WINDOW_MS - 2 * 60 * 60 * 1000;
    const update = db.prepare(
      `UPDATE messages SET created_at = ?, data = json_set(data, '$.createdAt', ?) WHERE json_extract(data, '$.conversationId') = ? AND json_extract(data, '$.direction') = 'in'`,
    );
    // The server runs in this process: waiting for its write lock in busy_timeout would block the thread its
    // COMMIT needs, so the update retries on a timer instead.
    db.pragma('busy_timeout = 0');
    for (let attempt = 0; ; attempt++) {
      try {
        update.run(at, at, conversationId);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt > 500) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    db.close();
  }
}

export interface ProductOptions {
  server?: Partial<ServerOptions>;
  /** Extra Chromium switches, e.g. FAKE_MICROPHONE. */
  browserArgs?: readonly string[];
  /** Permissions granted to the app's origin (e.g. 'microphone'). */
  permissions?: readonly string[];
  /** The client core reaches the server through a proxy that can hold back what the server sends. */
  pausable?: boolean | { pauseAfterBytes: number };
}

/** Chromium's fake audio/video capture device, answering getUserMedia without a prompt. */
export const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] as const;

export async function startProduct(options: ProductOptions = {}): Promise<Product> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await ensureRendererBuilt(ROOT);
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-e2e-'));
  const server = await startServer({ dataDir: path.join(dir, 'server'), port: 0, demo: true, log: quiet, ...options.server });
  const proxy = options.pausable ? await startPausableProxy(new URL(server.url), options.pausable === true ? {} : options.pausable) : null;
  const core = await createClientCore({ dataDir: path.join(dir, 'client'), defaultServerUrl: proxy?.url ?? server.url, log: quiet });
  const host = await startBrowserHost({ core, rendererDir: path.join(ROOT, 'dist', 'renderer') });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', ...(options.browserArgs ?? [])],
  });
  const context = await browser.newContext();
  if (options.permissions?.length) await context.grantPermissions([...options.permissions], { origin: new URL(host.url).origin });
  const page = await context.newPage();

  return {
    dir,
    server,
    core,
    host,
    browser,
    page,
    proxy,
    async signIn(account) {
      await page.goto(host.url);
      await page.getByTestId('signin-email').fill(account.email);
      await page.getByTestId('signin-password').fill(account.password);
      await page.getByTestId('signin-submit').click();
      await page.locator('[data-testid="connection"][data-status="online"]').waitFor();
      await page.getByTestId('conversation-item').first().waitFor();
    },
    async injectInbound(channelId, from, body) {
      const res = await fetch(`${server.url}${HTTP_PATHS.demoInbound}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channelId, from, body }),
      });
      if (res.status !== 200) throw new Error(`inbound refused: ${res.status} ${await res.text()}`);
      return DemoInboundResponse.parse(await res.json()).conversationId;
    },
    async close() {
      await browser.close();
      await host.close();
      await core.close();
      proxy?.resume();
      await proxy?.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
