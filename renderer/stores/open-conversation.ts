import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ConversationDetail, IpcResult, MessagesPage, MessageView } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useSessionStore } from './session.ts';

const MESSAGE_PAGE = 50;

function newestInbound(messages: MessageView[]): number {
  let newest = 0;
  for (const m of messages) if (m.direction === 'in' && m.createdAt > newest) newest = m.createdAt;
  return newest;
}

/** The right column: one conversation's detail and message history, and the actions taken on it. */
export const useOpenConversationStore = defineStore('openConversation', () => {
  const id = ref<string | null>(null);
  const detail = shallowRef<ConversationDetail | null>(null);
  /** Oldest first. */
  const messages = shallowRef<MessageView[]>([]);
  const hasMore = ref(false);
  /** Issue 13: older messages are on the server only and the device is offline. */
  const olderOffline = ref(false);
  const loading = ref(false);
  const loadingOlder = ref(false);
  /** Issue 13: the message it was opened at (a search hit), scrolled to and highlighted. */
  const highlightId = ref<string | null>(null);
  /** The messages shown are the page around that message, read from the server and not kept (it lies too far back). */
  const around = ref(false);
  /** The message it was opened at is not on this device, and the server cannot be asked (offline). */
  const hitOffline = ref(false);
  const error = ref<string | null>(null);
  /** The last refusal of an action (assign, close, retry…), shown above the history. */
  const actionError = ref<string | null>(null);
  const busy = ref(false);
  /** Bumped by open(), refresh() and reset(); a response from an older bump is dropped. */
  let token = 0;
  /** Newest inbound message already marked read, so new ones arriving while it is open are marked too. */
  let readUpTo = 0;
  /** A refresh asked for while the conversation was opening. */
  let refreshOwed = false;

  const assignmentMode = computed(() => detail.value?.inbox.assignmentMode ?? false);
  const assignedToMe = computed(() => {
    const me = useSessionStore().user?.id;
    return !!me && detail.value?.conversation.assigneeId === me;
  });
  const failedActions = computed(() => (detail.value?.pendingActions ?? []).filter((a) => a.state === 'failed'));

  async function fetchNewest(conversationId: string) {
    return Promise.all([
      getApi().invoke('conversation.get', { id: conversationId }),
      getApi().invoke('messages.list', { conversationId, before: null, limit: MESSAGE_PAGE }),
    ]);
  }

  function markReadIfNew(conversationId: string, force: boolean): void {
    const newest = newestInbound(messages.value);
    if (!force && newest <= readUpTo) return;
    readUpTo = Math.max(readUpTo, newest);
    void getApi().invoke('actions.markRead', { conversationId });
  }

  /** Opens a conversation; `unread: false` (known from the list) saves a needless mark-read. */
  async function open(conversationId: string, options: { unread?: boolean } = {}): Promise<void> {
    const mine = begin(conversationId, null);
    const [got, page] = await fetchNewest(conversationId);
    if (mine !== token) return;
    show(conversationId, got, page, options.unread);
  }

  /**
   * Issue 13: opens a conversation at one message (a search hit), with everything newer than it; when the
   * device does not hold it, main fetches what lies between (or, too far back, the page around it).
   */
  async function openAt(conversationId: string, messageId: string): Promise<void> {
    const mine = begin(conversationId, messageId);
    // The messages first: fetching them keeps the conversation's row, which the detail reads.
    const page = await getApi().invoke('messages.through', { conversationId, messageId });
    const got = await getApi().invoke('conversation.get', { id: conversationId });
    if (mine !== token) return;
    if (page.ok && !page.value.found) highlightId.value = null;
    hitOffline.value = page.ok && !page.value.found && page.value.notAvailableOffline === true;
    around.value = page.ok && page.value.around;
    show(conversationId, got, page, undefined);
  }

  function begin(conversationId: string, highlight: string | null): number {
    const mine = ++token;
    id.value = conversationId;
    highlightId.value = highlight;
    around.value = false;
    hitOffline.value = false;
    detail.value = null;
    messages.value = [];
    hasMore.value = false;
    olderOffline.value = false;
    error.value = null;
    actionError.value = null;
    readUpTo = 0;
    refreshOwed = false;
    loading.value = true;
    return mine;
  }

  function show(
    conversationId: string,
    got: IpcResult<ConversationDetail | null>,
    page: IpcResult<MessagesPage>,
    unread: boolean | undefined,
  ): void {
    loading.value = false;
    if (refreshOwed) {
      refreshOwed = false;
      void refresh();
    }
    if (!got.ok) return void (error.value = got.error.message);
    if (!got.value) return void (error.value = 'This conversation is no longer available to you.');
    if (!page.ok) return void (error.value = page.error.message);
    detail.value = got.value;
    messages.value = page.value.items;
    hasMore.value = page.value.hasMore;
    olderOffline.value = page.value.notAvailableOffline === true;
    // Known to be read already: only inbound messages arriving from now on call for a mark-read.
    if (unread === false) readUpTo = newestInbound(messages.value);
    else markReadIfNew(conversationId, true);
  }

  /** Re-reads the detail and the newest page, keeping older pages already loaded. */
  async function refresh(): Promise<void> {
    const conversationId = id.value;
    if (!conversationId) return;
    // While it opens (its messages may be fetched from the server, which itself announces the change), a
    // refresh would drop the page being opened: it runs once the page is shown instead.
    if (loading.value) return void (refreshOwed = true);
    const mine = ++token;
    const [got, page] = await fetchNewest(conversationId);
    if (mine !== token) return;
    loading.value = false;
    if (!got.ok) return void (error.value = got.error.message);
    if (!got.value) {
      detail.value = null;
      messages.value = [];
      error.value = 'This conversation is no longer available to you.';
      return;
    }
    detail.value = got.value;
    error.value = null;
    if (!page.ok) return;
    const fresh = page.value.items;
    const freshIds = new Set(fresh.map((m) => m.id));
    const oldestFresh = fresh[0]?.createdAt ?? Number.POSITIVE_INFINITY;
    const older = messages.value.filter((m) => m.createdAt <= oldestFresh && !freshIds.has(m.id));
    messages.value = [...older, ...fresh];
    if (older.length === 0) {
      hasMore.value = page.value.hasMore;
      olderOffline.value = page.value.notAvailableOffline === true;
    }
    markReadIfNew(conversationId, false);
  }

  /** Area 17: the page before the oldest message shown. */
  async function loadOlder(): Promise<void> {
    const conversationId = id.value;
    const oldest = messages.value[0];
    // Offline before: asked again (the link may be back; main answers at once if it is not).
    if (!conversationId || !oldest || !(hasMore.value || olderOffline.value) || loadingOlder.value || around.value) return;
    loadingOlder.value = true;
    try {
      const page = await getApi().invoke('messages.list', { conversationId, before: oldest.createdAt, limit: MESSAGE_PAGE });
      if (id.value !== conversationId) return;
      if (!page.ok) return void (actionError.value = page.error.message);
      // Pages can overlap when messages share a timestamp: skip those already shown.
      const shown = new Set(messages.value.map((m) => m.id));
      messages.value = [...page.value.items.filter((m) => !shown.has(m.id)), ...messages.value];
      hasMore.value = page.value.hasMore;
      olderOffline.value = page.value.notAvailableOffline === true;
    } finally {
      loadingOlder.value = false;
    }
  }

  async function act(call: () => Promise<IpcResult<unknown>>): Promise<string | null> {
    if (!id.value) return 'No conversation is open.';
    busy.value = true;
    actionError.value = null;
    try {
      const result = await call();
      if (!result.ok) {
        actionError.value = result.error.message;
        return result.error.message;
      }
      await refresh();
      return null;
    } finally {
      busy.value = false;
    }
  }

  /** Area 18. Returns the refusal, if any, for the composer to show beside the kept draft. */
  async function send(body: string): Promise<string | null> {
    const conversationId = id.value;
    if (!conversationId) return 'No conversation is open.';
    const result = await getApi().invoke('actions.sendMessage', { conversationId, body });
    if (!result.ok) return result.error.message;
    if (id.value === conversationId) await refresh();
    return null;
  }

  /** A WhatsApp template with its {{1}}…{{n}} values (outside the 24-hour window); returns the refusal, if any. */
  async function sendTemplate(templateId: string, parameters: string[]): Promise<string | null> {
    const conversationId = id.value;
    if (!conversationId) return 'No conversation is open.';
    const result = await getApi().invoke('actions.sendTemplate', { conversationId, templateId, parameters });
    if (!result.ok) return result.error.message;
    if (id.value === conversationId) await refresh();
    return null;
  }

  function assignToMe(): Promise<string | null> {
    const me = useSessionStore().user?.id ?? null;
    const conversationId = id.value ?? '';
    return act(() => getApi().invoke('actions.assign', { conversationId, assigneeId: me }));
  }
  function unassign(): Promise<string | null> {
    const conversationId = id.value ?? '';
    return act(() => getApi().invoke('actions.assign', { conversationId, assigneeId: null }));
  }
  function setStatus(status: 'open' | 'closed'): Promise<string | null> {
    const conversationId = id.value ?? '';
    return act(() => getApi().invoke('actions.setStatus', { conversationId, status }));
  }
  function retry(mutationId: number): Promise<string | null> {
    return act(() => getApi().invoke('outbox.retry', { mutationId }));
  }
  function discard(mutationId: number): Promise<string | null> {
    return act(() => getApi().invoke('outbox.discard', { mutationId }));
  }
  /** A reply the provider refused after the server accepted it goes out again (message.retry). */
  function resend(messageId: string): Promise<string | null> {
    const conversationId = id.value ?? '';
    return act(() => getApi().invoke('actions.retryMessage', { conversationId, messageId }));
  }

  function reset(): void {
    token++;
    id.value = null;
    detail.value = null;
    messages.value = [];
    hasMore.value = false;
    loading.value = false;
    loadingOlder.value = false;
    highlightId.value = null;
    around.value = false;
    hitOffline.value = false;
    error.value = null;
    actionError.value = null;
    busy.value = false;
    readUpTo = 0;
  }

  return {
    id,
    detail,
    messages,
    hasMore,
    olderOffline,
    loading,
    loadingOlder,
    highlightId,
    around,
    hitOffline,
    error,
    actionError,
    busy,
    assignmentMode,
    assignedToMe,
    failedActions,
    open,
    openAt,
    refresh,
    loadOlder,
    send,
    sendTemplate,
    assignToMe,
    unassign,
    setStatus,
    retry,
    discard,
    resend,
    reset,
  };
});
