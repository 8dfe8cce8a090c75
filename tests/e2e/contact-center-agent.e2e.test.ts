import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '../../protocol/ipc.ts';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { createIpcRouter, type IpcEventHub } from '../../main/ipc-router.ts';
import { startBrowserHost, type BrowserHost } from '../../main/hosts/browser-host.ts';
import { axeFindings } from './support/axe.ts';
import { CHROMIUM, ROOT, startProduct, type Product } from './support/product.ts';

/**
 * The agent's Contact Center desktop end to end (issue 10 §3, §5), on the demo's Northwind Contact Center:
 * Jordan logs in to his queues from the queue status control, a customer writes to Technical support (an offer
 * queue), Jordan is offered the conversation (a card with a countdown), accepts it from the keyboard and replies.
 * Priya, signed in at the same time on her own client but logged out of the queues, gets nothing. The agent
 * layout passes axe in light and dark with the queue popover open and an offer showing.
 */

const JORDAN = { email: 'jordan@cc.demo.switchboard.test', password: 'demo-agent' };
const PRIYA = { email: 'priya@cc.demo.switchboard.test', password: 'demo-agent' };
const CUSTOMER = '+17735550142';

let product: Product;
let jordan: Page;
let priya: { core: ClientCore; host: BrowserHost; browser: Browser; page: Page };
let conversationId = '';
const notifications: NotificationPayload[] = [];

/** The top bar at this size: search's width, and whether anything in it overflows or has no name. */
async function topBar(page: Page): Promise<{ search: number; overflows: boolean; unnamed: string[] }> {
  return (await page.evaluate(`(() => {
    const bar = document.querySelector('.topbar');
    const unnamed = [...bar.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim())).map((b) => b.outerHTML.slice(0, 80));
    const overflows = bar.scrollWidth > bar.clientWidth || [...bar.querySelectorAll('button, .search, .user-name')].some((el) => el.getBoundingClientRect().right > window.innerWidth);
    return { search: document.querySelector('.search').getBoundingClientRect().width, overflows, unnamed };
  })()`)) as { search: number; overflows: boolean; unnamed: string[] };
}

