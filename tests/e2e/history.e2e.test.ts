import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOldConversation, type OldConversation } from '../integration/fixtures/history-seed.ts';
import { axeFindings } from './support/axe.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * Issue 13 in Chromium on a large demo workspace: the first sync brings a window, the person works at once,
 * opens a conversation a year old found by a word only its uncached history holds (labelled as the server's),
 * scrolls its history back to the start, and goes offline to see what is still there.
 */
const DEMO_SIZE = 3_000;
const SHOTS = process.env.SWITCHBOARD_E2E_SCREENSHOTS ?? '';

let product: Product;
let page: Page;
let thread: OldConversation;
let second: OldConversation;

async function theme(value: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-menu').click();
  await page.locator(`[data-testid="theme-choice"][data-value="${value}"]`).click();
  await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(value);
}

async function shot(name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function search(text: string): Promise<void> {
  await page.getByTestId('search-input').fill(text);
  await page.getByTestId('search-results').waitFor();
}

beforeAll(async () => {
  product = await startProduct({ pausable: true, server: { demoSize: DEMO_SIZE } });
  page = product.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  const serverDir = path.join(product.dir, 'server');
  thread = await seedOldConversation(serverDir, { id: 'conv_year_old', messages: 130, ageDays: 400, word: 'zebracorn', wordAt: 1 });
  second = await seedOldConversation(serverDir, { id: 'conv_two_years', messages: 80, ageDays: 700, word: 'quokkaplan', wordAt: 3 });
}, 180_000);

afterAll(async () => {
  await product?.close();
});

describe('a partial cache in the app', () => {
  it('signs in and works at once: a reply to the first conversation is sent', async () => {
    await product.signIn(DEMO.maya);
    await page.getByTestId('conversation-item').first().click();
    await page.getByTestId('composer-input').fill('On it — replying straight after sign-in');
    await page.getByTestId('composer-send').click();
    await page.locator('[data-testid="message"]', { hasText: 'replying straight after sign-in' }).waitFor();
  });

  it('finds a word only the uncached history holds, labelled as found on the server', async () => {
    await search('zebracorn');
    const hit = page.locator(`[data-testid="search-result-message"][data-id="${thread.messageIds[1]}"]`);
    await hit.waitFor();
    expect(await hit.getAttribute('data-from-server')).toBe('true');
    expect(await hit.getByTestId('search-from-server').textContent()).toBe('server');
    await shot('history-search-server');
    for (const t of ['dark', 'light'] as const) {
      await theme(t);
      await search('zebracorn');
      expect(await axeFindings(page, ['[data-testid="search-results"]'])).toEqual([]);
    }
  });

  it('opens that conversation and scrolls its history back to the start', async () => {
    await search('zebracorn');
    await page.locator(`[data-testid="search-result-message"][data-id="${thread.messageIds[1]}"]`).click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${thread.id}"]`).waitFor();
    const list = page.getByTestId('message-list');
    // Scroll to the top until the first message of the thread is there.
    await expect
      .poll(
        async () => {
          await list.evaluate((el) => (el.scrollTop = 0));
          return page.locator('[data-testid="message"]', { hasText: 'Message number 1 of the old thread' }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await expect.poll(() => page.getByTestId('message').count()).toBe(thread.messageIds.length);
    await page.getByText('Start of the conversation').waitFor();
  });

  it('shows the offline storage preferences: the budget and the cache size', async () => {
    await page.getByTestId('offline-storage').click();
    const dialog = page.getByTestId('offline-storage-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('storage-budget-90').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('storage-size').textContent()).toMatch(/Cache on this device: [\d.,]+\s?(kB|MB|GB)/);
    await shot('history-storage-light');
    for (const t of ['light', 'dark'] as const) {
      if (t === 'dark') {
        await page.getByTestId('storage-close').click();
        await theme('dark');
        await page.getByTestId('offline-storage').click();
        await dialog.waitFor();
      }
      expect(await axeFindings(page)).toEqual([]);
    }
    await shot('history-storage-dark');
    await page.getByTestId('storage-budget-365').check();
    await expect.poll(() => page.getByTestId('storage-budget-365').isChecked()).toBe(true);
    await page.getByTestId('storage-close').click();
    await theme('light');
  });

  it('offline: what is cached is still there, the rest says "not available offline"', async () => {
    // Found (and so cached as a row with one message) while online; its older messages are on the server only.
    await search('quokkaplan');
    await page.locator(`[data-testid="search-result-message"][data-id="${second.messageIds[3]}"]`).waitFor();
    await page.keyboard.press('Escape');
    product.proxy!.offline();
    await page.locator('[data-testid="connection"]:not([data-status="online"])').waitFor();

    await search('zebracorn');
    await page.getByTestId('search-offline').waitFor();
    // The thread read before is kept: found locally now, without the server label.
    const kept = page.locator(`[data-testid="search-result-message"][data-id="${thread.messageIds[1]}"]`);
    await kept.waitFor();
    expect(await kept.getAttribute('data-from-server')).toBe('false');
    await shot('history-search-offline');
    await page.keyboard.press('Escape');

    await search('quokkaplan');
    await page.locator(`[data-testid="search-result-message"][data-id="${second.messageIds[3]}"]`).click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${second.id}"]`).waitFor();
    await page.getByTestId('history-offline').waitFor();
    expect(await page.getByTestId('history-offline').textContent()).toContain('not available offline');
    await page.getByTestId('counts-source').waitFor();
    await shot('history-offline-light');
    for (const t of ['dark', 'light'] as const) {
      await theme(t);
      expect(await axeFindings(page)).toEqual([]);
      if (t === 'dark') await shot('history-offline-dark');
    }

    // Back online: the older messages arrive without asking again.
    product.proxy!.online();
    await page.locator('[data-testid="connection"][data-status="online"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('history-offline').waitFor({ state: 'detached', timeout: 30_000 });
  });
});
