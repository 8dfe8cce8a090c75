import type { OutboxState } from './ipc-views.ts';

/** Views of chats, previous conversations of moved numbers and notifications (re-exported by ipc-views.ts). */

// ---------------------------------------------------------------- chats, private numbers, notifications (SPEC (3), (5), (6), (11), §4)

export interface Person {
  id: string;
  name: string;
  avatarColor: string;
}
export interface ChatDetail {
  id: string;
  kind: 'direct' | 'team';
  /** A direct chat is named after the other person. */
  name: string;
  members: Person[];
  createdBy: string | null;
  /** Team chats: every member may rename. */
  canRename: boolean;
  /** Team chats: the creator and managers may change members. */
  canManageMembers: boolean;
}
export interface ChatMessageView {
  id: string;
  chatId: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: number;
  mine: boolean;
  /** Set while the message is still in the outbox. */
  outbox: OutboxState | null;
}
export interface ChatMessagesPage {
  /** Oldest first. */
  items: ChatMessageView[];
  hasMore: boolean;
  /** Issue 13: earlier messages exist on the server only, and the device is offline. */
  notAvailableOffline?: boolean;
}
/** SPEC (11): a read-only conversation a private number had before it moved into a shared inbox. */
export interface PreviousConversation {
  id: string;
  inboxId: string;
  channelId: string;
  title: string;
  customerAddress: string;
  createdAt: number;
  lastMessageAt: number | null;
  preview: string;
}
/** What the notification service hands to the host's notifier. */
export interface NotificationPayload {
  id: string;
  title: string;
  body: string;
  target: NotificationTarget;
}
/**
 * What clicking a notification opens — the one definition main (Electron's click, the `openTarget` event) and
 * the renderer (Web Notifications in the browser host) share.
 */
export type NotificationTarget =
  | { kind: 'conversation'; conversationId: string }
  | { kind: 'chat'; chatId: string }
  /** The agent's queue status popover (7): e.g. after being logged out of routing. */
  | { kind: 'queueStatus' }
  /** The supervisor's Queues view, at this queue. */
  | { kind: 'queues'; inboxId: string };
export interface NotificationSettings {
  /** This signed-in person's choice: no desktop notifications at all. */
  muted: boolean;
}
