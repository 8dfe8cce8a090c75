import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type {
  ConversationListItem,
  ConversationListPage,
  ConversationListQuery,
  ListCounts,
  SidebarInbox,
} from '../../protocol/ipc.ts';
import { FIRST_LIST_QUERY } from '../../protocol/history.ts';
import { getApi } from '../api/index.ts';
import { useSidebarStore } from './sidebar.ts';

export const PAGE_SIZE = 50;

/** The list shown first; the windowed sync's `openFirst` phase brings its first page (protocol/history.ts). */
export function defaultListQuery(): ConversationListQuery {
  return { ...FIRST_LIST_QUERY };
}

/** Filters that exist only while the inbox has assignment mode on (SPEC §4). */
const ASSIGNMENT_ONLY: ReadonlySet<ConversationListQuery['assignment']> = new Set(['me', 'others', 'unassigned']);

function pagesCovering(start: number, end: number): number[] {
  const first = Math.floor(Math.max(0, start) / PAGE_SIZE);
  const last = Math.floor(Math.max(start, end) / PAGE_SIZE);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/**
 * The middle column: the query (areas 7, 9, 10, 12, 13), the rows fetched page by page as the virtual list
 * scrolls, and the folder counts. `rows` has one slot per conversation in the result (`total`); a slot is
 * null until its page arrives. Every response carries the generation it was asked under, and one from an
 * older generation (the query changed, or a re-query overtook it) is dropped.
 */
export const useConversationListStore = defineStore('conversationList', () => {
  const query = shallowRef<ConversationListQuery>(defaultListQuery());
  const rows = shallowRef<(ConversationListItem | null)[]>([]);
  const total = ref(0);
  /** False until the first page of the current query arrived. */
  const ready = ref(false);
  const error = ref<string | null>(null);
  const counts = shallowRef<ListCounts | null>(null);
  /** Issue 13: the server has older rows of this list that the cache does not, and the device is offline. */
  const moreOffline = ref(false);

  let generation = 0;
  let countsToken = 0;
  /** Pages of the current generation that are in `rows`, and those on their way. */
  let loadedPages = new Set<number>();
  let inFlight = new Set<number>();
  /** True while a re-query replaces the rows; single pages wait for it. */
  let requerying = false;
  let visible = { start: 0, end: PAGE_SIZE - 1 };

  const loadedCount = computed(() => rows.value.reduce((n, row) => (row ? n + 1 : n), 0));

  function fetchPage(page: number) {
    return getApi().invoke('conversations.list', { query: query.value, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
  }

  function withPage(base: (ConversationListItem | null)[], page: ConversationListPage): (ConversationListItem | null)[] {
    const next: (ConversationListItem | null)[] = new Array<ConversationListItem | null>(page.total).fill(null);
    const keep = Math.min(base.length, page.total);
    for (let i = 0; i < keep; i++) next[i] = base[i] ?? null;
    page.items.forEach((item, i) => {
      if (page.offset + i < next.length) next[page.offset + i] = item;
    });
    return next;
  }

  async function loadPage(page: number): Promise<void> {
    const mine = generation;
    inFlight.add(page);
    const result = await fetchPage(page);
    if (mine !== generation) return;
    inFlight.delete(page);
    if (!result.ok) {
      error.value = result.error.message;
      return;
    }
    error.value = null;
    loadedPages.add(page);
    if (result.value.items.length > 0 || page === 0) moreOffline.value = result.value.notAvailableOffline === true;
    total.value = result.value.total;
    rows.value = withPage(rows.value, result.value);
    ready.value = true;
  }

  /** Called by the virtual list with the rows it shows; fetches the pages not yet here. */
  function ensureRange(start: number, end: number): void {
    visible = { start, end };
    if (requerying) return;
    for (const page of pagesCovering(start, end)) {
      if (ready.value && page > 0 && page * PAGE_SIZE >= total.value) continue;
      if (!loadedPages.has(page) && !inFlight.has(page)) void loadPage(page);
    }
  }

  async function refreshCounts(): Promise<void> {
    const mine = ++countsToken;
    const { inboxId, channelId } = query.value;
    const result = await getApi().invoke('conversations.counts', { inboxId, channelId });
    if (mine !== countsToken) return;
    if (result.ok) counts.value = result.value;
  }

  /** Re-runs the query for the pages on screen and swaps them in at once; the rest reload as they scroll in. */
  async function refresh(): Promise<void> {
    const mine = ++generation;
    loadedPages = new Set();
    inFlight = new Set();
    requerying = true;
    void refreshCounts();
    const pages = pagesCovering(visible.start, visible.end);
    const results = await Promise.all(pages.map((p) => fetchPage(p)));
    if (mine !== generation) return;
    requerying = false;
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) {
      error.value = failed.error.message;
      ready.value = true;
      return;
    }
    error.value = null;
    const first = results[0];
    const count = first?.ok ? first.value.total : 0;
    const next = new Array<ConversationListItem | null>(count).fill(null);
    results.forEach((r, i) => {
      if (!r.ok) return;
      r.value.items.forEach((item, j) => {
        if (r.value.offset + j < count) next[r.value.offset + j] = item;
      });
      loadedPages.add(pages[i] ?? 0);
    });
    total.value = count;
    rows.value = next;
    moreOffline.value = results.some((r) => r.ok && r.value.notAvailableOffline === true);
    ready.value = true;
    // The list may have shrunk, or the person scrolled while we waited.
    ensureRange(visible.start, visible.end);
  }

  function setQuery(patch: Partial<ConversationListQuery>): void {
    const next = { ...query.value, ...patch };
    if (next.folder === 'closed') next.assignment = 'all';
    query.value = next;
    rows.value = [];
    total.value = 0;
    ready.value = false;
    counts.value = patch.inboxId !== undefined || patch.channelId !== undefined ? null : counts.value;
    visible = { start: 0, end: PAGE_SIZE - 1 };
    void refresh();
  }

  function assignmentModeOf(inboxId: string | null): boolean {
    return useSidebarStore().inboxes.find((i) => i.id === inboxId)?.assignmentMode ?? false;
  }

  /** Area 2: an inbox (all its channels) or one channel of it. */
  function selectInbox(inboxId: string, channelId: string | null = null): void {
    const assignment = !assignmentModeOf(inboxId) && ASSIGNMENT_ONLY.has(query.value.assignment) ? 'all' : query.value.assignment;
    setQuery({ inboxId, channelId, assignment });
  }

  /**
   * After the sidebar changes: keep the selection if it still exists, else fall back to the first inbox.
   * Returns true when that re-queried the list.
   */
  function adoptInboxes(inboxes: SidebarInbox[]): boolean {
    const { inboxId, channelId } = query.value;
    const inbox = inboxes.find((i) => i.id === inboxId);
    if (inbox && (channelId === null || inbox.channels.some((c) => c.id === channelId))) {
      if (inbox.assignmentMode || !ASSIGNMENT_ONLY.has(query.value.assignment)) return false;
      setQuery({ assignment: 'all' });
      return true;
    }
    const first = inboxes[0];
    if (first) {
      selectInbox(first.id, null);
      return true;
    }
    if (inboxId === null) return false;
    setQuery({ inboxId: null, channelId: null });
    return true;
  }

  function reset(): void {
    generation++;
    countsToken++;
    loadedPages = new Set();
    inFlight = new Set();
    requerying = false;
    visible = { start: 0, end: PAGE_SIZE - 1 };
    query.value = defaultListQuery();
    rows.value = [];
    total.value = 0;
    ready.value = false;
    error.value = null;
    counts.value = null;
  }

  return {
    query,
    rows,
    total,
    ready,
    error,
    counts,
    moreOffline,
    loadedCount,
    ensureRange,
    refresh,
    refreshCounts,
    setQuery,
    selectInbox,
    adoptInboxes,
    reset,
  };
});
