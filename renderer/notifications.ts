import type { NotificationPayload, NotificationTarget } from '../protocol/ipc.ts';
import { useChatStore } from './stores/chat.ts';
import { useContactCenterStore } from './stores/contact-center.ts';
import { useOpenConversationStore } from './stores/open-conversation.ts';
import { useQueuesStore } from './stores/queues.ts';

/** Opens what a notification points at (a click on it, or main's openTarget event). */
export function openTarget(target: NotificationTarget): void {
  switch (target.kind) {
    case 'chat':
      void useChatStore().open(target.chatId);
      return;
    case 'conversation':
      useChatStore().close();
      void useOpenConversationStore().open(target.conversationId);
      return;
    case 'queueStatus':
      useContactCenterStore().askStatus();
      return;
    case 'queues':
      useQueuesStore().show(target.inboxId);
      return;
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
