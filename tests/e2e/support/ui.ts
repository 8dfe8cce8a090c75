import type { Page } from 'playwright-core';

/** Ways into the app's compact controls, shared by the e2e tests. */

/** Opens the list's filter popover (channel, All/Unread/Archived, tag, sort) unless it is open. */
export async function openListFilters(page: Page): Promise<void> {
  if (await page.getByTestId('list-filter-panel').isVisible()) return;
  await page.getByTestId('list-filter').click();
  await page.getByTestId('list-filter-panel').waitFor();
}

/**
 * Runs a conversation action by its test id: the header's primary button when it is that action, otherwise
 * the item in the header's "More" menu (archive, mark unread, assign to…).
 */
export async function conversationAction(page: Page, testId: string, id?: string): Promise<void> {
  const primary = page.locator(`[data-testid="conversation-actions"] > [data-testid="${testId}"]`);
  if (await primary.isVisible()) return primary.click();
  await page.getByTestId('conversation-more').click();
  await page.locator(`[data-testid="conversation-more-items"] [data-testid="${testId}"]${id ? `[data-id="${id}"]` : ''}`).click();
}
