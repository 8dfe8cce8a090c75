import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageInboundPastWindow, DEMO, startProduct, type Product } from './support/product.ts';

/**
 * WhatsApp's 24-hour reply window, end to end: a conversation whose customer last wrote more than a day ago
 * (injected, then aged through the server's storage before Sam signs in) offers only approved templates; a
 * fresh one shows how long the window stays open.
 */

let product: Product;
let closedId: string;

beforeAll(async () => {
  product = await startProduct();
  closedId = await product.injectInbound('ch_sales_wa', '+14155550177', 'Is the blue tent back in stock?');
  ageInboundPastWindow(product, closedId);
});

afterAll(async () => {
  await product?.close();
});

describe('WhatsApp 24-hour window, end to end', () => {
  it('signs Sam in', async () => {
    await product.signIn(DEMO.sam);
  });

  it('a conversation whose customer wrote over a day ago offers only templates, and a template goes out', async () => {
    const page = product.page;
    await page.locator('[data-testid="conversation-item"]', { hasText: 'blue tent' }).first().click();
    const banner = page.getByTestId('whatsapp-window-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('The 24-hour reply window is closed: only an approved template can be sent');
    expect(await page.getByTestId('composer-input').isDisabled()).toBe(true);
    await page.getByTestId('template-picker').waitFor();
    await page.getByTestId('template-select').selectOption('tpl_sales_follow_up');
    await page.getByTestId('template-send').click();
    await page.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'following up on your recent message' }).waitFor();
  });

  it('a conversation the customer wrote to just now shows when the window closes', async () => {
    const page = product.page;
    await product.injectInbound('ch_sales_wa', '+14155550178', 'Do you ship to Canada?');
    await page.locator('[data-testid="conversation-item"]', { hasText: 'ship to Canada' }).first().click();
    await page.locator('[data-testid="whatsapp-window-banner"]', { hasText: /Reply window open — closes in 2[34] h \d+ min/ }).waitFor();
    expect(await page.getByTestId('template-picker').count()).toBe(0);
    expect(await page.getByTestId('composer-input').isDisabled()).toBe(false);
  });
});
