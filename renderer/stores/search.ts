import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { SearchResults } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';

/** Typing pauses shorter than this do not start a search. */
const DEBOUNCE_MS = 120;

/** The search box: full-text search over the local cache (works offline). */
export const useSearchStore = defineStore('search', () => {
  const text = ref('');
  const results = shallowRef<SearchResults | null>(null);
  const error = ref<string | null>(null);
  const open = ref(false);
  let token = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function run(): Promise<void> {
    const mine = ++token;
    const query = text.value;
    if (query.trim() === '') {
      results.value = null;
      return;
    }
    const result = await getApi().invoke('search.query', { text: query, limit: 20 });
    if (mine !== token) return;
    if (!result.ok) {
      error.value = result.error.message;
      return;
    }
    error.value = null;
    results.value = result.value;
  }

  function setText(value: string): void {
    text.value = value;
    open.value = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  }

  function close(): void {
    open.value = false;
  }

  function reset(): void {
    token++;
    if (timer) clearTimeout(timer);
    text.value = '';
    results.value = null;
    error.value = null;
    open.value = false;
  }

  return { text, results, error, open, run, setText, close, reset };
});
