import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { startBrowserHost, type BrowserHost } from '../../main/hosts/browser-host.ts';
import { axeFindings } from './support/axe.ts';
import { clippedWithoutTooltip } from './support/geometry.ts';
import { ROOT, startProduct, type Product } from './support/product.ts';

/**
 * The views the Contact Center and history work added, at 1280×720 in light and dark: the agent desktop (queue
 * status chip and its popover, an offer card, the conversation's Details popover, the Call item), the
 * supervisor's Queues view and the offline storage dialog. Each passes axe with 0 violations, keeps every box
 * inside the window, and its popovers close on Esc and on a click outside. With SWITCHBOARD_E2E_SCREENSHOTS set,
 * each state is also saved there as a picture, to be looked at.
 */

const JORDAN = { email: 'jordan@cc.demo.switchboard.test', password: 'demo-agent' };
const SOFIA = { email: 'sofia@cc.demo.switchboard.test', password: 'demo-supervisor' };
const THEMES = ['light', 'dark'] as const;
const WIDTH = 1280;
const HEIGHT = 720;
const SHOTS = process.env.SWITCHBOARD_E2E_SCREENSHOTS ?? '';

let product: Product;
let page: Page;
let sofia: { core: ClientCore; host: BrowserHost; page: Page };

async function shot(on: Page, name: string): Promise<void> {
  if (SHOTS) await on.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function signIn(on: Page, url: string, account: { email: string; password: string }): Promise<void> {
  await on.goto(url);
  await on.getByTestId('signin-email').fill(account.email);
  await on.getByTestId('signin-password').fill(account.password);
  await on.getByTestId('signin-submit').click();
  await on.locator('[data-testid="connection"][data-status="online"]').waitFor();
  await on.getByTestId('queue-status').waitFor();
}

async function setTheme(on: Page, theme: 'light' | 'dark'): Promise<void> {
  await on.getByTestId('theme-menu').click();
  await on.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
  await expect.poll(() => on.evaluate('document.documentElement.dataset.theme')).toBe(theme);
  await on.keyboard.press('Escape');
}

// Runs in the page: every rendered element under the roots whose box reaches outside the window (below the
// fold of a region that scrolls vertically is not outside: it is scrolled to).
const OUTSIDE_WINDOW = (selectors: readonly string[]): string => `(() => {
  const out = [];
  for (const selector of ${JSON.stringify(selectors)}) {
    for (const root of document.querySelectorAll(selector)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
        let scrolled = false;
        for (let up = el.parentElement; up && !scrolled; up = up.parentElement) {
          scrolled = /auto|scroll/.test(getComputedStyle(up).overflowY) && up.scrollHeight > up.clientHeight;
        }
        const vertical = !scrolled && (r.top < -0.5 || r.bottom > window.innerHeight + 0.5);
        if (r.left < -0.5 || r.right > window.innerWidth + 0.5 || vertical) {
          out.push(selector + ' › ' + (el.getAttribute('data-testid') || el.className || el.tagName) + ' at ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(','));
        }
      }
    }
  }
  return out;
})()`;

/** Elements of the matched regions reaching outside the 1280×720 window, and text cut off with no tooltip. */
async function clipped(on: Page, selectors: readonly string[]): Promise<string[]> {
  const outside = (await on.evaluate(OUTSIDE_WINDOW(selectors))) as string[];
  const cut = (await Promise.all(selectors.map((s) => clippedWithoutTooltip(on, s)))).flat();
  return [...outside, ...cut];
}

// Runs in the page: the corners of the element that something else covers or an ancestor's box cuts off.
const HIDDEN_CORNERS = (selector: string): string => `(() => {
  const el = document.querySelector(${JSON.stringify(selector)});
  const r = el.getBoundingClientRect();
  // Inset past the rounded corners, whose outer pixels show what is beneath.
  const corners = [[r.left + 10, r.top + 10], [r.right - 10, r.top + 10], [r.left + 10, r.bottom - 10], [r.right - 10, r.bottom - 10]];
  return corners.filter(([x, y]) => !el.contains(document.elementFromPoint(x, y))).map(([x, y]) => Math.round(x) + ',' + Math.round(y));
})()`;

/** Corners of a popover that are not its own on screen (clipped by a scroll box, or under something). */
async function wholeOnScreen(on: Page, selector: string): Promise<string[]> {
  return (await on.evaluate(HIDDEN_CORNERS(selector))) as string[];
}

/** Opens a popover with its trigger, then checks it closes on Esc and again on a click outside it. */
async function closesOnEscAndOutside(on: Page, trigger: string, popover: string, outsideAt: { x: number; y: number }): Promise<void> {
  await on.getByTestId(trigger).click();
  await on.getByTestId(popover).waitFor();
  await on.keyboard.press('Escape');
  await on.getByTestId(popover).waitFor({ state: 'detached' });
  await on.getByTestId(trigger).click();
  await on.getByTestId(popover).waitFor();
  await on.mouse.click(outsideAt.x, outsideAt.y);
  await on.getByTestId(popover).waitFor({ state: 'detached' });
}

/** Near the bottom left corner of an element that does nothing when clicked: "outside" popovers, which open top right. */
async function quietSpot(on: Page, testId: string): Promise<{ x: number; y: number }> {
  const box = (await on.getByTestId(testId).boundingBox())!;
  return { x: box.x + 20, y: box.y + box.height - 20 };
}

beforeAll(async () => {
  product = await startProduct();
  page = product.page;
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  const core = await createClientCore({ dataDir: path.join(product.dir, 'client-sofia'), defaultServerUrl: product.server.url, log: () => {} });
  const host = await startBrowserHost({ core, rendererDir: path.join(ROOT, 'dist', 'renderer') });
  const sofiaPage = await (await product.browser.newContext({ viewport: { width: WIDTH, height: HEIGHT } })).newPage();
  sofia = { core, host, page: sofiaPage };
});

afterAll(async () => {
  await sofia?.host.close();
  await sofia?.core.close();
  await product?.close();
});

describe('the Contact Center agent desktop at 1280×720', () => {
  it('the queue status popover: logs in, closes on Esc and on a click outside, fits the window', async () => {
    await signIn(page, product.host.url, JORDAN);
    await page.getByTestId('queue-status').click();
    await page.getByTestId('queue-login-all').click();
    await expect.poll(() => page.getByTestId('queue-status').getAttribute('data-state')).toBe('in');
    await page.keyboard.press('Escape');
    await page.getByTestId('queue-popover').waitFor({ state: 'detached' });
    await closesOnEscAndOutside(page, 'queue-status', 'queue-popover', await quietSpot(page, 'conversation-none'));
  });

  it('an offer card and the open queue popover: axe, nothing outside the window, light and dark', async () => {
    const id = await product.injectInbound('ch_tech_sms', '+17735550177', 'My router keeps dropping the connection every evening.');
    await page.locator(`[data-testid="offer-card"][data-conversation="${id}"]`).waitFor();
    for (const theme of THEMES) {
      await setTheme(page, theme);
      expect(await clipped(page, ['[data-testid="offer-card"]', '.topbar'])).toEqual([]);
      await shot(page, `cc-agent-offer-${theme}`);
      await page.getByTestId('queue-status').click();
      await page.getByTestId('queue-popover').waitFor();
      expect(await axeFindings(page)).toEqual([]);
      expect(await clipped(page, ['[data-testid="queue-popover"]', '[data-testid="offer-card"]'])).toEqual([]);
      expect(await wholeOnScreen(page, '[data-testid="queue-popover"]')).toEqual([]);
      await shot(page, `cc-agent-queue-popover-${theme}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('queue-popover').waitFor({ state: 'detached' });
    }
    await page.locator(`[data-testid="offer-card"][data-conversation="${id}"] [data-testid="offer-accept"]`).click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${id}"]`).waitFor();
  });

  it('the Details popover and the Call item: axe, nothing outside the window, Esc and a click outside close them', async () => {
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await page.getByTestId('conversation-details').click();
      await page.getByTestId('conversation-details-panel').waitFor();
      await page.getByTestId('details-handledBy').waitFor();
      expect(await axeFindings(page)).toEqual([]);
      expect(await clipped(page, ['[data-testid="conversation-details-panel"]'])).toEqual([]);
      expect(await wholeOnScreen(page, '[data-testid="conversation-details-panel"]')).toEqual([]);
      await shot(page, `cc-agent-details-${theme}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('conversation-details-panel').waitFor({ state: 'detached' });

      await page.getByTestId('contact-menu').click();
      await page.getByTestId('contact-menu-call').waitFor();
      expect(await axeFindings(page)).toEqual([]);
      expect(await clipped(page, ['[data-testid="contact-menu-call"]'])).toEqual([]);
      await shot(page, `cc-agent-call-${theme}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('contact-menu-call').waitFor({ state: 'detached' });
    }
    await closesOnEscAndOutside(page, 'conversation-details', 'conversation-details-panel', await quietSpot(page, 'message-list'));
  });

  it('the offline storage dialog: axe, nothing outside the window, light and dark; closes on Esc', async () => {
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await page.getByTestId('offline-storage').click();
      await page.getByTestId('offline-storage-dialog').waitFor();
      await expect.poll(() => page.getByTestId('storage-size').textContent()).toMatch(/Cache on this device/);
      expect(await axeFindings(page)).toEqual([]);
      expect(await clipped(page, ['[data-testid="offline-storage-dialog"]'])).toEqual([]);
      await shot(page, `storage-dialog-${theme}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('offline-storage-dialog').waitFor({ state: 'detached' });
    }
  });
});

describe('the supervisor’s Queues view at 1280×720', () => {
  it('axe, nothing outside the window, light and dark; the log-out popover closes on Esc and on a click outside', async () => {
    const on = sofia.page;
    await signIn(on, sofia.host.url, SOFIA);
    await on.getByTestId('open-queues').click();
    await on.getByTestId('queues-view').waitFor();
    await expect.poll(() => on.getByTestId('queue-card').count()).toBe(2);
    await on.locator('[data-testid="queue-agent"][data-user="user_jordan"][data-status="available"]').first().waitFor();
    for (const theme of THEMES) {
      await setTheme(on, theme);
      expect(await axeFindings(on)).toEqual([]);
      expect(await clipped(on, ['[data-testid="queues-view"]', '.topbar'])).toEqual([]);
      await shot(on, `queues-view-${theme}`);
    }
    // A row's popovers show whole, over what follows, and the table stays where it was (its caption in view).
    const billing = on.locator('[data-testid="queue-card"][data-queue="queue_billing"]');
    await billing.locator('[data-testid="queue-agent"][data-user="user_tom"] [data-testid="capacity-button"]').click();
    await on.getByTestId('capacity-popover').waitFor();
    expect(await wholeOnScreen(on, '[data-testid="capacity-popover"]')).toEqual([]);
    expect(await billing.locator('.queue-agents').evaluate((el) => el.scrollTop)).toBe(0);
    await shot(on, 'queues-capacity-popover-dark');
    await on.keyboard.press('Escape');
    await on.getByTestId('capacity-popover').waitFor({ state: 'detached' });
    const logout = on.locator('[data-testid="queue-agent"][data-user="user_jordan"] [data-testid="queue-logout"]').first();
    await logout.click();
    await on.getByTestId('queue-logout-popover').waitFor();
    expect(await clipped(on, ['[data-testid="queue-logout-popover"]'])).toEqual([]);
    expect(await wholeOnScreen(on, '[data-testid="queue-logout-popover"]')).toEqual([]);
    expect(await billing.locator('.queue-agents').evaluate((el) => el.scrollTop)).toBe(0);
    expect(await axeFindings(on)).toEqual([]);
    await shot(on, 'queues-logout-popover-dark');
    await on.keyboard.press('Escape');
    await on.getByTestId('queue-logout-popover').waitFor({ state: 'detached' });
    await logout.click();
    await on.getByTestId('queue-logout-popover').waitFor();
    const title = (await on.locator('#queues-title').boundingBox())!;
    await on.mouse.click(title.x + title.width + 40, title.y + title.height / 2);
    await on.getByTestId('queue-logout-popover').waitFor({ state: 'detached' });
  });
});
