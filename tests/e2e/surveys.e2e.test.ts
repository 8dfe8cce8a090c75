import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../server/app.ts';
import { axeFindings } from './support/axe.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * Satisfaction surveys end to end (issue 12 §2): Maya (a manager) sends a survey from the composer; the
 * customer opens the link in another browser context (no sign-in) and answers; the rating appears live in
 * Maya's timeline, on the contact and in the report under Manage. A second answer and an expired survey are
 * refused politely; the page and the report pass axe in light and dark.
 */

let product: Product;
let page: Page;
let customer: BrowserContext;
let link = '';
/** contact_001 of the demo seed (Sales SMS): the injected message lands in a conversation linked to them. */
const CONTACT_PHONE = '+12065550100';

/** Sends a survey from the open conversation and returns the link of that survey's message. */
async function sendSurveyAndGetLink(): Promise<string> {
  // The optimistic row says "Satisfaction survey"; the server's record carries the inbox text and the link.
  const surveyMessages = page.locator('[data-testid="message"]', { hasText: 'Rate us from 1 to 5 here' });
  const before = await surveyMessages.count();
  await page.getByTestId('survey-button').click();
  await page.getByTestId('survey-popover').waitFor();
  // It opens upward from the composer, inside the window: the page itself never scrolls.
  const box = (await page.getByTestId('survey-popover').boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
  expect((await page.locator('header.topbar').boundingBox())?.y).toBe(0);
  await page.getByTestId('survey-send').click();
  await page.getByTestId('survey-popover').waitFor({ state: 'detached' });
  await expect.poll(() => surveyMessages.count()).toBe(before + 1);
  const message = surveyMessages.nth(before);
  const found = /https?:\/\/\S+\/s\/[A-Za-z0-9_-]{32}/.exec((await message.textContent()) ?? '')?.[0];
  if (!found) throw new Error('no survey link in the sent message');
  return found;
}

function expireSurveys(): void {
  const db = new Database(path.join(product.dir, 'server', DATABASE_FILE));
  try {
    db.prepare("UPDATE surveys SET data = json_set(data, '$.expiresAt', ?) WHERE json_extract(data, '$.answer') IS NULL").run(Date.now() - 1000);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  product = await startProduct();
  page = product.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  customer = await (product.browser as Browser).newContext({ viewport: { width: 390, height: 844 } });
});

afterAll(async () => {
  await customer?.close();
  await product?.close();
});

describe('customer satisfaction surveys, end to end', () => {
  it('Maya sends a survey from the composer; it goes out with the link', async () => {
    await product.injectInbound('ch_sales_sms', CONTACT_PHONE, 'Thanks, the tent arrived in one piece!');
    await product.signIn(DEMO.maya);
    await page.locator('[data-testid="conversation-item"]', { hasText: 'the tent arrived in one piece' }).first().click();
    link = await sendSurveyAndGetLink();
    expect(await page.locator('[data-testid="survey-result"]').last().getAttribute('data-state')).toBe('waiting');
  });

  it('the customer answers on the page in another browser (no sign-in), and Maya sees the rating live', async () => {
    const survey = await customer.newPage();
    const res = await survey.goto(link);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    await survey.getByText('How satisfied are you, from 1 to 5?').waitFor();
    await survey.locator('label[for="r4"]').click();
    await survey.locator('#comment').fill('Quick and <b>friendly</b>');
    await survey.getByRole('button', { name: 'Send my answer' }).click();
    await survey.getByRole('heading', { name: 'Thank you!' }).waitFor();

    const result = page.locator('[data-testid="survey-result"][data-state="answered"]').last();
    await result.waitFor();
    expect(await result.getAttribute('data-rating')).toBe('4');
    expect(await result.getByTestId('survey-comment').textContent()).toBe('“Quick and <b>friendly</b>”');
    expect(await result.locator('b').count()).toBe(0);

    await page.getByTestId('contact-menu').click();
    await page.getByTestId('contact-menu-info').click();
    const rating = page.locator('[data-testid="contact-rating"][data-rating="4"]');
    await rating.waitFor();
    expect(await rating.textContent()).toMatch(/4 out of 5/);
    await survey.close();
  });

  it('a second answer is refused politely', async () => {
    const survey = await customer.newPage();
    await survey.goto(link);
    await survey.getByRole('heading', { name: 'Already answered' }).waitFor();
    const again = await survey.request.post(link, { form: { rating: '1' } });
    expect(again.status()).toBe(409);
    expect(await again.text()).toMatch(/already been answered — thank you/);
    await survey.close();
  });

  it('an expired survey says so and takes no answer', async () => {
    const second = await sendSurveyAndGetLink();
    expireSurveys();
    const survey = await customer.newPage();
    const res = await survey.goto(second);
    expect(res?.status()).toBe(410);
    await survey.getByRole('heading', { name: 'This survey has expired' }).waitFor();
    expect((await survey.request.post(second, { form: { rating: '5' } })).status()).toBe(410);
    await survey.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`the survey page passes axe in ${theme}`, async () => {
      const third = await sendSurveyAndGetLink();
      const survey = await customer.newPage();
      await survey.emulateMedia({ colorScheme: theme });
      await survey.goto(third);
      await survey.getByText('How satisfied are you, from 1 to 5?').waitFor();
      expect(await axeFindings(survey)).toEqual([]);
      await survey.close();
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`the report under Manage shows the CSAT and passes axe in ${theme}`, async () => {
      await page.getByTestId('theme-menu').click();
      await page.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
      await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(theme);
      await page.getByTestId('open-manage').click();
      await page.getByTestId('manage-survey-report').click();
      const sales = page.locator('[data-testid="survey-report-inboxes"] [data-testid="survey-report-row"][data-key="inbox_sales"]');
      await sales.waitFor();
      expect(await sales.getByTestId('survey-report-csat').textContent()).toMatch(/100\s?%/);
      expect(await page.getByTestId('survey-report-total').textContent()).toMatch(/1 answers/);
      expect(await axeFindings(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByTestId('manage-dialog').waitFor({ state: 'detached' });
    });
  }
});
