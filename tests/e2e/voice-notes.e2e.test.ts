import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTwilioChannel } from '../../server/channels/twilio-cli.ts';
import { TwilioSimulator } from '../../server/simulator/twilio-simulator.ts';
import { webmOpusToOgg } from '../../renderer/voice/webm-opus-to-ogg.ts';
import { ageInboundPastWindow, DEMO, FAKE_MICROPHONE, ROOT, startProduct, type Product } from './support/product.ts';

/**
 * Issue 4, voice notes, in the browser as Sam (Sales), with Chromium's fake microphone: a note
 * recorded in the composer goes out as Ogg Opus (rewrapped from MediaRecorder's WebM) and plays
 * on the sent message; an inbound MMS voice note plays in the conversation too.
 */

const SALES_WEB = 'ch_sales_web';
const SALES_SMS = 'ch_sales_sms';
const SALES_SMS_NUMBER = '+14155550100';
const CUSTOMER = '+12065550188';
const FIXTURE = join(ROOT, 'tests', 'renderer', 'voice', 'fixtures', 'chromium-fake-microphone-1500ms.webm');

let product: Product;
let page: Page;
let twilio: TwilioSimulator;
let waClosedId: string;
const cspViolations: string[] = [];

beforeAll(async () => {
  product = await startProduct({ browserArgs: FAKE_MICROPHONE, permissions: ['microphone'] });
  page = product.page;
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  twilio = await TwilioSimulator.start();
  await configureTwilioChannel(join(product.dir, 'server'), SALES_SMS, {
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    apiBaseUrl: twilio.url,
    publicUrl: product.server.url,
  });
  // A WhatsApp conversation whose customer wrote over a day ago (aged before Sam signs in): templates only.
  waClosedId = await product.injectInbound('ch_sales_wa', '+14155550166', 'Do you ship to Canada?');
  await ageInboundPastWindow(product, waClosedId);
});

afterAll(async () => {
  await product?.close();
  await twilio?.close();
});

/** What the page's audio element knows once it has read the file's header. */
function audioMetadata(page: Page, selector: string): Promise<{ readyState: number; duration: number; error: number | null }> {
  return page.locator(selector).first().evaluate((node) => {
    // Node typings only here: the page's audio element, as the browser sees it.
    const el = node as unknown as { readyState: number; duration: number; error: { code: number } | null };
    return { readyState: el.readyState, duration: el.duration, error: el.error?.code ?? null };
  });
}

/* Node typings only here: the parts of the page's DOM these tests touch, as the browser has them. */
interface PageAudioContext {
  decodeAudioData(data: ArrayBuffer): Promise<{ duration: number }>;
}
type GetUserMedia = (constraints: unknown) => Promise<unknown>;
interface PageGlobals {
  OfflineAudioContext: new (channels: number, length: number, sampleRate: number) => PageAudioContext;
  navigator: { mediaDevices: { getUserMedia: GetUserMedia; realGetUserMedia?: GetUserMedia } };
}

/** Decodes Ogg bytes with the page's Web Audio decoder; returns the decoded length in seconds. */
function decodeInPage(page: Page, bytes: Uint8Array): Promise<number> {
  return page.evaluate(async (base64) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const context = new (globalThis as unknown as PageGlobals).OfflineAudioContext(1, 48_000, 48_000);
    const decoded = await context.decodeAudioData(data.buffer);
    return decoded.duration;
  }, Buffer.from(bytes).toString('base64'));
}