/** Signs in on the sign-in screen; a Contact Center agent starts on "Me", which may well be empty. */
async function signIn(page: Page, url: string, account: { email: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByTestId('signin-email').fill(account.email);
  await page.getByTestId('signin-password').fill(account.password);
  await page.getByTestId('signin-submit').click();
  await page.locator('[data-testid="connection"][data-status="online"]').waitFor();
  await page.getByTestId('queue-status').waitFor();
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-menu').click();
  await page.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
  await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(theme);
}

/** The stored conversation, read from the server's database file (SQLite, as startProduct runs it). */
async function serverConversation(id: string): Promise<{ assigneeId: string | null; routing?: { handledBy: string[]; offer: unknown } }> {
  const { default: Database } = await import('better-sqlite3-multiple-ciphers');
  const { DATABASE_FILE } = await import('../../server/app.ts');
  const db = new Database(path.join(product.dir, 'server', DATABASE_FILE), { readonly: true });
  try {
    return JSON.parse(db.prepare('SELECT data FROM conversations WHERE id = ?').pluck().get(id) as string) as { assigneeId: string | null; routing?: { handledBy: string[]; offer: unknown } };
  } finally {
    db.close();
  }
}

async function openAssignedTo(userId: string): Promise<number> {
  const { default: Database } = await import('better-sqlite3-multiple-ciphers');
  const { DATABASE_FILE } = await import('../../server/app.ts');
  const db = new Database(path.join(product.dir, 'server', DATABASE_FILE), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM conversations WHERE json_extract(data, '$.assigneeId') = ? AND json_extract(data, '$.status') = 'open'").pluck().get(userId) as number;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  product = await startProduct();
  jordan = product.page;
  product.core.events.on('notification', (n) => notifications.push(n));
  await jordan.setViewportSize({ width: 1280, height: 720 });
  // Priya: her own client core and page, as on her own computer.
  const core = await createClientCore({ dataDir: path.join(product.dir, 'client-priya'), defaultServerUrl: product.server.url, log: () => {} });
  const host = await startBrowserHost({ core, rendererDir: path.join(ROOT, 'dist', 'renderer') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  priya = { core, host, browser, page };
});

afterAll(async () => {
  await priya?.browser.close();
  await priya?.host.close();
  await priya?.core.close();
  await product?.close();
});

describe('the Contact Center agent desktop', () => {
  it('lists both demo organisations on the sign-in screen', async () => {
    await jordan.goto(product.host.url);
    await jordan.getByTestId('demo-accounts').waitFor();
    const emails = await jordan.getByTestId('demo-account').evaluateAll((els) => els.map((e) => e.getAttribute('data-email')));
    expect(emails).toEqual(expect.arrayContaining(['maya@demo.switchboard.test', 'sofia@cc.demo.switchboard.test', JORDAN.email, PRIYA.email, 'tom@cc.demo.switchboard.test']));
    await expect.poll(() => jordan.locator('.demo-org').allTextContents()).toEqual(['Northwind Outfitters', 'Northwind Contact Center']);
    // Both lists fit a 1280×720 window beside the form: the page does not scroll.
    expect(await jordan.evaluate('document.scrollingElement.scrollHeight <= window.innerHeight')).toBe(true);
    await jordan.screenshot({ path: path.join(ROOT, 'test-results', 'contact-center-signin.png') });
  });

  it('shows the Contact Center layout: queue status, no New conversation, Me / Unassigned, All / Unread', async () => {
    await signIn(jordan, product.host.url, JORDAN);
    await signIn(priya.page, priya.host.url, PRIYA);
    await expect.poll(() => jordan.getByTestId('queue-status').getAttribute('data-state')).toBe('out');
    // A short chip in the top bar; its tooltip and name say the whole of it, and search keeps its room.
    expect(await jordan.getByTestId('queue-status').locator('.my-queues-label').textContent()).toBe('Logged out');
    expect(await jordan.getByTestId('queue-status').getAttribute('title')).toBe('Logged out of queues');
    expect(await jordan.getByTestId('queue-status').getAttribute('aria-label')).toContain('Logged out of queues');
    for (const [width, height] of [[1280, 720], [1440, 900]] as const) {
      await jordan.setViewportSize({ width, height });
      const bar = await topBar(jordan);
      expect(bar.search).toBeGreaterThanOrEqual(240);
      expect(bar).toMatchObject({ overflows: false, unnamed: [] });
    }
    await jordan.setViewportSize({ width: 1280, height: 720 });
    const tabs = await jordan.locator('[data-testid="status-filter"] button').evaluateAll((els) => els.map((e) => e.querySelector('.status-tab-label')?.textContent));
    expect(tabs).toEqual(['Me', 'Unassigned', 'Closed']);
    await jordan.getByTestId('create-menu').click();
    await expect.poll(() => jordan.locator('[data-testid^="create-new-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual([
      'create-new-text-message',
      'create-new-direct-chat',
      'create-new-team-chat',
    ]);
    await jordan.getByTestId('create-menu').click();
    await jordan.getByTestId('list-filter').click();
    await expect.poll(() => jordan.getByTestId('filter-read').allTextContents()).toEqual(['All', 'Unread']);
    await jordan.keyboard.press('Escape');
  });

  it('logs Jordan in to all his queues from the queue status control', async () => {
    await jordan.getByTestId('queue-status').click();
    await jordan.getByTestId('queue-popover').waitFor();
    await jordan.getByTestId('queue-login-all').click();
    await expect.poll(() => jordan.getByTestId('queue-status').getAttribute('data-state')).toBe('in');
    const rows = await jordan.getByTestId('queue-row-state').allTextContents();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['Logged in · 0 of 3', 'Logged in · 0 of 3']);
    await jordan.keyboard.press('Escape');
    await jordan.getByTestId('queue-popover').waitFor({ state: 'detached' });
  });

  it('offers a new Technical support customer to Jordan only, with a live countdown', async () => {
    conversationId = await product.injectInbound('ch_tech_sms', CUSTOMER, 'My router keeps dropping the connection every evening.');
    const card = jordan.locator(`[data-testid="offer-card"][data-conversation="${conversationId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('Technical support');
    const first = await card.getByTestId('offer-countdown').textContent();
    await expect.poll(() => card.getByTestId('offer-countdown').textContent(), { timeout: 5000 }).not.toBe(first);
    await jordan.screenshot({ path: path.join(ROOT, 'test-results', 'contact-center-offer.png') });
    // Priya is logged out of routing: no offer, nothing assigned to her.
    expect(await priya.page.getByTestId('offer-card').count()).toBe(0);
    const stored = await serverConversation(conversationId);
    expect(stored.assigneeId).toBeNull();
    expect(stored.routing?.offer).toMatchObject({ userId: 'user_jordan' });
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`passes axe in ${theme} with the queue popover open and an offer showing`, async () => {
      await setTheme(jordan, theme);
      await jordan.getByTestId('queue-status').click();
      await jordan.getByTestId('queue-popover').waitFor();
      await jordan.getByTestId('offer-card').first().waitFor();
      expect(await axeFindings(jordan)).toEqual([]);
      if (theme === 'light') await jordan.screenshot({ path: path.join(ROOT, 'test-results', 'contact-center-agent.png') });
      await jordan.keyboard.press('Escape');
    });
  }

  it('accepts the offer from the keyboard and replies', async () => {
    await setTheme(jordan, 'light');
    const accept = jordan.locator(`[data-testid="offer-card"][data-conversation="${conversationId}"] [data-testid="offer-accept"]`);
    await accept.focus();
    await jordan.keyboard.press('Enter');
    await jordan.locator(`[data-testid="offer-card"][data-conversation="${conversationId}"]`).waitFor({ state: 'detached' });
    await expect.poll(async () => (await serverConversation(conversationId)).assigneeId).toBe('user_jordan');
    await expect.poll(() => jordan.getByTestId('conversation-assignee').textContent()).toBe('Assigned to you');
    await jordan.getByTestId('composer-input').fill('Sorry about that! Let’s reset the router together.');
    await jordan.getByTestId('composer-send').click();
    await jordan.locator('[data-testid="message"][data-direction="out"]', { hasText: 'reset the router together' }).waitFor();
    // Jordan's load in Technical support is that one conversation.
    await jordan.getByTestId('queue-status').click();
    await expect.poll(async () => (await jordan.locator('[data-testid="queue-row"][data-inbox="queue_tech"] [data-testid="queue-row-state"]').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Logged in · 1 of 3');
    await jordan.keyboard.press('Escape');
    const stored = await serverConversation(conversationId);
    expect(stored.routing?.handledBy).toEqual(['user_jordan']);
    // Priya never got it, nor anything else: nothing open is hers on the server.
    expect(await priya.page.getByTestId('offer-card').count()).toBe(0);
    expect(await openAssignedTo('user_priya')).toBe(0);
    await priya.page.getByTestId('queue-status').click();
    expect((await priya.page.getByTestId('queue-row-state').allTextContents()).every((t) => t.includes('Logged out'))).toBe(true);
  });

  it('shows the conversation details and calls the contact', async () => {
    await jordan.getByTestId('conversation-details').click();
    await jordan.getByTestId('conversation-details-panel').waitFor();
    expect(await jordan.getByTestId('details-inbox').textContent()).toBe('Technical support');
    expect(await jordan.getByTestId('details-handledBy').textContent()).toBe('Jordan Lee');
    expect(await jordan.getByTestId('details-type').textContent()).toBe('Started by the customer');
    await jordan.screenshot({ path: path.join(ROOT, 'test-results', 'contact-center-details.png') });
    expect(await axeFindings(jordan)).toEqual([]);
    await jordan.keyboard.press('Escape');
    // The browser host has no shell: the page opens the call itself (recorded here instead of leaving the app).
    await jordan.evaluate(`window.open = (url) => { window.__opened = url; return null; }`);
    await jordan.getByTestId('contact-menu').click();
    await jordan.getByTestId('contact-menu-call').click();
    await expect.poll(() => jordan.evaluate('window.__opened')).toBe(`tel:${CUSTOMER}`);
    await jordan.locator('[data-testid="message"]', { hasText: 'Call started by Jordan Lee' }).waitFor();
    expect(await jordan.getByText('Co-browse', { exact: false }).count()).toBe(0);
  });

  it('tells Jordan when a supervisor logs him out of routing; the notification opens his queue status', async () => {
    const dir = path.join(product.dir, 'client-sofia');
    const sofia = await createClientCore({ dataDir: dir, defaultServerUrl: product.server.url, log: () => {} });
    try {
      const router = createIpcRouter(sofia.handlers, () => {});
      expect((await router.call('session.signIn', { serverUrl: product.server.url, email: 'sofia@cc.demo.switchboard.test', password: 'demo-supervisor' })).ok).toBe(true);
      await expect.poll(async () => (await router.call('actions.logOutAgent', { inboxId: 'queue_billing', userId: 'user_jordan' })).ok, { timeout: 15_000 }).toBe(true);
      await expect.poll(() => notifications.find((n) => n.title === 'You were logged out of Billing')).toMatchObject({
        body: 'Sofia Reyes logged you out. Log in again from your queue status.',
        target: { kind: 'queueStatus' },
      });
      // The desktop shell turns a click into this event (main/shell/notifier.ts); the browser host forwards it.
      const target = notifications.find((n) => n.title === 'You were logged out of Billing')!.target;
      (product.core.events as IpcEventHub).emit('openTarget', target);
      await jordan.getByTestId('queue-popover').waitFor();
      expect(await jordan.locator('[data-testid="queue-row"][data-inbox="queue_billing"] [data-testid="queue-row-why"]').textContent()).toBe('Logged out by a supervisor');
      expect(await jordan.getByTestId('queue-status').getAttribute('data-state')).toBe('some');
      expect(await axeFindings(jordan)).toEqual([]);
      await jordan.keyboard.press('Escape');
    } finally {
      await sofia.close();
    }
  });
});
