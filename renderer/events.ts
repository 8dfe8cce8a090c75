import type { IpcEvent, IpcEvents, SwitchboardApi } from '../protocol/ipc.ts';
import { useConnectionStore } from './stores/connection.ts';
import { useConversationListStore } from './stores/conversation-list.ts';
import { useOpenConversationStore } from './stores/open-conversation.ts';
import { useSessionStore } from './stores/session.ts';
import { useSidebarStore } from './stores/sidebar.ts';
import { useContactsStore } from './stores/contacts.ts';
import { useWorkflowStore } from './stores/workflow.ts';
import { useChatStore } from './stores/chat.ts';
import { useSyncProgressStore } from './stores/sync-progress.ts';
import { useAssistantStore } from './stores/assistant.ts';
import { useQueuesStore } from './stores/queues.ts';
import { useContactCenterStore } from './stores/contact-center.ts';
import { openTarget, showWebNotification } from './notifications.ts';

/** Every event main sends, and the store action it feeds. Handlers stay one-liners; the stores do the work. */
const handlers: { [E in IpcEvent]: (payload: IpcEvents[E]) => void } = {
  session: (state) => useSessionStore().apply(state),
  connection: (state) => useConnectionStore().apply(state),
  changed: (views) => {
    if (views.sidebar) void useSidebarStore().refresh();
    if (views.conversationList) void useConversationListStore().refresh();
    // Favourites (4) and the contact panel (19, its history 17) follow contact and conversation changes.
    if (views.sidebar || views.conversationList) void useContactsStore().refresh();
    if (views.sidebar || views.conversationList) useWorkflowStore().refresh();
    // Queue status (7) and offers follow queue-agent records (sidebar) and conversations (list).
    if (views.sidebar || views.conversationList) void useContactCenterStore().refresh();
    const open = useOpenConversationStore();
    if (open.id && views.conversations.includes(open.id)) void open.refresh();
    // Chats (5), (6) change with the sidebar (messages, read marks, members).
    if (views.sidebar && useChatStore().id) void useChatStore().refresh();
    // The Queues view (issue 10 §4) follows every conversation and queue change while it is shown.
    if (views.sidebar || views.conversationList) void useQueuesStore().refresh();
  },
  openTarget: (target) => openTarget(target),
  notification: (payload) => void showWebNotification(payload),
  syncProgress: (payload) => useSyncProgressStore().apply(payload),
  assistant: (payload) => useAssistantStore().receive(payload),
};

/** Subscribes the stores to the API's events; returns the unsubscribe. Needs an active Pinia. */
export function routeEvents(api: SwitchboardApi): () => void {
  const offs = (Object.keys(handlers) as IpcEvent[]).map((event) =>
    api.on(event, handlers[event] as (payload: IpcEvents[typeof event]) => void),
  );
  return () => offs.forEach((off) => off());
}