describe('voice notes, end to end in a browser', () => {
  it('rewraps a real Chromium recording into Ogg Opus that Chromium decodes', async () => {
    await page.goto(product.host.url);
    const ogg = webmOpusToOgg(new Uint8Array(readFileSync(FIXTURE)));
    const seconds = await decodeInPage(page, ogg.bytes);
    expect(seconds).toBeGreaterThan(1.2);
    expect(seconds).toBeLessThan(2);
    expect(Math.abs(seconds - ogg.durationSeconds)).toBeLessThan(0.05);
  });

  it('records a voice note in the composer, sends it as Ogg Opus and plays it on the sent message', async () => {
    await product.signIn(DEMO.sam);
    const conversationId = await product.injectInbound(SALES_WEB, 'visitor-voice', 'Could you explain the returns policy?');
    await page.locator(`[data-testid="conversation-item"][data-id="${conversationId}"]`).click();
    await page.getByTestId('composer-input').fill('Here is a quick explanation');

    await page.getByTestId('voice-record').click();
    await page.locator('[data-testid="voice-recorder"][data-state="recording"]').waitFor();
    // About a second and a half of the fake microphone's tone: once the clock has passed 0:00, a little more.
    await expect.poll(() => page.getByTestId('voice-elapsed').textContent(), { timeout: 10_000 }).not.toBe('0:00');
    await page.waitForTimeout(500);
    await page.getByTestId('voice-send').click();

    const message = page.locator('[data-testid="message"][data-direction="out"]', { hasText: 'Here is a quick explanation' });
    await expect.poll(() => message.getAttribute('data-status'), { timeout: 15_000 }).toMatch(/sent|delivered/);
    expect(await page.getByTestId('voice-recorder').count()).toBe(0);
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
    expect(await page.getByTestId('composer-input').inputValue()).toBe('');

    const attachment = message.getByTestId('attachment');
    expect(await attachment.getAttribute('data-type')).toBe('audio/ogg');
    expect(await attachment.getByTestId('attachment-download').textContent()).toMatch(/^Voice note \d:\d\d\.ogg$/);
    const player = '[data-testid="message"][data-direction="out"] [data-testid="attachment-audio"]';
    await expect.poll(async () => (await audioMetadata(page, player)).readyState, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const { duration } = await audioMetadata(page, player);
    expect(duration).toBeGreaterThan(1);
    expect(duration).toBeLessThan(120);

    // What the server stored is Ogg (not WebM), and Chromium decodes it.
    const src = await page.locator(player).first().getAttribute('src');
    expect(src).toBeTruthy();
    // The page may connect only to its socket (CSP), so the test fetches the player's source itself.
    const response = await fetch(new URL(src ?? '', product.host.url));
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(bytes.subarray(28, 36).toString('latin1')).toBe('OpusHead');
    expect(await decodeInPage(page, new Uint8Array(bytes))).toBeGreaterThan(1);
  });

  it('Escape cancels a recording and nothing is attached', async () => {
    await page.getByTestId('voice-record').click();
    await page.locator('[data-testid="voice-recorder"][data-state="recording"]').waitFor();
    await page.getByTestId('composer-input').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('voice-recorder').count()).toBe(0);
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
    expect(await page.getByTestId('voice-record').isEnabled()).toBe(true);
  });

  it('explains a refused microphone in the composer and records nothing', async () => {
    await page.evaluate(() => {
      const devices = (globalThis as unknown as PageGlobals).navigator.mediaDevices;
      devices.realGetUserMedia = devices.getUserMedia;
      devices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.getByTestId('voice-record').click();
    await expect.poll(() => page.getByTestId('composer-error').textContent()).toMatch(/may not use the microphone\. Allow microphone access/);
    expect(await page.getByTestId('voice-recorder').count()).toBe(0);
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
    await page.evaluate(() => {
      const devices = (globalThis as unknown as PageGlobals).navigator.mediaDevices;
      if (devices.realGetUserMedia) devices.getUserMedia = devices.realGetUserMedia;
    });
  });

  it('offers no recording where only a WhatsApp template may be sent', async () => {
    await page.locator(`[data-testid="conversation-item"][data-id="${waClosedId}"]`).click();
    await page.getByTestId('template-picker').waitFor();
    expect(await page.getByTestId('voice-record').count()).toBe(0);
  });

  it('shows an inbound MMS voice note as a player that loads its metadata', async () => {
    const conversationId = await product.injectInbound(SALES_SMS, CUSTOMER, 'I will send you a voice message');
    const ogg = webmOpusToOgg(new Uint8Array(readFileSync(FIXTURE)));
    const url = twilio.serveMedia('voice1', 'audio/ogg', Buffer.from(ogg.bytes));
    // AMR (older phones' voice memos): Chromium cannot play it, so it is offered as a download.
    const amr = twilio.serveMedia('voice2', 'audio/amr', Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(320, 0x3c)]));
    const params = twilio.withMedia(
      twilio.inboundParams({ from: CUSTOMER, to: SALES_SMS_NUMBER, body: '', messageSid: 'MMvoice0001' }),
      [{ url, contentType: 'audio/ogg' }, { url: amr, contentType: 'audio/amr' }],
    );
    expect((await twilio.postSigned(`${product.server.url}/webhooks/twilio/sms`, params)).status).toBe(200);

    await page.locator(`[data-testid="conversation-item"][data-id="${conversationId}"]`).click();
    const inbound = page.locator('[data-testid="message"][data-direction="in"] [data-testid="attachment"][data-type="audio/ogg"]');
    await inbound.first().waitFor({ timeout: 15_000 });
    const player = '[data-testid="message"][data-direction="in"] [data-testid="attachment-audio"]';
    await expect.poll(async () => (await audioMetadata(page, player)).readyState, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const { duration, error } = await audioMetadata(page, player);
    expect(error).toBeNull();
    expect(duration).toBeGreaterThan(1.2);
    expect(duration).toBeLessThan(2);

    const amrAttachment = page.locator('[data-testid="message"][data-direction="in"] [data-testid="attachment"][data-type="audio/amr"]');
    await amrAttachment.getByTestId('attachment-audio-unplayable').waitFor();
    expect(await amrAttachment.getByTestId('attachment-audio').count()).toBe(0);
    expect(await amrAttachment.getByTestId('attachment-download').getAttribute('download')).toBe('media-2.amr');
    expect(cspViolations).toEqual([]);
  });
});
