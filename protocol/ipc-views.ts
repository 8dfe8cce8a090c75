import { z } from 'zod';
import { Id, type Channel, type ChannelKind, type Contact, type Conversation, type ConversationStatus, type DeliveryStatus, type Inbox, type Message, type Registration, type User } from './domain.ts';
import type { RejectionCode } from './mutations.ts';

/** The shapes the IPC contract (ipc.ts) returns: what the renderer shows. The views of each area live in ipc-*-views.ts. */

export * from './ipc-search-views.ts';
export * from './ipc-manage-views.ts';
export * from './ipc-chat-views.ts';
export * from './ipc-assistant-views.ts';

// ---------------------------------------------------------------- views

export type SessionState =
  | { status: 'signedOut'; serverUrl: string; reason: string | null }
  | { status: 'signedIn'; serverUrl: string; user: User };

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'signedOut';
export interface ConnectionState {
  status: ConnectionStatus;
  /** When status is reconnecting: ms until the next attempt. */
  retryInMs: number | null;
  lastError: string | null;
  /** Replies and actions waiting in the outbox (pending + failed). */
  pendingCount: number;
}

/**
 * How far a sync that brings whole scopes (the first sync of a cache, an inbox just joined) has come: what
 * the cache has stored so far, counted from the snapshot pages it applied. Crosses the boundary as an event,
 * so the renderer parses it with this schema (main is trusted, but a host could relay anything).
 */
