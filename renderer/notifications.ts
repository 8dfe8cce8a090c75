import type { NotificationPayload } from '../protocol/ipc.ts';
import { useChatStore } from './stores/chat.ts';
import { useOpenConversationStore } from './stores/open-conversation.ts';

/** Opens what a notification points at (a click on it, or main's openConversation / openChat event). */
export function openTarget(target: NotificationPayload['target']): void {
  if (target.kind === 'chat') {
    void useChatStore().open(target.chatId);
  } else {
    useChatStore().close();
    void useOpenConversationStore().open(target.conversationId);
  }
}

/**
 * Browser host (SPEC §4): main decided to notify; show it with the Web
 * Notifications API. Permission is asked once, on the first notification.
 */
export async function showWebNotification(payload: NotificationPayload): Promise<void> {
  if (typeof Notification === 'undefined') return;
  if (Notification.permission === 'default') await Notification.requestPermission();
  if (Notification.permission !== 'granted') return;
  const shown = new Notification(payload.title, { body: payload.body, tag: payload.id });
  shown.onclick = () => {
    window.focus();
    openTarget(payload.target);
    shown.close();
  };
}
