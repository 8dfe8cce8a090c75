import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOldChatMessages, seedOldContact, seedOldConversation, type OldConversation } from '../integration/fixtures/history-seed.ts';
import { axeFindings } from './support/axe.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * Issue 13 in Chromium on a large demo workspace: the first sync brings a window, the person works at once,
 * opens a conversation a year old found by a word only its uncached history holds (labelled as the server's),
 * scrolls its history back to the start, and goes offline to see what is still there.
 */
const DEMO_SIZE = 3_000;
const SHOTS = process.env.SWITCHBOARD_E2E_SCREENSHOTS ?? '';

let product: Product;
let page: Page;
let thread: OldConversation;
let second: OldConversation;
let deep: OldConversation;
let linked: OldConversation;
let chatOld: string[];

async function theme(value: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-menu').click();
  await page.locator(`[data-testid="theme-choice"][data-value="${value}"]`).click();
  await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(value);
}

async function shot(name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function search(text: string): Promise<void> {
  const input = page.getByTestId('search-input');
  await input.fill('');
  await input.fill(text);
  await page.getByTestId('search-results').waitFor();
}

beforeAll(async () => {
  product = await startProduct({ pausable: true, server: { demoSize: DEMO_SIZE } });
  page = product.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  const serverDir = path.join(product.dir, 'server');
  thread = await seedOldConversation(serverDir, { id: 'conv_year_old', messages: 130, ageDays: 400, word: 'zebracorn', wordAt: 1 });
  // Longer than one server page: opened online, its oldest messages stay on the server.
  second = await seedOldConversation(serverDir, { id: 'conv_two_years', messages: 260, ageDays: 700, word: 'quokkaplan', wordAt: 250 });
  // The hit is 570 messages back from the newest: opened at it, not at the newest page.
  deep = await seedOldConversation(serverDir, { id: 'conv_deep_hit', messages: 600, ageDays: 500, word: 'wombatique', wordAt: 30 });
  chatOld = await seedOldChatMessages(serverDir, { chatId: 'chat_floor_leads', authors: ['user_sam', 'user_alex', 'user_maya'], count: 150, ageDays: 400 });
  // A conversation linked to a contact no window or fill brings: its hit keeps the row, not the contact.
  await seedOldContact(serverDir, { id: 'contact_e2e_old', name: 'Opal Oldway', conversations: 1, ageDays: 450 });
  linked = await seedOldConversation(serverDir, { id: 'conv_old_contact', messages: 20, ageDays: 420, word: 'narwhalist', wordAt: 3, contactId: 'contact_e2e_old' });
}, 180_000);

afterAll(async () => {
  await product?.close();
});

describe('a partial cache in the app', () => {
  it('signs in and works at once: a reply to the first conversation is sent', async () => {
    await product.signIn(DEMO.maya);
    await page.getByTestId('conversation-item').first().click();
    await page.getByTestId('composer-input').fill('On it — replying straight after sign-in');
    await page.getByTestId('composer-send').click();
    await page.locator('[data-testid="message"]', { hasText: 'replying straight after sign-in' }).waitFor();
  });

  it('finds a word only the uncached history holds, labelled as found on the server', async () => {
    await search('zebracorn');
    const hit = page.locator(`[data-testid="search-result-message"][data-id="${thread.messageIds[1]}"]`);
    await hit.waitFor();
    expect(await hit.getAttribute('data-from-server')).toBe('true');
    expect(await hit.getByTestId('search-from-server').textContent()).toBe('server');
    await shot('history-search-server');
    for (const t of ['dark', 'light'] as const) {
      await theme(t);
      await search('zebracorn');
      expect(await axeFindings(page, ['[data-testid="search-results"]'])).toEqual([]);
    }
  });

  it('opens that conversation and scrolls its history back to the start', async () => {
    await search('zebracorn');
    await page.locator(`[data-testid="search-result-message"][data-id="${thread.messageIds[1]}"]`).click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${thread.id}"]`).waitFor();
    const list = page.getByTestId('message-list');
    const start = page.getByText('Start of the conversation');
    // Scroll to the top, wait for the older page (or the start), again: as a person reading back would.
    await page.getByTestId('message').first().waitFor();
    for (let i = 0; i < 30 && (await start.count()) === 0; i++) {
      const shown = await page.getByTestId('message').count();
      await list.evaluate((el) => (el.scrollTop = 0));
      // A scroll that landed before the pane settled loads nothing: scroll again.
      await page.waitForFunction((before: number) => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number }; body: { textContent: string | null } } }).document;
        return doc.querySelectorAll('[data-testid="message"]').length > before || (doc.body.textContent ?? '').includes('Start of the conversation');
      }, shown, { timeout: 5_000 }).catch(() => undefined);
    }
    expect(await page.locator('[data-testid="message"]', { hasText: 'Message number 1 of the old thread' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('message').count()).toBe(thread.messageIds.length);
    await page.getByText('Start of the conversation').waitFor();
  });

  it('opens a hit far back in uncached history at the hit, scrolled to and highlighted', async () => {
    await search('wombatique');
    const hit = page.locator(`[data-testid="search-result-message"][data-id="${deep.messageIds[30]}"]`);
    await hit.waitFor();
    expect(await hit.getAttribute('data-from-server')).toBe('true');
    await hit.click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${deep.id}"]`).waitFor();
    const shown = page.locator(`[data-testid="message"][data-id="${deep.messageIds[30]}"]`);
    await shown.waitFor();
    expect(await shown.getAttribute('data-highlighted')).toBe('true');
    // Everything newer than the hit came with it (the few older ones above it may follow, as the hit is near the
    // top), and the pane shows the hit, not the newest message.
    await expect.poll(() => page.getByTestId('message').count()).toBeGreaterThanOrEqual(deep.messageIds.length - 30);
    await expect.poll(() => inView(shown, page.getByTestId('message-list'))).toBe(true);
    await shot('history-hit-highlighted');
    for (const t of ['dark', 'light'] as const) {
      await theme(t);
      expect(await axeFindings(page, ['[data-testid="message-list"]'])).toEqual([]);
    }
  });

  it('scrolls a team chat back page by page past the window to its first message', async () => {
    await page.locator('[data-testid="chat"][data-id="chat_floor_leads"]').click();
    await page.locator('[data-testid="chat-pane"][data-id="chat_floor_leads"]').waitFor();
    const list = page.getByTestId('chat-history');
    const start = page.getByTestId('chat-history-start');
    await page.getByTestId('chat-message').first().waitFor();
    for (let i = 0; i < 30 && (await start.count()) === 0; i++) {
      const shown = await page.getByTestId('chat-message').count();
      await list.evaluate((el) => (el.scrollTop = 0));
      // A scroll that landed before the pane settled loads nothing: scroll again.
      await page
        .waitForFunction(
          (before: number) => {
            const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
            return doc.querySelectorAll('[data-testid="chat-message"]').length > before || doc.querySelectorAll('[data-testid="chat-history-start"]').length > 0;
          },
          shown,
          { timeout: 5_000 },
        )
        .catch(() => undefined);
    }
    await start.waitFor();
    await page.locator(`[data-testid="chat-message"][data-id="${chatOld[0]}"]`).waitFor();
    for (const id of [chatOld[0], chatOld[75], chatOld[149]]) expect(await page.locator(`[data-testid="chat-message"][data-id="${id}"]`).count()).toBe(1);
    await shot('history-chat-start');
    await page.getByTestId('chat-close').click();
  });

  it('shows the offline storage preferences: the budget and the cache size', async () => {
    await page.getByTestId('offline-storage').click();
    const dialog = page.getByTestId('offline-storage-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('storage-budget-90').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('storage-size').textContent()).toMatch(/Cache on this device: [\d.,]+\s?(kB|MB|GB)/);
    await shot('history-storage-light');
    for (const t of ['light', 'dark'] as const) {
      if (t === 'dark') {
        await page.getByTestId('storage-close').click();
        await theme('dark');
        await page.getByTestId('offline-storage').click();
        await dialog.waitFor();
      }
      expect(await axeFindings(page)).toEqual([]);
    }
    await shot('history-storage-dark');
    await page.getByTestId('storage-budget-365').check();
    await expect.poll(() => page.getByTestId('storage-budget-365').isChecked()).toBe(true);
    await page.getByTestId('storage-close').click();
    await theme('light');
  });

  it('offline: what is cached is still there, the rest says "not available offline"', async () => {
    // Opened while online: its newest messages are fetched and kept, its oldest are on the server only.
    await search('quokkaplan');
    await page.locator(`[data-testid="search-result-message"][data-id="${second.messageIds[250]}"]`).click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${second.id}"]`).waitFor();
    await page.getByTestId('message').first().waitFor();
    product.proxy!.offline();
    await page.locator('[data-testid="connection"]:not([data-status="online"])').waitFor();

    // Reading back past what is kept: the pane says so instead of spinning.
    const list = page.getByTestId('message-list');
    const note = page.getByTestId('history-offline');
    for (let i = 0; i < 10 && (await note.count()) === 0; i++) {
      await list.evaluate((el) => (el.scrollTop = 0));
      await note.waitFor({ timeout: 3_000 }).catch(() => undefined);
    }
    expect(await note.textContent()).toContain('not available offline');
    await page.getByTestId('counts-source').waitFor();
    await list.evaluate((el) => (el.scrollTop = 0));
    await shot('history-offline-light');

    // Search looks through what is kept, and says so: the year-old thread read before is found on the device.
    await search('zebracorn');
    await page.getByTestId('search-offline').waitFor();
    const kept = page.locator(`[data-testid="search-result-message"][data-id="${thread.messageIds[1]}"]`);
    await kept.waitFor();
    expect(await kept.getAttribute('data-from-server')).toBe('false');
    await shot('history-search-offline');
    for (const t of ['dark', 'light'] as const) {
      await theme(t);
      await search('zebracorn');
      expect(await axeFindings(page)).toEqual([]);
      if (t === 'dark') await shot('history-offline-dark');
    }
    await page.keyboard.press('Escape');

    // Back online: the older messages arrive without asking again.
    product.proxy!.online();
    await page.locator('[data-testid="connection"][data-status="online"]').waitFor({ timeout: 30_000 });
    await note.waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('offline: a hit and a contact not kept on the device say "Not available offline"', async () => {
    await search('narwhalist');
    const hit = page.locator(`[data-testid="search-result-message"][data-id="${linked.messageIds[3]}"]`);
    await hit.waitFor();
    product.proxy!.offline();
    await page.locator('[data-testid="connection"]:not([data-status="online"])').waitFor();

    // The hit's conversation row was kept when it was found; the message and the contact were not.
    await hit.click();
    await page.locator(`[data-testid="conversation-pane"][data-id="${linked.id}"]`).waitFor();
    const hitNote = page.getByTestId('history-hit-offline');
    await hitNote.waitFor();
    expect(await hitNote.textContent()).toContain('Not available offline');

    await page.getByTestId('contact-menu').click();
    await page.getByTestId('contact-menu-info').click();
    const panel = page.locator('[data-testid="contact-panel"][data-id="contact_e2e_old"]');
    await panel.waitFor();
    const said = panel.getByTestId('contact-panel-error');
    await said.waitFor();
    expect((await said.textContent())?.trim()).toBe('Not available offline');
    await shot('history-contact-offline');
    for (const t of ['dark', 'light'] as const) {
      await theme(t);
      expect(await axeFindings(page, ['[data-testid="contact-panel"]', '[data-testid="message-list"]'])).toEqual([]);
    }

    // Back online, the panel is asked again and fills in.
    product.proxy!.online();
    await page.locator('[data-testid="connection"][data-status="online"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('contact-menu').click();
    await page.getByTestId('contact-menu-info').click();
    await expect.poll(() => panel.getByTestId('contact-panel-name').textContent(), { timeout: 30_000 }).toBe('Opal Oldway');
  });
});

/** Whether an element lies inside a scrolling box's visible part. */
async function inView(element: ReturnType<Page['locator']>, box: ReturnType<Page['locator']>): Promise<boolean> {
  const [a, b] = await Promise.all([element.boundingBox(), box.boundingBox()]);
  return !!a && !!b && a.y >= b.y && a.y + Math.min(a.height, b.height) <= b.y + b.height;
}