export const SyncProgress = z.object({
  /** False once catch-up ended: nothing is being snapshotted any more. */
  syncing: z.boolean(),
  /** Stored so far, by the kinds a person counts; `records` is every record of every kind. */
  conversations: z.number().int().nonnegative(),
  messages: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  /** Scopes (the organisation, each inbox, each chat, one's own records) complete, of those owed. 0 of 0 before the welcome. */
  scopesDone: z.number().int().nonnegative(),
  scopesTotal: z.number().int().nonnegative(),
  /**
   * Issue 13, windowed first sync: the last phase that began (protocol/history.ts SnapshotPhase), 'done' once
   * the window is whole (windowDone); null without a window. Absent from older cores.
   */
  phase: z.enum(['sidebar', 'openFirst', 'open', 'recent', 'contacts', 'done']).nullable().optional(),
  /**
   * The inbox is usable: the sidebar, the first page of the default list and its server totals are in (the
   * `openFirst` phase is done and the totals known; with an older server, the `recent` phase began), or the
   * window is whole, or the sync ended.
   */
  usable: z.boolean().optional(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export interface SidebarChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  address: string;
  registration: Registration | null;
  unread: number;
}
export interface SidebarInbox {
  id: string;
  name: string;
  kind: Inbox['kind'];
  assignmentMode: boolean;
  unread: number;
  channels: SidebarChannel[];
}
export interface SidebarChat {
  id: string;
  kind: 'direct' | 'team';
  name: string;
  unread: number;
  lastMessageAt: number | null;
}
export interface SidebarView {
  /** Shared inboxes and inbox queues (never the hidden private ones). */
  inboxes: SidebarInbox[];
  chats: SidebarChat[];
  /** SPEC (3): my private texting numbers (channels of my private inbox); absent from older cores. */
  privateNumbers?: SidebarChannel[];
  /** The id of my private inbox (to list a number's conversations); null when I have no private number. */
  privateInboxId?: string | null;
  /** SPEC (11): shared inboxes holding previous messages of moved private numbers, with how many. */
  previousMessages?: { inboxId: string; count: number }[];
  /** Total unread conversations (for the dock / taskbar badge). */
  unreadTotal: number;
}

export const ListFolder = z.enum(['open', 'closed']);
/** SPEC (9): Me, Others, Unassigned, Conversations with me; `all` = no assignment filter. */
export const AssignmentFilter = z.enum(['all', 'me', 'others', 'unassigned', 'withMe']);
/** SPEC (12). */
export const ReadFilter = z.enum(['all', 'unread', 'archived']);
/** SPEC (13). */
export const ListSort = z.enum(['recentConversations', 'oldestConversations', 'recentMessages', 'oldestMessages']);

export const ConversationListQuery = z.object({
  inboxId: Id.nullable().default(null),
  channelId: Id.nullable().default(null),
  folder: ListFolder.default('open'),
  assignment: AssignmentFilter.default('all'),
  read: ReadFilter.default('all'),
  sort: ListSort.default('recentMessages'),
  tag: z.string().max(64).nullable().default(null),
});
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

export interface ConversationListItem {
  id: string;
  inboxId: string;
  channelId: string;
  channelKind: ChannelKind;
  /** Contact name, or the formatted customer number for an unlinked conversation. */
  title: string;
  customerAddress: string;
  status: ConversationStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  createdAt: number;
  closedAt: number | null;
  lastMessageAt: number | null;
  preview: string;
  unread: boolean;
  archived: boolean;
  tags: string[];
}
export interface ConversationListPage {
  items: ConversationListItem[];
  total: number;
  offset: number;
  /** Issue 13: 'server' = the server's total for the view (the cache may hold fewer rows); 'cache' = counted in the cache. */
  totalSource?: TotalSource;
  /** Issue 13: rows past the cached ones exist on the server, and the device is offline. */
  notAvailableOffline?: boolean;
}
/** Where a total comes from: the server (over everything the person may see) or the local cache (offline). */
export type TotalSource = 'server' | 'cache';
export interface ListCounts {
  open: number;
  closed: number;
  me: number;
  others: number;
  unassigned: number;
  withMe: number;
  /** Issue 13: see TotalSource (absent from older cores: the cache). */
  source?: TotalSource;
}

export interface OutboxState {
  mutationId: number;
  state: 'pending' | 'failed';
  error: { code: RejectionCode | 'offline'; message: string } | null;
}

/** A survey as an agent sees it in the timeline and on the contact (issue 12 §2); the comment is plain text. */
export interface SurveyView {
  id: string;
  conversationId: string;
  state: 'waiting' | 'answered' | 'expired';
  sentAt: number;
  expiresAt: number;
  rating: number | null;
  comment: string | null;
  answeredAt: number | null;
}

export interface MessageView extends Message {
  authorName: string;
  /** The survey this message carries, with its answer once the customer gave one (absent otherwise). */
  survey?: SurveyView | null;
  /** Set while the message (or its send) is still in the outbox. */
  outbox: OutboxState | null;
  /** What the person sees: the outbox state wins over the server status. */
  displayStatus: 'pending' | 'failed' | DeliveryStatus;
}
export interface MessagesPage {
  /** Oldest first. */
  items: MessageView[];
  hasMore: boolean;
  /** Issue 13: older messages exist on the server only, and the device is offline (hasMore is then false). */
  notAvailableOffline?: boolean;
}

export interface ConversationDetail {
  conversation: Conversation;
  title: string;
  contact: Contact | null;
  channel: Channel;
  inbox: Pick<Inbox, 'id' | 'name' | 'kind' | 'assignmentMode'>;
  assignee: Pick<User, 'id' | 'name'> | null;
  members: Pick<User, 'id' | 'name'>[];
  /** Outbox state of conversation-level actions (assign, close…) not yet acknowledged. */
  pendingActions: OutboxState[];
  /** SPEC (12): archived by the signed-in person (optional: added with the conversation workflow). */
  archived?: boolean;
  /** WhatsApp's 24-hour reply window from the last cached inbound message; null for other channels (absent from older cores). */
  whatsappWindow?: { open: boolean; closesAt: number | null } | null;
  /** The approved templates of a WhatsApp conversation's channel (absent / empty otherwise). */
  whatsappTemplates?: { id: string; name: string; language: string; body: string }[];
}

/** Which views changed; the renderer re-queries only those. */
export interface ChangedViews {
  sidebar: boolean;
  conversationList: boolean;
  /** Conversations whose detail or messages changed. */
  conversations: string[];
}
