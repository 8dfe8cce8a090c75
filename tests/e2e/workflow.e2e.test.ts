import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';
import { conversationAction, openListFilters } from './support/ui.ts';

/**
 * The conversation workflow in the browser. As Sam (Sales): a new conversation
 * by typed number (an invalid number and WhatsApp refused, SMS offered),
 * Assign to me from Unassigned, a tag and the tag filter, a pre-written
 * message by `/hours`, close, archive. As Maya (manager): assignment mode off
 * for Sales and a new pre-written message, which Sam then sees.
 */

let product: Product;
let page: Page;
let newConversationId: string;

const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-id="${id}"]`);
const pane = () => page.getByTestId('conversation-pane');
const openId = async (): Promise<string> => (await pane().getAttribute('data-id')) ?? '';

async function signOut(): Promise<void> {
  await page.getByTestId('sign-out').click();
  await page.getByTestId('signin-email').waitFor();
}

beforeAll(async () => {
  product = await startProduct({ server: { delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } } });
  page = product.page;
});

afterAll(async () => {
  await product?.close();
});

describe('conversation workflow, end to end in a browser', () => {
  it('refuses an invalid number and WhatsApp (offering SMS), then starts a conversation by typed number', async () => {
    await product.signIn(DEMO.sam);
    await page.getByTestId('create-menu').click();
    await page.getByTestId('create-new-conversation').click();
    const dialog = page.getByTestId('new-conversation-dialog');
    expect(await dialog.getByTestId('new-conversation-channel').inputValue()).toBe('ch_sales_sms');

    await dialog.getByTestId('new-conversation-number').fill('555-01');
    await dialog.getByTestId('new-conversation-body').fill('Hi! Your Ridgeline pack is ready for pickup.');
    await dialog.getByTestId('new-conversation-start').click();
    await expect.poll(() => dialog.getByTestId('new-conversation-error').textContent()).toMatch(/not a valid phone number/);

    await dialog.getByTestId('new-conversation-channel').selectOption('ch_sales_wa');
    await expect.poll(() => dialog.getByTestId('new-conversation-whatsapp').textContent()).toMatch(/customer has to write first/);
    expect(await dialog.getByTestId('new-conversation-start').isDisabled()).toBe(true);
    await dialog.getByTestId('new-conversation-use-sms').click();
    expect(await dialog.getByTestId('new-conversation-channel').inputValue()).toBe('ch_sales_sms');

    await dialog.getByTestId('new-conversation-number').fill('(415) 555-0199');
    await dialog.getByTestId('new-conversation-body').fill('Hi! Your Ridgeline pack is ready for pickup.');
    await dialog.getByTestId('new-conversation-start').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('conversation-title').textContent()).toBe('+1 415 555 0199');
    await page.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'Ridgeline pack is ready' }).waitFor();
    newConversationId = await openId();
    await item(newConversationId).waitFor();
  });

  it('assigns an unassigned conversation to Sam', async () => {
    await page.locator('[data-testid="filter-assignment"][data-value="unassigned"]').click();
    const first = page.getByTestId('conversation-item').first();
    const id = (await first.getAttribute('data-id')) ?? '';
    await first.click();
    await expect.poll(openId).toBe(id);
    await conversationAction(page, 'assign-to-me');
    await expect.poll(() => pane().getByTestId('conversation-assignee').first().textContent()).toContain('Assigned to you');
    // It leaves the Unassigned list.
    await item(id).waitFor({ state: 'detached' });
  });

  it('adds a tag and filters the list by it', async () => {
    await page.getByTestId('folder-open').click();
    await item(newConversationId).click();
    await expect.poll(openId).toBe(newConversationId);
    await page.getByTestId('add-tag').click();
    await page.getByTestId('tag-input').fill('Pickup');
    await page.getByTestId('tag-save').click();
    await page.locator('[data-testid="conversation-tag"][data-tag="pickup"]').waitFor();

    await openListFilters(page);
    await expect.poll(() => page.locator('[data-testid="tag-filter"] option[value="pickup"]').count()).toBe(1);
    await page.getByTestId('tag-filter').selectOption('pickup');
    await expect.poll(() => page.getByTestId('conversation-item').count()).toBe(1);
    expect(await page.getByTestId('conversation-item').first().getAttribute('data-id')).toBe(newConversationId);
    await page.getByTestId('tag-filter').selectOption('');
  });

  it('fills in a pre-written message by typing /hours, and sends it', async () => {
    const composer = page.getByTestId('composer-input');
    await composer.fill('/hours');
    await page.getByTestId('canned-suggestion').first().waitFor();
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toMatch(/^We’re open 9am–7pm/);
    await page.getByTestId('composer-send').click();
    await page.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'We’re open 9am–7pm' }).waitFor();
  });

  it('closes the conversation, finds it under Closed, and archives it', async () => {
    await conversationAction(page, 'close-conversation');
    await page.locator('[data-testid="conversation-status"][data-status="closed"]').waitFor();
    await page.getByTestId('folder-closed').click();
    await item(newConversationId).waitFor();

    await item(newConversationId).click();
    await expect.poll(openId).toBe(newConversationId);
    await conversationAction(page, 'archive');
    await item(newConversationId).waitFor({ state: 'detached' });
    await openListFilters(page);
    await page.locator('[data-testid="filter-read"][data-value="archived"]').click();
    await item(newConversationId).waitFor();
    await page.getByTestId('conversation-more').click();
    await page.getByTestId('unarchive').waitFor();
    await page.keyboard.press('Escape');
    await openListFilters(page);
    await page.locator('[data-testid="filter-read"][data-value="all"]').click();
  });

  it('as Maya: turns assignment mode off for Sales and adds a pre-written message', async () => {
    await signOut();
    await product.signIn(DEMO.maya);
    await page.getByTestId('open-manage').click();
    const manage = page.getByTestId('manage-dialog');
    await manage.locator('[data-testid="manage-inbox"][data-id="inbox_sales"]').click();
    await manage.getByTestId('manage-assignment-mode').uncheck();
    await manage.getByTestId('manage-inbox-save').click();

    await manage.getByTestId('manage-canned-title').fill('Returns');
    await manage.getByTestId('manage-canned-key').fill('/returns');
    await manage.getByTestId('manage-canned-body').fill('Unworn items can be returned within 60 days.');
    await manage.getByTestId('manage-canned-save').click();
    await manage.locator('[data-testid="manage-canned"][data-key="returns"]').waitFor();
    await expect.poll(() => manage.getByTestId('manage-pending').count()).toBe(0);
    expect(await manage.getByTestId('manage-failed').count()).toBe(0);
    await manage.getByTestId('manage-close').click();
  });

  it('as Sam again: no assign controls or assignment filters in Sales, and the new pre-written message is there', async () => {
    await signOut();
    await product.signIn(DEMO.sam);
    await page.getByTestId('conversation-item').first().click();
    await page.getByTestId('conversation-title').waitFor();
    expect(await page.getByTestId('filter-assignment').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).toEqual(['withMe']);
    expect(await page.getByTestId('assign-to-me').count()).toBe(0);
    await page.getByTestId('conversation-more').click();
    await page.getByTestId('conversation-more-items').waitFor();
    expect(await page.getByTestId('assign-to').count()).toBe(0);
    expect(await page.locator('[data-area="15"]').count()).toBe(0);
    await page.keyboard.press('Escape');

    await page.getByTestId('canned-open').click();
    await page.getByTestId('canned-search').fill('return');
    await page.locator('[data-testid="canned-option"][data-key="returns"]').click();
    await expect.poll(() => page.getByTestId('composer-input').inputValue()).toBe('Unworn items can be returned within 60 days.');
  });
});
