import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '../../../../protocol/ipc.ts';
import { markWords } from '../../../../main/core/history/merged-search.ts';

const strip = (s: string): string => s.replaceAll(SNIPPET_MARK_START, '').replaceAll(SNIPPET_MARK_END, '');
const marked = (s: string): string[] => [...s.matchAll(/\u0002([^\u0003]*)\u0003/gu)].map((m) => m[1] as string);

describe('markWords (the server’s plain snippets, marked like the cache’s)', () => {
  it('marks whole words and words the searched text begins, whatever their case', () => {
    expect(markWords('About the Zebracorn order, zebracorns too', ['zebracorn'])).toBe(
      `About the ${SNIPPET_MARK_START}Zebracorn${SNIPPET_MARK_END} order, ${SNIPPET_MARK_START}zebracorns${SNIPPET_MARK_END} too`,
    );
    expect(markWords('unzebracorn', ['zebracorn'])).toBe('unzebracorn');
  });

  test.prop([fc.string({ maxLength: 80 }), fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 3 })])(
    'never changes the text, never nests marks, and marks only words that begin with a searched word',
    (snippet, words) => {
      const out = markWords(snippet, words);
      expect(strip(out)).toBe(strip(snippet));
      expect(out.split(SNIPPET_MARK_START).length).toBe(out.split(SNIPPET_MARK_END).length);
      for (const m of marked(out)) expect(words.some((w) => m.toLowerCase().startsWith(w.toLowerCase()))).toBe(true);
    },
  );
});
