import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { startBrowserHost, type BrowserHost } from '../../main/hosts/browser-host.ts';
import { DEMO, ROOT, startProduct, type Product } from './support/product.ts';

/**
 * Carrier registration end to end: Ava (admin, her own client) sets Sales SMS to
 * pending in Manage → Sam (Sales, signed in meanwhile) sees the warning in the
 * sidebar channel row and the banner above the composer live, and his SMS reply
 * is refused with the actionable reason; back to approved → Retry delivers.
 */

let product: Product;
let sam: Page;
let ava: Page;
let avaCore: ClientCore;
let avaHost: BrowserHost;

beforeAll(async () => {
  product = await startProduct({ server: { delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } } });
  sam = product.page;
  avaCore = await createClientCore({ dataDir: path.join(product.dir, 'client-ava'), defaultServerUrl: product.server.url, log: () => {} });
  avaHost = await startBrowserHost({ core: avaCore, rendererDir: path.join(ROOT, 'dist', 'renderer') });
  ava = await (await product.browser.newContext()).newPage();
  sam.setDefaultTimeout(12_000);
  ava.setDefaultTimeout(12_000);
});

afterAll(async () => {
  await ava?.close();
  await avaHost?.close();
  await avaCore?.close();
  await product?.close();
});

async function signInAva(): Promise<void> {
  await ava.goto(avaHost.url);
  await ava.getByTestId('signin-email').fill(DEMO.ava.email);
  await ava.getByTestId('signin-password').fill(DEMO.ava.password);
  await ava.getByTestId('signin-submit').click();
  await ava.locator('[data-testid="connection"][data-status="online"]').waitFor();
}

async function setSalesSms(registration: string): Promise<void> {
  await ava.getByTestId('open-manage').click();
  const dialog = ava.getByTestId('manage-dialog');
  await dialog.locator('[data-testid="manage-inbox"][data-id="inbox_sales"]').click();
  const select = dialog.locator('[data-testid="manage-channel"][data-id="ch_sales_sms"] [data-testid="manage-channel-registration"]');
  await select.selectOption(registration);
  await expect.poll(() => select.inputValue()).toBe(registration);
  await expect.poll(() => dialog.getByTestId('manage-pending').count()).toBe(0);
  await dialog.getByTestId('manage-close').click();
}

describe('carrier registration, end to end', () => {
  it('an admin sets Sales SMS to pending: Sam sees the warnings live and his reply is refused with what to do', async () => {
    const conversationId = await product.injectInbound('ch_sales_sms', '+12065550777', 'Is the Ridgeline pack back in stock?');
    await product.signIn(DEMO.sam);
    await sam.locator(`[data-testid="conversation-item"][data-id="${conversationId}"]`).click();
    await sam.getByTestId('composer-input').waitFor();
    expect(await sam.getByTestId('registration-banner').count()).toBe(0);
    // Sam is not an admin: his Manage screen (if any) has no registration select.
    expect(await sam.getByTestId('manage-channel-registration').count()).toBe(0);

    await signInAva();
    await setSalesSms('pending');

    const row = sam.locator('[data-testid="channel"][data-id="ch_sales_sms"] [data-testid="registration-warning"]');
    await row.waitFor();
    await expect.poll(() => sam.getByTestId('registration-banner').textContent()).toMatch(/complete carrier registration for \+14155550100/);

    await sam.getByTestId('composer-input').fill('Yes! Back in stock since Monday.');
    await sam.getByTestId('composer-send').click();
    const failed = sam.locator('[data-testid="message"]', { hasText: 'Back in stock since Monday' });
    await expect.poll(() => failed.getByTestId('message-error').textContent()).toMatch(/ask an admin to complete carrier registration for \+14155550100/);

    await setSalesSms('approved');
    await row.waitFor({ state: 'detached' });
    await expect.poll(() => sam.getByTestId('registration-banner').count()).toBe(0);
    await failed.getByTestId('message-retry').click();
    await sam.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'Back in stock since Monday' }).waitFor();
  });
});
