import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { IpcResult } from '../../protocol/ipc.ts';
import type { QueuesOverview } from '../../protocol/queue-overview.ts';
import { getApi } from '../api/index.ts';
import { openTarget } from '../notifications.ts';
import { useConnectionStore } from './connection.ts';

/**
 * The supervisor's Queues view (issue 10 §4): whether it is shown, the overview main computed from the cache,
 * and the clock that makes waits and times in a status tick every second without asking main again.
 */
export const useQueuesStore = defineStore('queues', () => {
  const shown = ref(false);
  /** The queue a notification pointed at: its card scrolls into view and stands out. */
  const focused = ref<string | null>(null);
  const overview = shallowRef<QueuesOverview | null>(null);
  const loadError = ref<string | null>(null);
  /** The last refused action (log out, capacity, reassign), shown above the queues. */
  const actionError = ref<string | null>(null);
  /** The renderer's clock, moved each second while the view is shown. */
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | null = null;
  let token = 0;

  /** Everything on screen comes from the cache: while the link is down it may be behind. */
  const stale = computed(() => useConnectionStore().status !== 'online');

  async function refresh(): Promise<void> {
    if (!shown.value) return;
    const mine = ++token;
    const result = await getApi().invoke('queues.overview', {});
    if (mine !== token || !shown.value) return;
    if (result.ok) {
      overview.value = result.value;
      loadError.value = null;
    } else loadError.value = result.error.message;
  }

  function show(focusInboxId: string | null = null): void {
    focused.value = focusInboxId;
    if (shown.value) return;
    shown.value = true;
    now.value = Date.now();
    timer ??= setInterval(() => (now.value = Date.now()), 1000);
    void refresh();
  }

  function hide(): void {
    shown.value = false;
    token++;
    if (timer) clearInterval(timer);
    timer = null;
  }

  async function act(call: Promise<IpcResult<unknown>>): Promise<string | null> {
    actionError.value = null;
    const result = await call;
    if (!result.ok) {
      actionError.value = result.error.message;
      return result.error.message;
    }
    await refresh();
    return null;
  }

  const logOut = (inboxId: string, userId: string) => act(getApi().invoke('actions.logOutAgent', { inboxId, userId }));
  const setCapacity = (inboxId: string, userId: string | null, capacity: number | null) =>
    act(getApi().invoke('actions.setCapacity', { inboxId, userId, capacity }));
  const reassign = (conversationId: string, assigneeId: string | null) => act(getApi().invoke('actions.assign', { conversationId, assigneeId }));

  /** Leaves the Queues view for the conversation (the inbox layout shows it). */
  function openConversation(conversationId: string): void {
    hide();
    openTarget({ kind: 'conversation', conversationId });
  }

  function reset(): void {
    hide();
    overview.value = null;
    loadError.value = null;
    actionError.value = null;
  }

  return { shown, focused, overview, loadError, actionError, now, stale, refresh, show, hide, logOut, setCapacity, reassign, openConversation, reset };
});
