import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CannedResponseView, IpcResult, ManageView } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useConversationListStore } from './conversation-list.ts';
import { useOpenConversationStore } from './open-conversation.ts';

/**
 * The conversation workflow beyond reply/assign/close: tags (and the tag filter), archive, mark unread,
 * "Assign to…", pre-written messages (18) and the manager screen. Every action goes through main's outbox,
 * so it works offline; its pending / failed state comes back with the views.
 */
export const useWorkflowStore = defineStore('workflow', () => {
  /** Tags in use in the selected inbox, for the tag filter. */
  const tags = ref<string[]>([]);
  const manage = shallowRef<ManageView | null>(null);
  const manageError = ref<string | null>(null);
  let tagsToken = 0;
  let manageToken = 0;

  async function refreshTags(): Promise<void> {
    const mine = ++tagsToken;
    const result = await getApi().invoke('conversations.tags', { inboxId: useConversationListStore().query.inboxId });
    if (mine === tagsToken && result.ok) tags.value = result.value;
  }

  async function refreshManage(): Promise<void> {
    const mine = ++manageToken;
    const result = await getApi().invoke('manage.view', {});
    if (mine !== manageToken) return;
    if (result.ok) manage.value = result.value;
    else manageError.value = result.error.message;
  }

  /** After any change: the tag list, and the manager screen when it is open. */
  function refresh(): void {
    void refreshTags();
    if (manage.value) void refreshManage();
  }

  /** Runs an action on the open conversation, reporting a refusal where the other conversation actions do. */
  async function onOpen(call: (conversationId: string) => Promise<IpcResult<unknown>>): Promise<string | null> {
    const open = useOpenConversationStore();
    const conversationId = open.id;
    if (!conversationId) return 'No conversation is open.';
    open.actionError = null;
    const result = await call(conversationId);
    if (!result.ok) {
      open.actionError = result.error.message;
      return result.error.message;
    }
    if (open.id === conversationId) await open.refresh();
    return null;
  }

  const api = () => getApi();
  const addTag = (tag: string) => onOpen((conversationId) => api().invoke('actions.addTag', { conversationId, tag }));
  const removeTag = (tag: string) => onOpen((conversationId) => api().invoke('actions.removeTag', { conversationId, tag }));
  const setArchived = (archived: boolean) => onOpen((conversationId) => api().invoke('actions.setArchived', { conversationId, archived }));
  const assignTo = (assigneeId: string | null) => onOpen((conversationId) => api().invoke('actions.assign', { conversationId, assigneeId }));
  /** Marks it unread and closes it, so opening it does not mark it read again at once. */
  async function markUnread(): Promise<string | null> {
    const refusal = await onOpen((conversationId) => api().invoke('actions.markUnread', { conversationId }));
    if (!refusal) useOpenConversationStore().reset();
    return refusal;
  }

  async function cannedResponses(inboxId: string, text: string): Promise<CannedResponseView[]> {
    const result = await api().invoke('cannedResponses.list', { inboxId, text });
    return result.ok ? result.value : [];
  }

  /** Manager screen actions: null on success, else the refusal to show. */
  async function manageAction(call: () => Promise<IpcResult<unknown>>): Promise<string | null> {
    const result = await call();
    await refreshManage();
    return result.ok ? null : result.error.message;
  }

  function closeManage(): void {
    manageToken++;
    manage.value = null;
    manageError.value = null;
  }

  function reset(): void {
    tagsToken++;
    tags.value = [];
    closeManage();
  }

  return {
    tags,
    manage,
    manageError,
    refresh,
    refreshTags,
    refreshManage,
    addTag,
    removeTag,
    setArchived,
    assignTo,
    markUnread,
    cannedResponses,
    manageAction,
    closeManage,
    reset,
  };
});
