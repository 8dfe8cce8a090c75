import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAssistantCli } from '../../server/assistant/cli.ts';
import { OpenAiSimulator } from '../../server/simulator/openai-simulator.ts';
import { signIn } from '../server/support/sync-client.ts';
import { configure } from '../integration/support/assistant-client.ts';
import { axeFindings } from './support/axe.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * The Message Assistant as Sam uses it (issue 12 §3), in Chromium against the real product and the
 * OpenAI-compatible simulator on loopback.
 */

const SALES_SMS = 'ch_sales_sms';
const KEY = 'sk-e2e-assistant-key';
// A word nothing in the demo seed says, so the past reply found is the one written here.
const EARLIER_CUSTOMER = '+14155550171';
const CUSTOMER = '+14155550172';
const PAST_REPLY = 'Yes, the zeppelin tent is back in stock from today and ships within two days.';

let product: Product;
let page: Page;
let sim: OpenAiSimulator;
let conversationId: string;
const quiet = () => {};

const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-id="${id}"]`);
const otherConversation = () => page.locator(`[data-testid="conversation-item"]:not([data-id="${conversationId}"])`).first();
const message = (text: string) => page.locator('[data-testid="message"]', { hasText: text });

async function openConversation(id: string): Promise<void> {
  await item(id).click();
  await page.locator(`[data-testid="conversation-pane"][data-id="${id}"]`).waitFor();
}

async function openAssistant(): Promise<void> {
  if (!(await page.getByTestId('assistant-panel').isVisible())) await page.getByTestId('assistant-button').click();
  await page.getByTestId('assistant-panel').waitFor();
}

async function tickBoth(): Promise<void> {
  await message('Looking for the zeppelin tent').getByTestId('assistant-tick').check();
  await message('Do you ship it to Canada').getByTestId('assistant-tick').check();
  await expect.poll(() => page.getByTestId('assistant-ticked').textContent()).toContain('2 messages ticked');
}

async function chooseTheme(theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-menu').click();
  await page.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
  await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(theme);
}

beforeAll(async () => {
  sim = await OpenAiSimulator.start({ apiKey: KEY, chunkDelayMs: 15 });
  product = await startProduct();
  page = product.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  await configure(product.server.url, await signIn(product.server.url, DEMO.ava), { baseUrl: sim.url, key: KEY });

  const earlier = await product.injectInbound(SALES_SMS, EARLIER_CUSTOMER, 'Is the zeppelin tent back in stock?');
  await product.signIn(DEMO.sam);
  await openConversation(earlier);
  await page.getByTestId('composer-input').fill(PAST_REPLY);
  await page.getByTestId('composer-send').click();
  await message(PAST_REPLY).waitFor();

  conversationId = await product.injectInbound(SALES_SMS, CUSTOMER, 'Looking for the zeppelin tent in green');
  await product.injectInbound(SALES_SMS, CUSTOMER, 'Do you ship it to Canada?');
  await openConversation(conversationId);
  await message('Do you ship it to Canada').waitFor();
});

afterAll(async () => {
  await product?.close();
  await sim?.close();
});

describe('Message Assistant in the composer', () => {
  it('streams suggestions for two ticked messages; one goes into the composer, is edited and sent', async () => {
    await openAssistant();
    await expect.poll(() => page.getByTestId('assistant-notice').textContent()).toContain(new URL(sim.url).host);
    await tickBoth();
    await page.getByTestId('assistant-suggest').click();
    // Past replies show while the model streams; then three suggestions.
    await expect.poll(() => page.getByTestId('assistant-past-replies').textContent()).toContain(PAST_REPLY);
    await expect.poll(() => page.getByTestId('assistant-suggestion').count()).toBe(3);
    await page.getByTestId('assistant-suggest').waitFor();
    expect(sim.completions.at(-1)?.stream).toBe(true);
    const first = (await page.getByTestId('assistant-suggestion').first().textContent())!.trim();
    expect(first).toMatch(/^Hi there, thanks for getting in touch about /);

    await page.getByTestId('assistant-suggestion').first().click();
    await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
    expect(await page.getByTestId('composer-input').inputValue()).toBe(first);
    // Nothing was sent by the assistant.
    expect(await message(first).count()).toBe(0);
    await page.getByTestId('composer-input').press('End');
    await page.getByTestId('composer-input').pressSequentially(' Best, Sam');
    await page.getByTestId('composer-send').click();
    await message(`${first} Best, Sam`).waitFor();
  });

  it('generates a draft in the chosen tone, with Insert and Try again', async () => {
    await openAssistant();
    await page.getByTestId('assistant-tab-generate').click();
    await page.getByTestId('assistant-intent').fill('the green tent ships to Canada next week');
    await page.getByTestId('assistant-tone-formal').check();
    await page.getByTestId('assistant-generate').click();
    await expect.poll(() => page.getByTestId('assistant-preview').textContent()).toMatch(/^Dear there, thank you for your message\. The green tent ships to Canada next week\. Kind regards\.$/);
    await page.getByTestId('assistant-retry').waitFor();
    expect(sim.completions.at(-1)?.messages.at(-1)?.content).toContain('Tone: formal');
    await page.getByTestId('assistant-insert').click();
    expect(await page.getByTestId('composer-input').inputValue()).toContain('The green tent ships to Canada next week.');
    await page.getByTestId('composer-input').fill('');
  });

  it('says in words when the provider refuses, and keeps the past-reply suggestions', async () => {
    sim.failNext.push('key_refused');
    await openAssistant();
    await page.getByTestId('assistant-tab-suggest').click();
    await tickBoth();
    await page.getByTestId('assistant-suggest').click();
    await expect.poll(() => page.getByTestId('assistant-error').textContent()).toContain('refused its key');
    expect(await page.getByTestId('assistant-past-replies').textContent()).toContain(PAST_REPLY);
    expect(await page.getByTestId('assistant-suggestion').count()).toBe(0);
  });

  it('closes on Esc and on a click outside, giving focus back to the Assistant button', async () => {
    await openAssistant();
    await page.keyboard.press('Escape');
    await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('assistant-button');
    await openAssistant();
    await page.getByTestId('conversation-title').click();
    await page.getByTestId('assistant-panel').waitFor({ state: 'detached' });
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`has no axe violations with suggestions shown (${theme})`, async () => {
      await chooseTheme(theme);
      await openAssistant();
      await page.getByTestId('assistant-tab-suggest').click();
      await tickBoth();
      await page.getByTestId('assistant-suggest').click();
      await expect.poll(() => page.getByTestId('assistant-suggestion').count()).toBe(3);
      await page.getByTestId('assistant-suggest').waitFor();
      // The whole page: the panel, the ticked history, the composer and everything around them.
      const found = await axeFindings(page);
      expect(found.map((f) => `${f.rule} at ${f.target}: ${f.summary}`)).toEqual([]);
      await page.keyboard.press('Escape');
    });
  }

  it('shows no assistant in a Contact Center organisation', async () => {
    const serverDir = path.join(product.dir, 'server');
    expect(await runAssistantCli('org:edition', ['contact-center', '--data-dir', serverDir], quiet, quiet)).toBe(0);
    // Opening another conversation reads the assistant's status again.
    await otherConversation().click();
    await expect.poll(() => page.getByTestId('assistant-button').count()).toBe(0);
    await openConversation(conversationId);
    await expect.poll(() => page.getByTestId('assistant-button').count()).toBe(0);
    expect(await runAssistantCli('org:edition', ['customer-engagement', '--data-dir', serverDir], quiet, quiet)).toBe(0);
    await otherConversation().click();
    await openConversation(conversationId);
    await page.getByTestId('assistant-button').waitFor();
  });

  it('offline, offers past-reply suggestions only', async () => {
    await product.server.close();
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-status')).not.toBe('online');
    const asked = sim.completions.length;
    await openAssistant();
    await expect.poll(() => page.getByTestId('assistant-unavailable').textContent()).toContain('offline');
    await tickBoth();
    await page.getByTestId('assistant-suggest').click();
    await expect.poll(() => page.getByTestId('assistant-past-replies').textContent()).toContain(PAST_REPLY);
    expect(await page.getByTestId('assistant-suggestion').count()).toBe(0);
    expect(sim.completions.length).toBe(asked);
    await page.getByTestId('assistant-past-replies').getByTestId('assistant-past-reply').first().click();
    expect(await page.getByTestId('composer-input').inputValue()).toBe(PAST_REPLY);
  });
});
