import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxesOf, boxOf, clippedWithoutTooltip, offRow, outside, overlaps } from './support/geometry.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * The layout at 1280×720 and 1920×1080, by bounding boxes: the four regions sit side by side (the details
 * panel pushes the conversation, never covers it), the list header's status tabs stay on one row, the
 * conversation header never wraps, nothing overlaps, and text cut off with an ellipsis has a tooltip.
 * Below 1280 px the details panel floats over the conversation with a close button.
 */

let product: Product;
let page: Page;

beforeAll(async () => {
  product = await startProduct();
  page = product.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  await product.signIn(DEMO.maya);
  // A linked conversation, so the contact menu can open the details panel.
  await page.getByTestId('conversation-item').first().click();
  await page.getByTestId('conversation-title').waitFor();
});

afterAll(async () => {
  await product?.close();
});

async function regionBoxes() {
  return [
    await boxOf(page.locator('#sidebar'), 'sidebar'),
    await boxOf(page.locator('#conversation-list-column'), 'list'),
    await boxOf(page.getByTestId('main-region'), 'conversation'),
    ...(await page.getByTestId('contact-panel').isVisible() ? [await boxOf(page.getByTestId('contact-panel'), 'details')] : []),
  ];
}

async function headerProblems(): Promise<string[]> {
  const head = await boxOf(page.getByTestId('conversation-head'), 'conversation header');
  const title = await boxOf(page.getByTestId('conversation-title'), 'title');
  const actions = await boxesOf(page.locator('[data-testid="conversation-actions"] > *'), 'action');
  const list = await boxOf(page.locator('.list-head'), 'list header');
  const tabs = await boxesOf(page.locator('[data-testid="status-filter"] > button'), 'status tab');
  const listTop = await boxesOf(page.locator('.list-title-row > *'), 'list title row');
  const topbar = await boxOf(page.locator('.topbar'), 'top bar');
  const topItems = (await boxesOf(page.locator('.topbar > :not(.account), .topbar .account > *'), 'top bar item')).filter((b) => b.width > 0);
  return [
    ...offRow(actions),
    ...overlaps([title, ...actions]),
    ...outside([title, ...actions], head),
    ...offRow(tabs),
    ...overlaps(tabs),
    ...outside(tabs, list),
    ...offRow(listTop),
    ...overlaps(listTop),
    ...outside(listTop, list),
    ...outside(topItems, topbar),
    ...overlaps(topItems),
  ];
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`at ${width}×${height}`, () => {
    it('shows four regions side by side and the conversation keeps its room when the details panel opens', async () => {
      await page.setViewportSize({ width, height });
      if (!(await page.getByTestId('contact-panel').isVisible())) {
        await page.getByTestId('contact-menu').click();
        await page.getByTestId('contact-menu-info').click();
      }
      await page.getByTestId('contact-info').waitFor();
      const regions = await regionBoxes();
      expect(regions.map((r) => r.name)).toEqual(['sidebar', 'list', 'conversation', 'details']);
      expect(overlaps(regions)).toEqual([]);
      const [, , conversation, details] = regions;
      expect(conversation!.x + conversation!.width).toBeLessThanOrEqual(details!.x + 0.5);
      expect(details!.x + details!.width).toBeLessThanOrEqual(width + 0.5);
      expect(conversation!.width).toBeGreaterThanOrEqual(360);
    });

    it('keeps the list header and the conversation header on their rows, with nothing overlapping', async () => {
      expect(await headerProblems()).toEqual([]);
      await page.getByTestId('contact-panel-close').click();
      await page.getByTestId('contact-panel').waitFor({ state: 'detached' });
      expect(await headerProblems()).toEqual([]);
    });

    it('gives every cut-off name, number and label a tooltip', async () => {
      expect(await clippedWithoutTooltip(page, '.topbar, .sidebar, .list-head, [data-testid="conversation-head"]')).toEqual([]);
    });
  });
}

describe('below 1280 px', () => {
  it('floats the details panel over the conversation, with a close button that puts it away', async () => {
    await page.setViewportSize({ width: 1180, height: 720 });
    await page.getByTestId('contact-menu').click();
    await page.getByTestId('contact-menu-info').click();
    await page.getByTestId('contact-info').waitFor();
    const details = await boxOf(page.getByTestId('contact-panel'), 'details');
    const conversation = await boxOf(page.getByTestId('main-region'), 'conversation');
    expect(overlaps([details, conversation])).toEqual(['details overlaps conversation']);
    expect(details.x + details.width).toBeLessThanOrEqual(1180.5);
    await page.getByTestId('contact-panel-close').click();
    await page.getByTestId('contact-panel').waitFor({ state: 'detached' });
  });
});
