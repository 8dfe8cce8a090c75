import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ChatDetail, ChatMessageView, IpcResult } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useOpenConversationStore } from './open-conversation.ts';

/** Messages per page: the newest on opening, then each page further back as one scrolls up. */
const PAGE = 100;

/** SPEC (5), (6): the open direct or team chat, in the right column instead of a conversation. */
export const useChatStore = defineStore('chat', () => {
  const id = ref<string | null>(null);
  const detail = shallowRef<ChatDetail | null>(null);
  /** Oldest first. */
  const messages = shallowRef<ChatMessageView[]>([]);
  const error = ref<string | null>(null);
  /** Issue 13: earlier messages are on the server only and the device is offline. */
  const olderOffline = ref(false);
  /** Earlier messages exist (kept, or on the server): scrolling up loads them page by page. */
  const hasMore = ref(false);
  const loadingOlder = ref(false);
  const actionError = ref<string | null>(null);
  /** Just created here: it appears once the server has accepted it (the outbox sends it). */
  const starting = ref(false);
  let token = 0;
  /** Newest message of someone else already marked read. */
  let readUpTo = 0;

  async function refresh(): Promise<void> {
    const chatId = id.value;
    if (!chatId) return;
    const mine = ++token;
    const [d, m] = await Promise.all([
      getApi().invoke('chat.get', { id: chatId }),
      getApi().invoke('chat.messages', { chatId, before: null, limit: PAGE }),
    ]);
    if (mine !== token || id.value !== chatId) return;
    if (!d.ok) return void (error.value = d.error.message);
    if (!d.value) {
      detail.value = null;
      messages.value = [];
      // Removed from the chat (scope lost), or a chat started here that the server has not confirmed yet.
      error.value = starting.value ? null : 'This chat is no longer available to you.';
      return;
    }
    starting.value = false;
    detail.value = d.value;
    // Older pages already loaded stay: the newest page is merged in front of them.
    const fresh = m.ok ? m.value.items : [];
    const freshIds = new Set(fresh.map((x) => x.id));
    const oldestFresh = fresh[0]?.createdAt ?? Number.POSITIVE_INFINITY;
    const older = messages.value.filter((x) => x.chatId === chatId && x.createdAt <= oldestFresh && !freshIds.has(x.id));
    messages.value = [...older, ...fresh];
    if (older.length === 0) {
      hasMore.value = m.ok && m.value.hasMore;
      olderOffline.value = m.ok && m.value.notAvailableOffline === true;
    }
    error.value = m.ok ? null : m.error.message;
    const newest = messages.value.reduce((t, x) => (!x.mine && x.createdAt > t ? x.createdAt : t), 0);
    if (newest > readUpTo) {
      readUpTo = newest;
      void getApi().invoke('actions.markChatRead', { chatId });
    }
  }

  /** Issue 13: the page before the oldest message shown (fetched from the server when the device does not hold it). */
  async function loadOlder(): Promise<void> {
    const chatId = id.value;
    const oldest = messages.value[0];
    if (!chatId || !oldest || !(hasMore.value || olderOffline.value) || loadingOlder.value) return;
    loadingOlder.value = true;
    try {
      const page = await getApi().invoke('chat.messages', { chatId, before: oldest.createdAt, limit: PAGE });
      if (id.value !== chatId) return;
      if (!page.ok) return void (actionError.value = page.error.message);
      // Pages can overlap when messages share a timestamp: skip those already shown.
      const shown = new Set(messages.value.map((x) => x.id));
      messages.value = [...page.value.items.filter((x) => !shown.has(x.id)), ...messages.value];
      hasMore.value = page.value.hasMore;
      olderOffline.value = page.value.notAvailableOffline === true;
    } finally {
      loadingOlder.value = false;
    }
  }

  async function open(chatId: string, options: { starting?: boolean } = {}): Promise<void> {
    useOpenConversationStore().reset();
    starting.value = options.starting ?? false;
    if (id.value !== chatId) {
      id.value = chatId;
      detail.value = null;
      messages.value = [];
      hasMore.value = false;
      olderOffline.value = false;
      readUpTo = 0;
    }
    error.value = null;
    actionError.value = null;
    await refresh();
  }

  function close(): void {
    token++;
    id.value = null;
    detail.value = null;
    messages.value = [];
    hasMore.value = false;
    olderOffline.value = false;
    error.value = null;
    actionError.value = null;
  }

  async function act(call: () => Promise<IpcResult<unknown>>): Promise<string | null> {
    const result = await call();
    actionError.value = result.ok ? null : result.error.message;
    if (result.ok) await refresh();
    return actionError.value;
  }

  function send(body: string): Promise<string | null> {
    const chatId = id.value;
    if (!chatId) return Promise.resolve('No chat is open.');
    return act(() => getApi().invoke('actions.sendChatMessage', { chatId, body }));
  }
  function rename(name: string): Promise<string | null> {
    const chatId = id.value;
    if (!chatId) return Promise.resolve('No chat is open.');
    return act(() => getApi().invoke('actions.renameChat', { chatId, name }));
  }
  function setMembers(memberIds: string[]): Promise<string | null> {
    const chatId = id.value;
    if (!chatId) return Promise.resolve('No chat is open.');
    return act(() => getApi().invoke('actions.setChatMembers', { chatId, memberIds }));
  }

  async function openDirectChat(userId: string): Promise<string | null> {
    const result = await getApi().invoke('actions.openDirectChat', { userId });
    if (!result.ok) return result.error.message;
    await open(result.value.chatId, { starting: result.value.created });
    return null;
  }
  async function createTeamChat(name: string, memberIds: string[]): Promise<string | null> {
    const result = await getApi().invoke('actions.createTeamChat', { name, memberIds });
    if (!result.ok) return result.error.message;
    await open(result.value.chatId, { starting: true });
    return null;
  }

  return { id, detail, messages, olderOffline, hasMore, loadingOlder, loadOlder, error, actionError, starting, open, close, refresh, send, rename, setMembers, openDirectChat, createTeamChat };
});
