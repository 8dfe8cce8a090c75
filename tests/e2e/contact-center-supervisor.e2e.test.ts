import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcMethod, IpcOutput } from '../../protocol/ipc.ts';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { createIpcRouter, type IpcEventHub } from '../../main/ipc-router.ts';
import { axeFindings } from './support/axe.ts';
import { clippedWithoutTooltip } from './support/geometry.ts';
import { startProduct, type Product } from './support/product.ts';

/**
 * The supervisor's live Queues view end to end (issue 10 §4, §5): Sofia (supervisor of the demo Contact Center)
 * watches Billing in Chromium while customers write in and agents — real client cores of their own, signed in
 * to the same server — log in, are routed conversations and reply. She sees waiting, load and service level
 * change, logs Jordan out, and his unanswered conversation goes back to the queue and on to Priya. The view
 * passes axe in light and dark, nothing clips at 1280×720, and it says so when its figures may be behind.
 */

const SOFIA = { email: 'sofia@cc.demo.switchboard.test', password: 'demo-supervisor' };
const BILLING = 'queue_billing';
type Agent = { core: ClientCore; call<M extends IpcMethod>(method: M, input: unknown): Promise<IpcOutput<M>>; dir: string };

let product: Product;
let page: Page;
const agents: Agent[] = [];

async function agent(email: string): Promise<Agent> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-e2e-agent-'));
  const core = await createClientCore({ dataDir: dir, defaultServerUrl: product.server.url, log: () => {} });
  const router = createIpcRouter(core.handlers, () => {});
  const call = async <M extends IpcMethod>(method: M, input: unknown): Promise<IpcOutput<M>> => {
    const result = await router.call(method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
    return result.value as IpcOutput<M>;
  };
  await call('session.signIn', { serverUrl: product.server.url, email, password: 'demo-agent' });
  // Logging in is checked against the queues in the agent's own cache: wait for the first sync to bring them.
  await expect.poll(async () => (await call('queues.mine', {})).queues.some((q) => q.inboxId === BILLING), { timeout: 15_000 }).toBe(true);
  const a = { core, call, dir };
  agents.push(a);
  return a;
}

const card = () => page.locator(`[data-testid="queue-card"][data-queue="${BILLING}"]`);
const agentRow = (userId: string) => card().locator(`[data-testid="queue-agent"][data-user="${userId}"]`);
const text = async (testId: string) => ((await card().getByTestId(testId).textContent()) ?? '').trim();
const serviceLevel = async () => {
  const el = card().getByTestId('queue-service-level');
  return { met: Number(await el.getAttribute('data-met')), counted: Number(await el.getAttribute('data-counted')) };
};

async function chooseTheme(theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-menu').click();
  await page.locator(`[data-testid="theme-choice"][data-value="${theme}"]`).click();
  await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(theme);
}

beforeAll(async () => {
  product = await startProduct({ pausable: true });
  page = product.page;
  await page.setViewportSize({ width: 1280, height: 720 });
});

afterAll(async () => {
  for (const a of agents) {
    await a.core.close();
    rmSync(a.dir, { recursive: true, force: true });
  }
  await product?.close();
});

