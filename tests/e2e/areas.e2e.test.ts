import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';
import { openListFilters } from './support/ui.ts';

/**
 * The path a new agent takes through the list areas, in Chromium against the
 * real stack: (2) only my inboxes, a channel filters the list, (7) the channel
 * drop-down, (13) both sorts, (12) Unread, (10) Closed, (14)/(17)/(19) a
 * contact's history in the side panel. Alex is a member of Support only.
 */

let product: Product;
let page: Page;

const list = () => page.getByTestId('conversation-list');
const items = () => page.getByTestId('conversation-item');
const total = async (): Promise<number> => Number(await list().getAttribute('data-total'));

async function untilListSettles(): Promise<void> {
  // A re-query swaps rows in one go; wait until two reads agree.
  let last = '';
  await expect
    .poll(async () => {
      const now = `${await list().getAttribute('data-total')}|${await items().first().getAttribute('data-id')}`;
      const same = now === last;
      last = now;
      return same;
    })
    .toBe(true);
}

async function visibleTimes(n: number): Promise<number[]> {
  const stamps = await items().locator('time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime') ?? '')));
  return stamps.slice(0, n);
}

beforeAll(async () => {
  product = await startProduct();
  page = product.page;
  await page.setViewportSize({ width: 1440, height: 900 });
});

afterAll(async () => {
  await product?.close();
});

describe('the inbox list areas, as a new agent', () => {
  it('(2) lists only the inboxes I belong to, with their channels', async () => {
    await product.signIn(DEMO.alex);
    const inboxes = await page.locator('[data-area="2"] [data-testid="inbox"]').allTextContents();
    expect(inboxes.join(' ')).toContain('Support');
    expect(inboxes.join(' ')).not.toContain('Sales');
    expect(await page.locator('[data-area="2"] [data-testid="channel"]').count()).toBe(3);
  });

  it('(2) choosing a channel shows only its conversations, and (7) the drop-down switches and clears it', async () => {
    await untilListSettles();
    const all = await total();
    await page.locator('[data-testid="channel"][data-id="ch_support_sms"]').click();
    await expect.poll(total).toBeLessThan(all);
    await untilListSettles();
    for (const meta of await items().locator('.ci-meta').allTextContents()) expect(meta).toContain('SMS');

    await openListFilters(page);
    await page.getByTestId('channel-filter').selectOption('ch_support_wa');
    await untilListSettles();
    for (const meta of await items().locator('.ci-meta').allTextContents()) expect(meta).toContain('WhatsApp');

    await page.getByTestId('channel-filter').selectOption('');
    await expect.poll(total).toBe(all);
  });

  it('(13) sorts by recent and oldest messages and conversations', async () => {
    await openListFilters(page);
    await page.getByTestId('sort').selectOption('recentMessages');
    await untilListSettles();
    const recent = await visibleTimes(5);
    expect(recent).toEqual([...recent].sort((a, b) => b - a));

    await page.getByTestId('sort').selectOption('oldestMessages');
    await untilListSettles();
    const oldest = await visibleTimes(5);
    expect(oldest).toEqual([...oldest].sort((a, b) => a - b));
    expect(oldest[0]).toBeLessThan(recent[0] ?? 0);

    await page.getByTestId('sort').selectOption('recentConversations');
    await untilListSettles();
    const newestCreated = await items().first().getAttribute('data-id');
    await page.getByTestId('sort').selectOption('oldestConversations');
    await untilListSettles();
    expect(await items().first().getAttribute('data-id')).not.toBe(newestCreated);
    await page.getByTestId('sort').selectOption('recentMessages');
  });

  it('(12) Unread shows only unread conversations', async () => {
    await openListFilters(page);
    await page.locator('[data-testid="filter-read"][data-value="unread"]').click();
    await untilListSettles();
    const flags = await items().evaluateAll((els) => els.map((e) => e.getAttribute('data-unread')));
    expect(flags.length).toBeGreaterThan(0);
    expect(new Set(flags)).toEqual(new Set(['true']));
    await page.locator('[data-testid="filter-read"][data-value="all"]').click();
    await untilListSettles();
    await page.keyboard.press('Escape');
    await page.getByTestId('list-filter-panel').waitFor({ state: 'detached' });
  });

  it('(10) Closed lists closed conversations, and opening one shows it closed', async () => {
    await page.getByTestId('folder-closed').click();
    await untilListSettles();
    expect(await total()).toBeGreaterThan(0);
    await items().first().click();
    await expect.poll(() => page.getByTestId('conversation-status').getAttribute('data-status')).toBe('closed');
    await page.getByTestId('folder-open').click();
    await untilListSettles();
  });

  it('(14) → (17)/(19): the contact menu opens the side panel with the contact history', async () => {
    const titles = await items().locator('.ci-title').allTextContents();
    const linked = titles.findIndex((t) => !t.startsWith('+') && !t.startsWith('visitor-'));
    expect(linked).toBeGreaterThanOrEqual(0);
    await items().nth(linked).click();
    const openId = await page.getByTestId('conversation-pane').getAttribute('data-id');

    await page.getByTestId('contact-menu').click();
    await page.getByTestId('contact-menu-history').click();
    const panel = page.getByTestId('contact-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-area')).toBe('19');
    await panel.locator(`[data-area="17"] [data-testid="contact-history-item"][data-id="${openId}"]`).waitFor();
    expect(await page.getByTestId('contact-panel-name').textContent()).toBe(titles[linked]);
  });
});
