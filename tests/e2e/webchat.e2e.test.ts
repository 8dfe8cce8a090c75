import type { BrowserContext, Locator, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * Web chat end to end: Sam (Sales) in the real client, and a visitor in a second browser
 * context on the demo "customer site" (/webchat-demo) with the embedded widget.
 */

let product: Product;
let visitorContext: BrowserContext;
let visitor: Page;

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n% Northwind price list\n');

/** The decoded width of an <img> once loaded (0 until then). */
const naturalWidth = (image: Locator) =>
  image.evaluate((img) => {
    // Node typings only here: the page's image element, as the browser sees it.
    const el = img as unknown as { complete: boolean; naturalWidth: number };
    return el.complete ? el.naturalWidth : 0;
  });

const agentMessage = (body: string) => product.page.locator('[data-testid="message"]', { hasText: body });
const widgetMessage = (from: 'visitor' | 'agent', body: string) =>
  visitor.locator(`[data-testid="webchat-message"][data-from="${from}"]`, { hasText: body });

beforeAll(async () => {
  product = await startProduct();
  visitorContext = await product.browser.newContext();
  visitor = await visitorContext.newPage();
});

afterAll(async () => {
  await visitorContext?.close();
  await product?.close();
});

describe('web chat widget, end to end', () => {
  it('signs Sam in', async () => {
    await product.signIn(DEMO.sam);
  });

  it('carries a visitor message to Sam live, and Sam’s reply back to the visitor live', async () => {
    await visitor.goto(`${product.server.url}/webchat-demo`);
    await visitor.getByTestId('webchat-open').click();
    await visitor.locator('[data-testid="webchat-status"][data-status="online"]').waitFor();
    await visitor.getByTestId('webchat-name').fill('Robin Visitor');
    await visitor.getByTestId('webchat-input').fill('Hello! Do you rent kayaks?');
    await visitor.getByTestId('webchat-send').click();
    await widgetMessage('visitor', 'Do you rent kayaks?').waitFor();

    const item = product.page.locator('[data-testid="conversation-item"]', { hasText: 'Do you rent kayaks?' });
    await item.waitFor();
    await item.click();
    await agentMessage('Do you rent kayaks?').waitFor();

    await product.page.getByTestId('composer-input').fill('We do: singles and doubles, by the day.');
    await product.page.getByTestId('composer-send').click();
    await widgetMessage('agent', 'singles and doubles').waitFor();
    // The widget acked it (panel open), so the agent sees it delivered.
    await product.page.locator('[data-testid="message"][data-status="delivered"]', { hasText: 'singles and doubles' }).waitFor();
  });

  it('resumes the same conversation with its history after a reload', async () => {
    await visitor.reload();
    await visitor.locator('[data-testid="webchat-status"][data-status="online"]').waitFor();
    await widgetMessage('visitor', 'Do you rent kayaks?').waitFor();
    await widgetMessage('agent', 'singles and doubles').waitFor();

    await visitor.getByTestId('webchat-input').fill('Great, a double for Saturday please.');
    await visitor.getByTestId('webchat-send').click();
    await agentMessage('a double for Saturday').waitFor();
    // Still one conversation for this visitor in Sam's list.
    expect(await product.page.locator('[data-testid="conversation-item"]', { hasText: 'a double for Saturday' }).count()).toBe(1);
    expect(await agentMessage('Do you rent kayaks?').count()).toBe(1);
  });

  it('carries a visitor’s image to Sam, and Sam’s file back to the visitor', async () => {
    await visitor.getByTestId('webchat-file').setInputFiles({ name: 'damaged-paddle.png', mimeType: 'image/png', buffer: PNG });
    await visitor.getByTestId('webchat-staged-file').filter({ hasText: 'damaged-paddle.png' }).waitFor();
    await visitor.getByTestId('webchat-input').fill('The paddle arrived like this');
    await visitor.getByTestId('webchat-send').click();
    const sent = widgetMessage('visitor', 'arrived like this');
    await expect.poll(() => naturalWidth(sent.getByTestId('webchat-attachment-image')), { timeout: 10_000 }).toBe(1);
    expect(await visitor.getByTestId('webchat-staged-file').count()).toBe(0);

    // Sam sees it like an MMS picture.
    const received = agentMessage('arrived like this');
    await received.waitFor();
    await expect.poll(() => naturalWidth(received.getByTestId('attachment-image')), { timeout: 10_000 }).toBe(1);

    await product.page.getByTestId('attach-input').setInputFiles({ name: 'returns-form.pdf', mimeType: 'application/pdf', buffer: PDF });
    await expect.poll(() => product.page.getByTestId('composer-attachment').textContent()).toContain('returns-form.pdf');
    await product.page.getByTestId('composer-input').fill('Sorry! Fill in this form and we swap it.');
    await product.page.getByTestId('composer-send').click();

    const reply = widgetMessage('agent', 'Fill in this form');
    const link = reply.getByTestId('webchat-attachment');
    await link.waitFor();
    expect(await link.getAttribute('data-name')).toBe('returns-form.pdf');
    const [download] = await Promise.all([visitor.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('returns-form.pdf');
    const file = await download.path();
    expect(readFileSync(file).equals(PDF)).toBe(true);
  });

  it('refuses an unsupported or oversize file in the widget before uploading it', async () => {
    await visitor.getByTestId('webchat-file').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await expect.poll(() => visitor.getByTestId('webchat-error').textContent()).toMatch(/setup\.exe cannot be sent/);
    await visitor.getByTestId('webchat-file').setInputFiles({ name: 'tour.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
    await expect.poll(() => visitor.getByTestId('webchat-error').textContent()).toMatch(/tour\.mp4 is too large/);
    expect(await visitor.getByTestId('webchat-staged-file').count()).toBe(0);
  });
});
