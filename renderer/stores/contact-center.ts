import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { MyQueuesView, OfferView, OrgView } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useConversationListStore } from './conversation-list.ts';
import { useOpenConversationStore } from './open-conversation.ts';

/**
 * The agent's Contact Center desktop (issue 10 §3): the organisation's edition (layout rules), my inbox queues
 * with my status and load (7), my offers with their countdown, and calls. Read from main's cache, refreshed
 * whenever the views change; actions go through main's outbox.
 */
export const useContactCenterStore = defineStore('contactCenter', () => {
  const org = shallowRef<OrgView | null>(null);
  const queues = shallowRef<MyQueuesView['queues']>([]);
  const offers = shallowRef<OfferView[]>([]);
  const error = ref<string | null>(null);
  /** Ticks once a second while an offer shows, for the countdowns. */
  const now = ref(Date.now());
  /** Bumped to open the queue status popover from outside it (a "logged out of routing" notification). */
  const statusAsked = ref(0);
  const askStatus = (): void => void statusAsked.value++;
  let token = 0;
  let ticker: ReturnType<typeof setInterval> | null = null;

  const contactCenterLayout = computed(() => org.value?.contactCenterLayout === true);
  const mayCall = computed(() => org.value?.mayCall === true);
  const loggedInCount = computed(() => queues.value.filter((q) => q.loggedIn).length);
  const liveOffers = computed(() => offers.value.filter((o) => o.expiresAt > now.value));

  async function refresh(): Promise<void> {
    const mine = ++token;
    const api = getApi();
    const [o, q, f] = await Promise.all([api.invoke('org.get', {}), api.invoke('queues.mine', {}), api.invoke('offers.mine', {})]);
    if (mine !== token) return;
    if (o.ok) org.value = o.value;
    if (q.ok) queues.value = q.value.queues;
    if (f.ok) offers.value = f.value;
    const failed = [o, q, f].find((r) => !r.ok);
    error.value = failed && !failed.ok ? failed.error.message : null;
  }

  function reset(): void {
    token++;
    org.value = null;
    queues.value = [];
    offers.value = [];
    error.value = null;
  }

  // The Contact Center list shows Me / Unassigned (9) and All / Unread (12) only: leave any other filter.
  watch(contactCenterLayout, (on) => {
    if (!on) return;
    const list = useConversationListStore();
    const q = list.query;
    const assignment = q.folder === 'open' && q.assignment !== 'me' && q.assignment !== 'unassigned' ? 'me' : q.assignment;
    const read = q.read === 'archived' ? 'all' : q.read;
    if (assignment !== q.assignment || read !== q.read) list.setQuery({ assignment, read });
  });

  watch(
    () => offers.value.length > 0,
    (any) => {
      if (any && !ticker) ticker = setInterval(() => (now.value = Date.now()), 1000);
      if (!any && ticker) {
        clearInterval(ticker);
        ticker = null;
      }
      now.value = Date.now();
    },
  );
  onScopeDispose(() => {
    if (ticker) clearInterval(ticker);
  });

  async function run(call: () => Promise<{ ok: boolean; error?: { message: string } }>): Promise<string | null> {
    const result = await call();
    const message = result.ok ? null : (result.error?.message ?? 'That did not work.');
    error.value = message;
    await refresh();
    return message;
  }

  const api = () => getApi();
  const login = (inboxIds: string[]) => run(() => api().invoke('actions.queueLogin', { inboxIds }));
  const logout = (inboxIds: string[]) => run(() => api().invoke('actions.queueLogout', { inboxIds }));
  const loginAll = () => login(queues.value.map((q) => q.inboxId));
  const logoutAll = () => logout(queues.value.map((q) => q.inboxId));
  const decline = (conversationId: string) => run(() => api().invoke('actions.declineOffer', { conversationId }));
  async function accept(conversationId: string): Promise<string | null> {
    const problem = await run(() => api().invoke('actions.acceptOffer', { conversationId }));
    if (!problem) await useOpenConversationStore().open(conversationId);
    return problem;
  }

  /** Call the contact / Convert to a phone call: main notes it and (Electron) opens it; otherwise the page does. */
  async function placeCall(conversationId: string): Promise<string | null> {
    const result = await api().invoke('actions.placeCall', { conversationId });
    if (!result.ok) return result.error.message;
    if (!result.value.opened) window.open(result.value.url, '_blank', 'noopener,noreferrer');
    const open = useOpenConversationStore();
    if (open.id === conversationId) await open.refresh();
    return null;
  }

  return { org, queues, offers, liveOffers, error, now, statusAsked, askStatus, contactCenterLayout, mayCall, loggedInCount, refresh, reset, login, logout, loginAll, logoutAll, accept, decline, placeCall };
});