describe('the supervisor’s Queues view', () => {
  it('Sofia opens Queues from the top bar: both queues, with today’s handled history', async () => {
    await page.goto(product.host.url);
    await page.getByTestId('signin-email').fill(SOFIA.email);
    await page.getByTestId('signin-password').fill(SOFIA.password);
    await page.getByTestId('signin-submit').click();
    await page.locator('[data-testid="connection"][data-status="online"]').waitFor();
    await page.getByTestId('queue-status').waitFor();
    // Her top bar carries her own queue status, Queues and Manage, and search still has room (≥ 240 px) with
    // nothing clipped: labels fold into named icons below 1600 px.
    for (const [width, height] of [[1280, 720], [1440, 900]] as const) {
      await page.setViewportSize({ width, height });
      expect((await page.locator('.search').boundingBox())!.width).toBeGreaterThanOrEqual(240);
      expect(await page.evaluate(`(() => { const bar = document.querySelector('.topbar'); return bar.scrollWidth <= bar.clientWidth; })()`)).toBe(true);
      expect(await clippedWithoutTooltip(page, '.topbar')).toEqual([]);
      for (const testId of ['queue-status', 'notifications-toggle', 'theme-menu', 'open-queues', 'open-manage']) {
        const button = page.getByTestId(testId);
        expect((await button.boundingBox())!.x + (await button.boundingBox())!.width).toBeLessThanOrEqual(width);
        expect(await button.getAttribute('title')).toBeTruthy();
      }
    }
    await page.setViewportSize({ width: 1280, height: 720 });
    expect(await page.getByRole('button', { name: 'Queues', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Manage', exact: true }).count()).toBe(1);
    await page.getByTestId('open-queues').click();
    await page.getByTestId('queues-view').waitFor();
    await expect.poll(() => page.getByTestId('queue-card').count()).toBe(2);
    expect(await text('queue-waiting')).toBe('0');
    expect(Number(await text('queue-handled'))).toBeGreaterThan(0);
    expect(await agentRow('user_jordan').getAttribute('data-status')).toBe('loggedOut');
  });

  it('a customer writes in while nobody is logged in: waiting 1, the oldest wait ticks', async () => {
    const before = await serviceLevel();
    await product.injectInbound('ch_billing_sms', '+13125550190', 'Hello, I need a copy of my last invoice please.');
    await expect.poll(() => text('queue-waiting')).toBe('1');
    const first = await text('queue-oldest');
    await expect.poll(() => text('queue-oldest'), { timeout: 5000 }).not.toBe(first);
    expect(await card().locator('.queue-waiting-list [data-testid="queue-conversation"]').getAttribute('data-state')).toBe('waiting');
    await page.screenshot({ path: path.join(tmpdir(), 'queues-view-waiting.png') });
    expect(await serviceLevel()).toEqual(before);
  });

  let first = '';
  let second = '';
  let jordan: Agent;
  it('Jordan logs in: routing assigns it to him (load 1 of 3); he replies and service level counts it as met', async () => {
    const before = await serviceLevel();
    jordan = await agent('jordan@cc.demo.switchboard.test');
    await jordan.call('actions.queueLogin', { inboxIds: [BILLING] });
    await expect.poll(() => text('queue-waiting')).toBe('0');
    await expect.poll(() => agentRow('user_jordan').getAttribute('data-load')).toBe('1');
    expect(await agentRow('user_jordan').getAttribute('data-status')).toBe('available');
    first = (await agentRow('user_jordan').getByTestId('queue-conversation').first().getAttribute('data-id')) ?? '';
    expect(first).not.toBe('');
    await jordan.call('actions.sendMessage', { conversationId: first, body: 'Of course — I have just emailed it to you.' });
    await expect.poll(() => serviceLevel()).toEqual({ met: before.met + 1, counted: before.counted + 1 });
    await expect.poll(() => agentRow('user_jordan').locator(`[data-id="${first}"]`).getAttribute('data-state')).toBe('answered');
  });

  it('a second customer goes to Jordan too; Sofia logs him out and it moves on to Priya, the answered one stays, flagged', async () => {
    second = await product.injectInbound('ch_billing_sms', '+13125550191', 'My card was declined at checkout.');
    await expect.poll(() => agentRow('user_jordan').getAttribute('data-load')).toBe('2');
    const priya = await agent('priya@cc.demo.switchboard.test');
    await priya.call('actions.queueLogin', { inboxIds: [BILLING] });
    await expect.poll(() => agentRow('user_priya').getAttribute('data-status')).toBe('available');

    await agentRow('user_jordan').getByTestId('queue-logout').click();
    await page.getByTestId('queue-logout-popover').waitFor();
    await page.getByTestId('queue-logout-confirm').click();
    await expect.poll(() => agentRow('user_jordan').getAttribute('data-status')).toBe('loggedOut');
    await expect.poll(() => agentRow('user_priya').locator(`[data-testid="queue-conversation"][data-id="${second}"]`).count()).toBe(1);
    const kept = agentRow('user_jordan').locator(`[data-testid="queue-conversation"][data-id="${first}"]`);
    await expect.poll(() => kept.getAttribute('data-flagged')).toBe('true');
  });

  it('in the offer-mode queue, an offer counts as load and as waiting until Tom accepts it', async () => {
    const tech = page.locator('[data-testid="queue-card"][data-queue="queue_tech"]');
    const tomRow = tech.locator('[data-testid="queue-agent"][data-user="user_tom"]');
    const tom = await agent('tom@cc.demo.switchboard.test');
    await tom.call('actions.queueLogin', { inboxIds: ['queue_tech'] });
    await expect.poll(() => tomRow.getAttribute('data-status')).toBe('available');
    const offered = await product.injectInbound('ch_tech_sms', '+13125550192', 'The app crashes when I open settings.');
    const chip = tomRow.locator(`[data-testid="queue-conversation"][data-id="${offered}"]`);
    await expect.poll(() => chip.getAttribute('data-state')).toBe('offered');
    expect(await tomRow.getAttribute('data-load')).toBe('1');
    expect(((await tech.getByTestId('queue-waiting').textContent()) ?? '').trim()).toBe('1');
    await tom.call('actions.acceptOffer', { conversationId: offered });
    await expect.poll(() => chip.getAttribute('data-state')).toBe('unanswered');
    expect(((await tech.getByTestId('queue-waiting').textContent()) ?? '').trim()).toBe('0');
    expect(await tomRow.getAttribute('data-load')).toBe('1');
  });

  it('a capacity changed from the view reaches the agent’s row', async () => {
    await agentRow('user_priya').getByTestId('capacity-button').click();
    await page.getByTestId('capacity-input').fill('5');
    await page.getByTestId('capacity-save').click();
    await expect.poll(() => agentRow('user_priya').getAttribute('data-capacity')).toBe('5');
  });

  it('passes axe in light and dark, nothing clips at 1280×720, and a popover closes on Esc', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await chooseTheme(theme);
      expect(await axeFindings(page, ['[data-testid="queues-view"]'])).toEqual([]);
      // The whole page too: the top bar's controls point only at what is on screen.
      expect(await axeFindings(page)).toEqual([]);
      await page.screenshot({ path: path.join(tmpdir(), `queues-view-${theme}.png`) });
    }
    expect(await clippedWithoutTooltip(page, '[data-testid="queues-view"]')).toEqual([]);
    const view = (await page.getByTestId('queues-view').boundingBox())!;
    expect(view.x + view.width).toBeLessThanOrEqual(1280);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    await agentRow('user_priya').getByTestId('queue-logout').click();
    await page.getByTestId('queue-logout-popover').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('queue-logout-popover').waitFor({ state: 'detached' });
  });

  it('opens any conversation of the queue', async () => {
    await agentRow('user_priya').locator(`[data-testid="queue-conversation"][data-id="${second}"]`).click();
    await page.getByTestId('queue-open-conversation').click();
    await page.getByTestId('queues-view').waitFor({ state: 'detached' });
    await page.locator('[data-testid="message"]', { hasText: 'My card was declined at checkout.' }).waitFor();
    await page.getByTestId('open-queues').click();
    await page.getByTestId('queues-view').waitFor();
  });

  it('a notification about an agent opens the Queues view at that queue', async () => {
    await page.getByTestId('open-queues').click();
    await page.getByTestId('queues-view').waitFor({ state: 'detached' });
    // What the desktop shell sends when Sofia clicks "Tom Becker was logged out of Technical support".
    (product.core.events as IpcEventHub).emit('openTarget', { kind: 'queues', inboxId: 'queue_tech' });
    await page.getByTestId('queues-view').waitFor();
    await expect.poll(() => page.locator('[data-testid="queue-card"][data-queue="queue_tech"]').getAttribute('data-focused')).toBe('true');
    expect(await page.locator(`[data-testid="queue-card"][data-queue="${BILLING}"]`).getAttribute('data-focused')).toBe('false');
  });

  it('is marked stale while the connection is down, and keeps showing the last figures', async () => {
    await product.proxy!.close();
    await page.getByTestId('queues-stale').waitFor();
    expect(await page.getByTestId('queues-view').getAttribute('data-stale')).toBe('true');
    expect(await card().count()).toBe(1);
  });
});
