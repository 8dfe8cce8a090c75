import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '../protocol/ipc.ts';

export interface SnippetPart {
  text: string;
  hit: boolean;
}

/** Splits a search snippet at its match markers; rendered as text with <mark>, never as HTML. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let hit = false;
  let current = '';
  for (const ch of snippet) {
    if (ch === SNIPPET_MARK_START || ch === SNIPPET_MARK_END) {
      if (current) parts.push({ text: current, hit });
      current = '';
      hit = ch === SNIPPET_MARK_START;
      continue;
    }
    current += ch;
  }
  if (current) parts.push({ text: current, hit });
  return parts;
}
