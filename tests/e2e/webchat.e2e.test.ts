import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startProduct, type Product } from './support/product.ts';

/**
 * Web chat end to end: Sam (Sales) in the real client, and a visitor in a second browser
 * context on the demo "customer site" (/webchat-demo) with the embedded widget.
 */

let product: Product;
let visitorContext: BrowserContext;
let visitor: Page;

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
});
