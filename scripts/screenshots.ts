import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../server/app.ts';
import { createClientCore } from '../main/core/client-core.ts';
import { startBrowserHost } from '../main/hosts/browser-host.ts';
import { ROOT } from './build-electron.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

/**
 * `npm run screenshots`: the README's pictures, made from the product itself so they can be refreshed after
 * any change to the look. A fresh demo workspace (no simulated customers, so nothing moves while the picture
 * is taken), Maya signed in through the browser host, a conversation open with its contact beside it, at
 * 1440×900, once in the light theme and once in the dark → docs/screenshots/inbox-{light,dark}.png.
 * Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.join(ROOT, 'docs', 'screenshots');
const MAYA = { email: 'maya@demo.switchboard.test', password: 'demo-manager' };

async function showInbox(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('signin-email').fill(MAYA.email);
  await page.getByTestId('signin-password').fill(MAYA.password);
  await page.getByTestId('signin-submit').click();
  await page.locator('[data-testid="connection"][data-status="online"]').waitFor();
  await page.getByTestId('conversation-item').first().waitFor();
  // The second conversation: the first is often a web chat visitor with no contact to show beside it.
  const withContact = page.locator('[data-testid="conversation-item"]').nth(1);
  await withContact.click();
  await page.getByTestId('conversation-title').waitFor();
  await page.getByTestId('contact-menu').click();
  await page.getByTestId('contact-menu-info').click();
  await page.getByTestId('contact-info').waitFor();
}

async function chooseTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-menu').click();
  await page.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
  await page.waitForFunction(`document.documentElement.dataset.theme === '${theme}'`);
  // Menus closed and nothing focused, so the picture shows the window at rest.
  await page.keyboard.press('Escape');
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  await page.mouse.move(0, 899);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  await ensureRendererBuilt(ROOT, (line) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-screenshots-'));
  const quiet = (): void => {};
  const server = await startServer({ dataDir: path.join(dir, 'server'), port: 0, demo: true, log: quiet });
  const core = await createClientCore({ dataDir: path.join(dir, 'client'), defaultServerUrl: server.url, log: quiet });
  const host = await startBrowserHost({ core, rendererDir: path.join(ROOT, 'dist', 'renderer') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', colorScheme: 'light' });
    const page = await context.newPage();
    await showInbox(page, host.url);
    mkdirSync(OUT, { recursive: true });
    for (const theme of ['light', 'dark'] as const) {
      await chooseTheme(page, theme);
      const file = path.join(OUT, `inbox-${theme}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${path.relative(ROOT, file)}`);
    }
  } finally {
    await browser.close();
    await host.close();
    await core.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
