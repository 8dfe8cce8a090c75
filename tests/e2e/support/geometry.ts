import type { Locator, Page } from 'playwright-core';

/** Bounding boxes and the checks the layout tests make on them (geometry, never pixels). */

export interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export async function boxOf(locator: Locator, name: string): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${name} is not on screen`);
  return { name, ...box };
}

/** Every box found by the locator, named by its data-testid (or its index). */
export async function boxesOf(locator: Locator, name: string): Promise<Box[]> {
  const boxes: Box[] = [];
  for (const [i, el] of (await locator.all()).entries()) {
    const testId = await el.getAttribute('data-testid');
    boxes.push(await boxOf(el, `${name}[${testId ?? i}]`));
  }
  return boxes;
}

const EPSILON = 0.5;

/** Pairs of boxes that overlap (touching edges do not count). */
export function overlaps(boxes: Box[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const x = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const y = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (x > EPSILON && y > EPSILON) found.push(`${a.name} overlaps ${b.name}`);
    }
  }
  return found;
}

/** Boxes that do not share one row with the first (their vertical middles differ): a wrap. */
export function offRow(boxes: Box[]): string[] {
  const first = boxes[0];
  if (!first) return [];
  const middle = first.y + first.height / 2;
  return boxes
    .filter((b) => Math.abs(b.y + b.height / 2 - middle) > Math.max(first.height, b.height) / 2)
    .map((b) => `${b.name} wrapped below ${first.name}`);
}

/** Boxes reaching outside the container. */
export function outside(boxes: Box[], container: Box): string[] {
  return boxes
    .filter(
      (b) =>
        b.x < container.x - EPSILON ||
        b.y < container.y - EPSILON ||
        b.x + b.width > container.x + container.width + EPSILON ||
        b.y + b.height > container.y + container.height + EPSILON,
    )
    .map((b) => `${b.name} reaches outside ${container.name}`);
}

// Runs in the page (no DOM typings here): elements cut off with an ellipsis that offer no tooltip.
const CLIPPED_WITHOUT_TOOLTIP = (selector: string): string => `(() => {
  const out = [];
  for (const root of document.querySelectorAll(${JSON.stringify(selector)})) {
    for (const el of root.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (style.textOverflow !== 'ellipsis' || el.scrollWidth <= el.clientWidth + 1) continue;
      if (el.closest('[title]')) continue;
      out.push((el.getAttribute('data-testid') || el.className || el.tagName) + ': ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return out;
})()`;

/** Text cut off with an ellipsis inside the matched regions whose full text no tooltip (title) gives. */
export async function clippedWithoutTooltip(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(CLIPPED_WITHOUT_TOOLTIP(selector))) as string[];
}
