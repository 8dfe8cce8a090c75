import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** axe-core's findings on the page as it is now, one line per rule and element, empty when it passes. */

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  rule: string;
  impact: string | null;
  target: string;
  summary: string;
}

// Runs in the page (the Node typings here have no DOM, so it is passed as text).
const runAxe = (include: readonly string[] | null) => `(async () => {
  const context = ${include ? JSON.stringify({ include: include.map((s) => [s]) }) : 'document'};
  const result = await window.axe.run(context, { resultTypes: ['violations'] });
  return result.violations.flatMap((v) => v.nodes.map((n) => ({
    rule: v.id, impact: v.impact, target: n.target.map(String).join(' '),
    summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240),
  })));
})()`;

/** `include`: CSS selectors of the parts to check (default: the whole page). */
export async function axeFindings(page: Page, include: readonly string[] | null = null): Promise<AxeFinding[]> {
  // Evaluated through the devtools protocol: the app's CSP (script-src 'self') refuses an inline script tag.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  return (await page.evaluate(runAxe(include))) as AxeFinding[];
}
