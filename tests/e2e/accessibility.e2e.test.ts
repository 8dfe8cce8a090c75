import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeFindings, type AxeFinding } from './support/axe.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * axe-core on every main view, in the light and the dark theme: 0 violations of any impact. The sign-in
 * screen follows the OS (prefers-color-scheme); once signed in, the theme is the person's own choice from the
 * Theme menu. Each view is reached the way a person reaches it, in Chromium against the real product.
 */

let product: Product;
let page: Page;

const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

/** Findings in a form that names what failed when the assertion does. */
async function violations(on: Page = page): Promise<string[]> {
  const found: AxeFinding[] = await axeFindings(on);
  return found.map((f) => `${f.rule} (${f.impact}) at ${f.target}: ${f.summary}`);
}

async function chooseTheme(theme: Theme, on: Page = page): Promise<void> {
  await on.getByTestId('theme-menu').click();
  await on.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
  await expect.poll(() => on.evaluate('document.documentElement.dataset.theme')).toBe(theme);
}

/** Checks with the dialog open, then closes it with Esc (also when the check failed, so the next view starts clean). */
async function violationsIn(testId: string): Promise<string[]> {
  await page.getByTestId(testId).waitFor();
  try {
    return await violations();
  } finally {
    await page.keyboard.press('Escape');
    await page.getByTestId(testId).waitFor({ state: 'detached' });
  }
}

beforeAll(async () => {
  product = await startProduct();
  page = product.page;
  await page.setViewportSize({ width: 1440, height: 900 });
});

afterAll(async () => {
  await product?.close();
});

describe('accessibility of every main view (axe-core, 0 violations)', () => {
  for (const theme of THEMES) {
    it(`sign-in, following the OS in ${theme}`, async () => {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(product.host.url);
      await page.getByTestId('demo-accounts').waitFor();
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(theme);
      expect(await violations()).toEqual([]);
    });
  }

  it('signs in', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await product.signIn(DEMO.maya);
  });

  for (const theme of THEMES) {
    describe(`chosen theme: ${theme}`, () => {
      it('inbox (list, no conversation open)', async () => {
        await chooseTheme(theme);
        expect(await violations()).toEqual([]);
      });

      it('conversation', async () => {
        await page.getByTestId('conversation-item').first().click();
        await page.getByTestId('conversation-title').waitFor();
        expect(await violations()).toEqual([]);
      });

      it('details panel beside the conversation', async () => {
        await page.getByTestId('contact-menu').click();
        await page.getByTestId('contact-menu-info').click();
        await page.getByTestId('contact-info').waitFor();
        expect(await violations()).toEqual([]);
        await page.getByTestId('contact-tab-history').click();
        await page.getByTestId('contact-history-item').first().waitFor();
        expect(await violations()).toEqual([]);
      });

      it('search results', async () => {
        await page.getByTestId('search-input').fill('thank');
        await page.getByTestId('search-result-message').first().waitFor();
        expect(await violations()).toEqual([]);
        await page.keyboard.press('Escape');
        await page.getByTestId('search-results').waitFor({ state: 'detached' });
      });

      it('a team chat and a direct chat', async () => {
        await page.locator('[data-area="6"] [data-testid="chat"]').first().click();
        await page.getByTestId('chat-pane').waitFor();
        await page.getByTestId('chat-message').first().waitFor();
        expect(await violations()).toEqual([]);
        await page.locator('[data-area="5"] [data-testid="chat"]').first().click();
        expect(await violations()).toEqual([]);
      });

      it('manage dialog', async () => {
        await page.getByTestId('open-manage').click();
        expect(await violationsIn('manage-dialog')).toEqual([]);
      });

      it('dialogs: new conversation, and the keyboard shortcuts', async () => {
        await page.getByTestId('create-menu').click();
        await page.getByTestId('create-new-conversation').click();
        expect(await violationsIn('new-conversation-dialog')).toEqual([]);

        await page.getByTestId('conversation-item').first().click();
        await page.getByTestId('message-list').focus();
        await page.keyboard.press('?');
        expect(await violationsIn('shortcuts-overlay')).toEqual([]);
      });
    });
  }

  it('keeps the person’s chosen theme across a reload, over the OS setting', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByTestId('conversation-item').first().waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await page.getByTestId('theme-menu').getAttribute('data-theme-choice')).toBe('dark');
  });
});

describe('first sync progress and empty views (axe-core, 0 violations)', () => {
  let fresh: Product;
  let p: Page;

  beforeAll(async () => {
    // The proxy holds the server back part-way through the first sync, so the bar stays on screen for axe.
    fresh = await startProduct({ pausable: { pauseAfterBytes: 120_000 }, server: { sync: { maxBatch: 25 } } });
    p = fresh.page;
    await p.setViewportSize({ width: 1440, height: 900 });
  });

  afterAll(async () => {
    await fresh?.close();
  });

  it('the progress bar in the middle of a first sync, light and dark', async () => {
    await p.emulateMedia({ colorScheme: 'light' });
    await p.goto(fresh.host.url);
    await p.getByTestId('signin-email').fill(DEMO.ava.email);
    await p.getByTestId('signin-password').fill(DEMO.ava.password);
    await p.getByTestId('signin-submit').click();
    await fresh.proxy?.pausedItself;
    await p.locator('[data-testid="sync-progress"]:not([data-records="0"])').waitFor();
    for (const theme of THEMES) {
      await chooseTheme(theme, p);
      expect(await violations(p)).toEqual([]);
    }
    fresh.proxy?.resume();
    await p.getByTestId('sync-progress').waitFor({ state: 'detached' });
  });

  for (const theme of THEMES) {
    it(`empty views (list, chats, favourites, no conversation open, search without results) in ${theme}`, async () => {
      await chooseTheme(theme, p);
      await p.locator('[data-testid="filter-assignment"][data-value="withMe"]').click();
      await p.getByTestId('list-empty').waitFor();
      await p.getByTestId('direct-chats-empty').waitFor();
      await p.getByTestId('favourites-empty').waitFor();
      await p.getByTestId('conversation-none').waitFor();
      await p.getByTestId('search-input').fill('zzqxjv');
      await p.getByTestId('search-empty').waitFor();
      expect(await violations(p)).toEqual([]);
      await p.keyboard.press('Escape');
      await p.getByTestId('search-results').waitFor({ state: 'detached' });
    });
  }
});
