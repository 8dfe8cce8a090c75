import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '../../protocol/ipc.ts';
import { SyncClient, signIn as signInHttp } from '../server/support/sync-client.ts';
import { DEMO, startProduct, type Product } from './support/product.ts';
import { openListFilters } from './support/ui.ts';

/**
 * Chats, private numbers and shortcuts in the browser, as Sam: the direct chat
 * with Maya (send; Maya's reply arrives live with an unread count and a
 * notification), New direct chat reopens it, a new team chat, his private
 * number under (3), and the '?' shortcut overlay.
 */

let product: Product;
let page: Page;
let maya: SyncClient;
const notifications: NotificationPayload[] = [];

const chatItem = (id: string) => page.locator(`[data-testid="chat"][data-id="${id}"]`);

beforeAll(async () => {
  product = await startProduct({ server: { delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } } });
  page = product.page;
  product.core.events.on('notification', (n) => notifications.push(n));
  maya = await SyncClient.connect(product.server.url);
  await maya.sync(await signInHttp(product.server.url, DEMO.maya), { clientId: 'maya-e2e' });
});

afterAll(async () => {
  maya?.close();
  await product?.close();
});

describe('chats and private numbers, end to end in a browser', () => {
  it('Sam opens the direct chat with Maya and sends a message', async () => {
    await product.signIn(DEMO.sam);
    await expect.poll(() => chatItem('chat_maya_sam').textContent()).toContain('Maya Patel');
    await chatItem('chat_maya_sam').click();
    const pane = page.getByTestId('chat-pane');
    await expect.poll(() => pane.getByTestId('chat-title').textContent()).toBe('Maya Patel');
    await pane.locator('[data-testid="chat-message"]', { hasText: 'scout troop quote' }).waitFor();
    await pane.getByTestId('composer-input').fill('Quote sent, they loved it.');
    await pane.getByTestId('composer-input').press('Enter');
    await pane.locator('[data-testid="chat-message"]:not([data-pending])', { hasText: 'Quote sent, they loved it.' }).waitFor();
    await maya.until(() => maya.entries().some((e) => e.op === 'put' && e.entity === 'chatMessage' && e.record.body === 'Quote sent, they loved it.'), 'Sam’s message at Maya');
  });

  it('reads like a conversation: bubbles (Sam’s on the right), day headings, one name per run, a normal Send button', async () => {
    const pane = page.getByTestId('chat-pane');
    const history = pane.getByTestId('chat-history');
    // No list numbers: the history is a log of articles, not an ordered list.
    expect(await history.evaluate((el) => el.tagName)).toBe('DIV');
    expect(await history.getAttribute('role')).toBe('log');
    expect(await pane.locator('[data-testid="day-divider"]').count()).toBeGreaterThan(0);
    const mine = pane.locator('[data-testid="chat-message"]', { hasText: 'Quote sent, they loved it.' });
    const theirs = pane.locator('[data-testid="chat-message"]', { hasText: 'scout troop quote' });
    const box = (await history.boundingBox())!;
    const mineBox = (await mine.locator('.bubble').boundingBox())!;
    const theirsBox = (await theirs.locator('.bubble').boundingBox())!;
    expect(box.x + box.width - (mineBox.x + mineBox.width)).toBeLessThan(40);
    expect(theirsBox.x - box.x).toBeLessThan(40);
    expect(mineBox.x).toBeGreaterThan(theirsBox.x);
    // Others' messages name their sender, once per run; Sam's own carry no name.
    expect(await mine.getByTestId('chat-message-author').count()).toBe(0);
    expect(await pane.getByTestId('chat-message-author').first().textContent()).toBe('Maya Patel');
    const authors = await pane.getByTestId('chat-message').evaluateAll((els) =>
      els.map((el) => ({ starts: el.getAttribute('data-starts-group') === 'true', named: el.querySelector('[data-testid="chat-message-author"]') !== null })),
    );
    for (const a of authors) if (!a.starts) expect(a.named).toBe(false);
    // Send is a button beside the box's edge, not a bar across it.
    const send = (await pane.getByTestId('chat-send').boundingBox())!;
    const composer = (await pane.getByTestId('chat-composer').boundingBox())!;
    expect(send.width).toBeLessThan(composer.width / 4);
  });

  it('a message from Maya arrives live with an unread count and a notification that opens the chat', async () => {
    await page.getByTestId('chat-close').click();
    await page.getByTestId('chat-pane').waitFor({ state: 'detached' });
    maya.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'chat.send', args: { chatId: 'chat_maya_sam', messageId: 'maya-live-1', body: 'Great work, thanks!' } } }] });
    await expect.poll(() => chatItem('chat_maya_sam').getByTestId('unread').textContent()).toBe('1');
    await expect.poll(() => notifications.find((n) => n.id === 'chatMessage:maya-live-1')?.target).toEqual({ kind: 'chat', chatId: 'chat_maya_sam' });
    // Opening it marks it read.
    await chatItem('chat_maya_sam').click();
    await page.locator('[data-testid="chat-message"]', { hasText: 'Great work, thanks!' }).waitFor();
    await chatItem('chat_maya_sam').getByTestId('unread').waitFor({ state: 'detached' });
    // Sam's own message never notified him.
    expect(notifications.some((n) => n.body.includes('Quote sent'))).toBe(false);
    // Muted (his own setting): Maya's next message counts as unread but does not notify.
    await page.getByTestId('notifications-toggle').click();
    await expect.poll(() => page.getByTestId('notifications-toggle').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('chat-close').click();
    maya.send({ type: 'mutate', mutations: [{ id: 2, mutation: { name: 'chat.send', args: { chatId: 'chat_maya_sam', messageId: 'maya-live-2', body: 'One more thing' } } }] });
    await expect.poll(() => chatItem('chat_maya_sam').getByTestId('unread').textContent()).toBe('1');
    expect(notifications.some((n) => n.id === 'chatMessage:maya-live-2')).toBe(false);
    await page.getByTestId('notifications-toggle').click();
    await chatItem('chat_maya_sam').click();
  });

  it('New direct chat with Maya reopens the existing chat instead of starting another', async () => {
    await page.getByTestId('chat-close').click();
    await page.getByTestId('create-menu').click();
    await page.getByTestId('create-new-direct-chat').click();
    await page.getByTestId('new-direct-chat-dialog').locator('[data-testid="chat-person"][data-id="user_maya"]').click();
    await expect.poll(() => page.getByTestId('chat-pane').getAttribute('data-id')).toBe('chat_maya_sam');
    expect(await page.locator('[data-testid="chat"][data-kind="direct"]').count()).toBe(1);
  });

  it('Sam starts a team chat with Alex and Maya', async () => {
    await page.getByTestId('create-menu').click();
    await page.getByTestId('create-new-team-chat').click();
    const dialog = page.getByTestId('new-team-chat-dialog');
    await dialog.getByTestId('team-chat-name').fill('Weekend crew');
    await dialog.locator('[data-testid="chat-person"][data-id="user_alex"]').check();
    await dialog.locator('[data-testid="chat-person"][data-id="user_maya"]').check();
    await dialog.getByTestId('team-chat-start').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('chat-title').textContent()).toBe('Weekend crew');
    await page.locator('[data-testid="chat"][data-kind="team"]', { hasText: 'Weekend crew' }).waitFor();
    await expect.poll(() => page.getByTestId('chat-members').textContent()).toMatch(/Alex Chen/);
  });

  it('Sam’s private number shows under (3), and choosing it shows only its conversations', async () => {
    await page.getByTestId('chat-close').click();
    const number = page.locator('[data-area="3"] [data-testid="private-number"][data-id="pn_sam"]');
    await expect.poll(() => number.textContent()).toContain('+1 415 555 0170');
    await number.click();
    await page.locator('[data-testid="conversation-item"][data-id="conv_pn_sam_1"]').waitFor();
    await expect.poll(() => page.getByTestId('conversation-list').getAttribute('data-total')).toBe('1');
    await page.locator('[data-testid="conversation-item"][data-id="conv_pn_sam_1"]').click();
    await page.locator('[data-testid="message"]', { hasText: 'demo day' }).waitFor();
  });

  it('the ? overlay lists the keyboard shortcuts', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const overlay = page.getByTestId('shortcuts-overlay');
    await overlay.waitFor();
    const actions = await overlay.getByTestId('shortcut').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['next', 'previous', 'reply', 'close', 'assignToMe', 'search', 'help']));
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'detached' });
    // r focuses the composer of the open conversation.
    await page.keyboard.press('r');
    await page.locator('[data-testid="composer-input"]:focus').waitFor();
  });

  it('Maya (manager) moves Sam’s number into Sales; its history shows read-only under (11) Previous messages', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-email').waitFor();
    await product.signIn(DEMO.maya);
    // Before the move, Maya's client holds nothing of Sam's private conversations.
    expect(await page.locator('[data-testid="previous-inbox"]').count()).toBe(0);
    await page.getByTestId('move-private-number').click();
    const dialog = page.getByTestId('move-number-dialog');
    await dialog.getByTestId('move-number-owner').selectOption('user_sam');
    await dialog.getByTestId('move-number-number').fill('(415) 555-0170');
    await dialog.getByTestId('move-number-inbox').selectOption('inbox_sales');
    await dialog.getByTestId('move-number-submit').click();
    await dialog.getByTestId('move-number-done').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid="previous-inbox"][data-id="inbox_sales"]').click();
    await page.locator('[data-testid="previous-conversation"][data-id="conv_pn_sam_1"]').click();
    await page.getByTestId('previous-messages').getByText('still on for the demo day').waitFor();
    // Read-only: no composer in it, and the number is now a channel of Sales.
    expect(await page.getByTestId('previous-dialog').getByTestId('composer-input').count()).toBe(0);
    // Labelled for its owner in the shared inbox, never "My number" for anyone else.
    const moved = page.locator('[data-testid="channel"][data-id="pn_sam"]');
    await expect.poll(() => moved.textContent()).toContain('Sam Rivera’s number');
    expect(await moved.getAttribute('title')).toContain('+1 415 555 0170');
    // The channel drop-down of Sales names it by owner and number too.
    await page.keyboard.press('Escape');
    await page.getByTestId('previous-dialog').waitFor({ state: 'detached' });
    await page.locator('[data-testid="inbox"][data-id="inbox_sales"]').click();
    await openListFilters(page);
    const option = page.locator('[data-testid="channel-filter"] option[value="pn_sam"]');
    await expect.poll(() => option.textContent()).toBe('Sam Rivera’s number · +1 415 555 0170 (SMS)');
    expect(await page.getByTestId('channel-filter').textContent()).not.toMatch(/my number/i);
    await page.keyboard.press('Escape');
  });
});
