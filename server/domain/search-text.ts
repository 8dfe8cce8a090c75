/** Words searched for at most: a longer text narrows nothing more and only slows the match. */
const MAX_TERMS = 8;
/** Characters of context on each side of the match in a snippet. */
const CONTEXT = 60;

/**
 * The words of a search text: runs of letters and digits, lowercased. Punctuation and quotes never reach
 * the engines' query syntax (each storage quotes every term on top).
 */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_TERMS);
}

/** Plain text around the first term found in `body` (the whole body when short), with … where it was cut. */
export function snippetOf(body: string, terms: readonly string[]): string {
  const lower = body.toLowerCase();
  const at = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;
  const start = Math.max(0, at - CONTEXT);
  const end = Math.min(body.length, at + CONTEXT * 2);
  return `${start > 0 ? '…' : ''}${body.slice(start, end)}${end < body.length ? '…' : ''}`;
}

/** What contacts are matched against: the digits of a typed number, else the words in order. */
export function contactNeedle(text: string): string {
  if (/^[\d\s()+.-]+$/.test(text.trim())) return text.replace(/[^\d]/g, '');
  return searchTerms(text).join(' ');
}
