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
  await ageInboundPastWindow(product, closedId);
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
    expect(await banner.textContent()).toBe(
      'The 24-hour reply window is closed: only an approved template can be sent. Free-form replies open again when the customer writes.',
    );
    await page.getByTestId('template-picker').waitFor();
    // Said once: the pane mentions the window nowhere else, and the reply box gives way to the picker.
    const pane = page.getByTestId('conversation-pane');
    expect(((await pane.textContent()) ?? '').match(/24-hour/g)).toHaveLength(1);
    expect(await page.getByTestId('composer-input').count()).toBe(0);
    expect(await page.getByTestId('composer-disabled-reason').count()).toBe(0);
    // One send button.
    expect(await page.getByTestId('composer-send').count()).toBe(0);
    expect(await page.locator('[data-area="18"] button', { hasText: /^\s*Send/ }).count()).toBe(1);
    await page.getByTestId('template-select').selectOption('tpl_sales_follow_up');
    await page.getByTestId('template-send').click();
    await page.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'following up on your recent message' }).waitFor();
  });

  it("a template's {{1}} {{2}} are filled in the picker, previewed as typed, and required before it is sent", async () => {
    const page = product.page;
    await page.getByTestId('template-select').selectOption('tpl_sales_order_update');
    const preview = page.getByTestId('template-preview');
    expect(await preview.locator('mark.template-missing').allTextContents()).toEqual(['{{1}}', '{{2}}']);
    // The first value box takes the focus, so the agent can type straight away.
    await page.locator('[data-testid="template-value-1"]:focus').waitFor();
    await page.keyboard.type('Dana');
    await page.getByTestId('template-send').click();
    expect(await page.getByTestId('template-error').textContent()).toBe('Fill in {{2}}.');
    await page.getByTestId('template-value-2').fill('#4417');
    // The problem goes as soon as the value is there, before anything is sent.
    await page.getByTestId('template-error').waitFor({ state: 'detached' });
    expect(await preview.locator('mark.template-filled').allTextContents()).toEqual(['Dana', '#4417']);
    expect(await preview.textContent()).toBe('Hi Dana, your Northwind Outfitters order #4417 has an update. Reply to this message and we will share the details.');
    await page.getByTestId('template-value-2').press('Enter');
    await page.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'Hi Dana, your Northwind Outfitters order #4417 has an update' }).waitFor();
    expect(await page.getByTestId('template-select').inputValue()).toBe('');
    expect(await page.getByTestId('template-values').count()).toBe(0);
  });

  it('a conversation the customer wrote to just now shows when the window closes', async () => {
    const page = product.page;
    await product.injectInbound('ch_sales_wa', '+14155550178', 'Do you ship to Canada?');
    await page.locator('[data-testid="conversation-item"]', { hasText: 'ship to Canada' }).first().click();
    await page.locator('[data-testid="whatsapp-window-banner"]', { hasText: /Reply window open — closes in 2[34] h \d+ min/ }).waitFor();
    expect(await page.getByTestId('template-picker').count()).toBe(0);
    expect(await page.getByTestId('composer-input').isDisabled()).toBe(false);
    expect(await page.getByTestId('composer-input').getAttribute('placeholder')).toMatch(/^Write a reply/);
  });
});
