import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * A first sync of the seeded demo workspace, watched in Chromium: the list column shows a bar with counts
 * that grow while snapshot pages are stored, never an empty "nothing here"; afterwards every empty view says
 * what will appear there and how. The proxy holds the server back once part of the sync has arrived, so the
 * test looks at the middle of the sync without racing it. Counts are read from the DOM, never timed.
 */

let product: Product;
let page: Page;

/** Every state the progress element was in, recorded in the page by a MutationObserver from the first paint. */
const RECORDER = `(() => {
  window.__syncSamples = [];
  const record = () => {
    const el = document.querySelector('[data-testid="sync-progress"]');
    if (!el) return;
    const sample = { records: Number(el.dataset.records), conversations: Number(el.dataset.conversations), messages: Number(el.dataset.messages),
      text: el.querySelector('[data-testid="sync-progress-counts"]')?.textContent ?? '' };
    const last = window.__syncSamples[window.__syncSamples.length - 1];
    if (!last || last.records !== sample.records || last.text !== sample.text) window.__syncSamples.push(sample);
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})()`;

interface Sample {
  records: number;
  conversations: number;
  messages: number;
  text: string;
}

beforeAll(async () => {
  // Small snapshot pages (25 records) so the demo workspace arrives in many steps; the proxy stops after ~120 KB.
  product = await startProduct({ pausable: { pauseAfterBytes: 120_000 }, server: { sync: { maxBatch: 25 } } });
  page = product.page;
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.addInitScript(RECORDER);
});

afterAll(async () => {
  await product?.close();
});

describe('first sync', () => {
  it('shows a progress bar whose counts grow, then the conversations', async () => {
    await page.goto(product.host.url);
    await page.getByTestId('signin-email').fill(DEMO.ava.email);
    await page.getByTestId('signin-password').fill(DEMO.ava.password);
    await page.getByTestId('signin-submit').click();

    await product.proxy?.pausedItself;
    const progress = page.locator('[data-testid="sync-progress"]:not([data-records="0"])');
    await progress.waitFor();
    // Mid-sync: the bar and its counts, and no "nothing here" under it.
    await expect.poll(() => page.getByTestId('sync-progress-counts').textContent()).toMatch(/^[\d,.\s]+ conversations? and [\d,.\s]+ messages? so far$/);
    expect(await page.getByTestId('list-empty').count()).toBe(0);
    expect(await page.getByRole('progressbar', { name: 'Sync progress' }).getAttribute('aria-valuetext')).toMatch(/^Part \d+ of \d+: /);

    product.proxy?.resume();
    await page.getByTestId('sync-progress').waitFor({ state: 'detached' });
    await page.getByTestId('conversation-item').first().waitFor();

    const samples = (await page.evaluate('window.__syncSamples')) as Sample[];
    const started = samples.filter((s) => s.records > 0);
    expect(started.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < started.length; i++) expect(started[i]!.records).toBeGreaterThanOrEqual(started[i - 1]!.records);
    const first = started[0]!;
    const last = started[started.length - 1]!;
    expect(last.records).toBeGreaterThan(first.records);
    expect(last.conversations).toBeGreaterThan(0);
    expect(last.messages).toBeGreaterThan(0);
    // What the bar said is what the counts were (grouped in the person's locale).
    expect(last.text).toBe(`${last.conversations.toLocaleString('en-US')} conversations and ${last.messages.toLocaleString('en-US')} messages so far`);
  });

  it('after the sync, empty views say what will appear and how', async () => {
    // Ava (admin) has written nowhere and has no chats or favourites of her own.
    await expect.poll(() => page.getByTestId('conversation-none').textContent()).toMatch(/No conversation open.*Choose one in the list/);
    await expect.poll(() => page.getByTestId('direct-chats-empty').textContent()).toMatch(/No direct chats yet.*New direct chat/);
    await expect.poll(() => page.getByTestId('favourites-empty').textContent()).toMatch(/No favourite contacts/);

    await page.locator('[data-testid="filter-assignment"][data-value="withMe"]').click();
    await expect.poll(() => page.getByTestId('list-empty').textContent()).toMatch(/No conversations with you.*written in/);

    await page.getByTestId('search-input').fill('zzqxjv');
    await expect.poll(() => page.getByTestId('search-empty').textContent()).toMatch(/Nothing matches “zzqxjv”.*Try fewer words/);
    await page.keyboard.press('Escape');
  });
});
