import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * SPEC (18) in the browser, as Sam (Sales): a PNG attached to a reply is previewed on the sent
 * message (loaded through the browser host's proxy, under the strict CSP), an oversize file is
 * refused before any upload, and an emoji is picked into the composer.
 */

const SALES_WEB = 'ch_sales_web';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let product: Product;
let page: Page;
let conversationId: string;
const cspViolations: string[] = [];

const uploadsOnServer = (): string[] => {
  try {
    return readdirSync(join(product.dir, 'server', 'attachments')).filter((f) => /^att_[0-9a-f]{32}$/.test(f));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  product = await startProduct();
  page = product.page;
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

afterAll(async () => {
  await product?.close();
});

describe('attachments and emoji, end to end in a browser', () => {
  it('attaches a small PNG and shows its preview on the sent message', async () => {
    await product.signIn(DEMO.sam);
    conversationId = await product.injectInbound(SALES_WEB, 'visitor-attach', 'Can you send me a photo of the green pack?');
    await page.locator(`[data-testid="conversation-item"][data-id="${conversationId}"]`).click();
    await page.getByTestId('attach-input').setInputFiles({ name: 'green-pack.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => page.getByTestId('composer-attachment').textContent()).toContain('green-pack.png');
    await page.getByTestId('composer-input').fill('Here it is');
    await page.getByTestId('composer-send').click();

    const message = page.locator('[data-testid="message"][data-direction="out"]', { hasText: 'Here it is' });
    await expect.poll(() => message.getAttribute('data-status'), { timeout: 15_000 }).toMatch(/sent|delivered/);
    const image = message.getByTestId('attachment-image');
    await expect
      .poll(() => image.evaluate((img) => {
        // Node typings only here: the page's image element, as the browser sees it.
        const el = img as unknown as { complete: boolean; naturalWidth: number };
        return el.complete ? el.naturalWidth : 0;
      }), { timeout: 10_000 })
      .toBe(1);
    expect(await image.getAttribute('src')).toMatch(/^\/attachments\/att_[0-9a-f]{32}\?token=/);
    expect(uploadsOnServer()).toHaveLength(1);
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
  });

  it('refuses an oversize file with a clear error before uploading it', async () => {
    const before = uploadsOnServer().length;
    await page.getByTestId('attach-input').setInputFiles({ name: 'tour.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
    await expect.poll(() => page.getByTestId('composer-error').textContent()).toMatch(/tour\.mp4 is 6 MB; a message can carry at most 5 MB/);
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
    expect(uploadsOnServer()).toHaveLength(before);
  });

  it('picks an emoji into the composer at the caret', async () => {
    const input = page.getByTestId('composer-input');
    await input.fill('Thanks ');
    await page.getByTestId('emoji-button').click();
    await page.getByTestId('emoji-search').fill('thumbs up');
    await page.getByTestId('emoji-option').first().click();
    // emojibase gives the fully qualified form (with the emoji presentation selector U+FE0F).
    await expect.poll(() => input.inputValue()).toBe('Thanks \u{1F44D}\u{FE0F}');
    expect(await page.getByTestId('emoji-panel').count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });
});
