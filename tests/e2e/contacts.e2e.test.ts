import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * Contacts and search in the browser, as Sam (Sales): an inbound from an
 * unknown number, a contact created from it, edited, made a favourite, a
 * meeting started, and the message found again by full-text search.
 */

const SALES_SMS = 'ch_sales_sms';
const CUSTOMER = '+14155550163';
const CUSTOMER_FORMATTED = '+1 415 555 0163';
const MEETINGS = 'https://meet.example.com';

let product: Product;
let page: Page;
let conversationId: string;

const conversationItem = (id: string) => page.locator(`[data-testid="conversation-item"][data-id="${id}"]`);
const title = () => page.getByTestId('conversation-title');

beforeAll(async () => {
  product = await startProduct({ server: { meetingUrlTemplate: `${MEETINGS}/{contactId}` } });
  page = product.page;
  // No network here: the meeting address answers locally.
  await page.context().route(`${MEETINGS}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>meeting</title>' }));
});

afterAll(async () => {
  await product?.close();
});

describe('contacts and search, end to end in a browser', () => {
  it('shows an unlinked conversation by its formatted number', async () => {
    await product.signIn(DEMO.sam);
    conversationId = await product.injectInbound(SALES_SMS, CUSTOMER, 'Hello, can I rent a sea kayak for the weekend?');
    await conversationItem(conversationId).click();
    await expect.poll(() => title().textContent()).toBe(CUSTOMER_FORMATTED);
  });

  it('creates a contact from the conversation (prefilled with the number) and the title follows', async () => {
    await page.getByTestId('contact-menu').click();
    await page.getByTestId('contact-menu-create').click();
    const form = page.getByTestId('contact-form');
    expect(await form.getByTestId('contact-phone').first().inputValue()).toBe(CUSTOMER_FORMATTED);
    await form.getByTestId('contact-name').fill('Riley Quinn');
    await form.getByTestId('contact-save').click();
    await expect.poll(() => title().textContent()).toBe('Riley Quinn');
    await expect.poll(() => conversationItem(conversationId).textContent()).toContain('Riley Quinn');
    // The new contact's panel is open on its info.
    await expect.poll(() => page.getByTestId('contact-panel-name').textContent()).toBe('Riley Quinn');
  });

  it('refuses an invalid number with a clear message, then saves a valid edit', async () => {
    const panel = page.getByTestId('contact-panel');
    await panel.getByTestId('contact-edit').click();
    await panel.getByTestId('contact-phone').first().fill('12345');
    await panel.getByTestId('contact-company').fill('Harbour Paddlers');
    await panel.getByTestId('contact-save').click();
    await expect.poll(() => panel.getByTestId('contact-form-error').textContent()).toMatch(/“12345” is not a valid phone number/);

    await panel.getByTestId('contact-phone').first().fill('(415) 555-0163');
    await panel.getByTestId('contact-add-phone').click();
    await panel.getByTestId('contact-phone').nth(1).fill('+1 212 555 7319');
    await panel.getByTestId('contact-save').click();
    await panel.getByTestId('contact-info').waitFor();
    await expect.poll(() => panel.getByTestId('contact-company-value').textContent()).toBe('Harbour Paddlers');
    await expect.poll(() => panel.getByTestId('contact-phones').textContent()).toBe(`${CUSTOMER_FORMATTED}+1 212 555 7319`);
    // Acknowledged by the server: nothing left pending.
    await page.getByTestId('contact-pending').waitFor({ state: 'detached' });
  });

  it('marks the contact a favourite; it appears in (4) and opens its info and history', async () => {
    await page.getByTestId('contact-favourite').click();
    await expect.poll(() => page.getByTestId('contact-favourite').getAttribute('aria-pressed')).toBe('true');
    const favourite = page.locator('[data-area="4"] [data-testid="favourite-contact"]', { hasText: 'Riley Quinn' });
    await favourite.waitFor();

    await page.getByTestId('contact-panel-close').click();
    await page.getByTestId('contact-panel').waitFor({ state: 'detached' });
    await favourite.click();
    await expect.poll(() => page.getByTestId('contact-panel-name').textContent()).toBe('Riley Quinn');
    await page.getByTestId('contact-tab-history').click();
    const history = page.locator(`[data-testid="contact-history-item"][data-id="${conversationId}"]`);
    await history.waitFor();
  });

  it('starts a meeting at the organisation’s meeting address', async () => {
    await page.getByTestId('contact-tab-info').click();
    const popup = page.waitForEvent('popup');
    await page.getByTestId('contact-meeting').click();
    const meeting = await popup;
    await expect.poll(() => meeting.url()).toMatch(new RegExp(`^${MEETINGS}/contact_`));
    await meeting.close();
  });

  it('finds the message by a word in it, and the result opens the conversation', async () => {
    await page.getByTestId('contact-panel-close').click();
    // Open another conversation first, so the result visibly navigates.
    const other = page.locator(`[data-testid="conversation-item"]:not([data-id="${conversationId}"])`).first();
    await other.click();
    await expect.poll(() => page.getByTestId('conversation-pane').getAttribute('data-id')).not.toBe(conversationId);

    await page.keyboard.press('Control+k');
    await page.locator('[data-testid="search-input"]:focus').waitFor();
    await page.keyboard.type('kayak');
    const hit = page.locator(`[data-testid="search-result-message"][data-conversation-id="${conversationId}"]`);
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toBe('kayak');
    await hit.click();
    await expect.poll(() => page.getByTestId('conversation-pane').getAttribute('data-id')).toBe(conversationId);
    await expect.poll(() => title().textContent()).toBe('Riley Quinn');
  });

  it('finds the contact by name and opens its panel', async () => {
    await page.getByTestId('search-input').fill('riley');
    const hit = page.locator('[data-testid="search-result-contact"]', { hasText: 'Riley Quinn' });
    await hit.click();
    await expect.poll(() => page.getByTestId('contact-panel-name').textContent()).toBe('Riley Quinn');
  });
});
