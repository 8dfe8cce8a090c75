import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { SidebarInbox, SidebarView } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useConversationListStore } from './conversation-list.ts';

/** SPEC (3): my private numbers as the (hidden) inbox they belong to, so selecting one survives refreshes. */
function privateInboxOf(view: SidebarView): SidebarInbox[] {
  if (!view.privateInboxId) return [];
  const channels = view.privateNumbers ?? [];
  return [
    {
      id: view.privateInboxId,
      name: 'My texting numbers',
      kind: 'private',
      assignmentMode: false,
      unread: channels.reduce((n, c) => n + c.unread, 0),
      channels,
    },
  ];
}

/** Inboxes with their channels, and chats, with unread counts (areas 2, 5, 6). */
export const useSidebarStore = defineStore('sidebar', () => {
  const view = shallowRef<SidebarView | null>(null);
  const error = ref<string | null>(null);
  let token = 0;

  const inboxes = computed(() => view.value?.inboxes ?? []);
  const directChats = computed(() => (view.value?.chats ?? []).filter((c) => c.kind === 'direct'));
  const teamChats = computed(() => (view.value?.chats ?? []).filter((c) => c.kind === 'team'));

  /** Returns true when the list's selection had to follow (and so the list is already re-querying). */
  async function refresh(): Promise<boolean> {
    const mine = ++token;
    const result = await getApi().invoke('sidebar.get', {});
    // A newer refresh (or a sign-out) overtook this one.
    if (mine !== token) return false;
    if (!result.ok) {
      error.value = result.error.message;
      return false;
    }
    view.value = result.value;
    error.value = null;
    return useConversationListStore().adoptInboxes([...result.value.inboxes, ...privateInboxOf(result.value)]);
  }

  function reset(): void {
    token++;
    view.value = null;
    error.value = null;
  }

  return { view, error, inboxes, directChats, teamChats, refresh, reset };
});
