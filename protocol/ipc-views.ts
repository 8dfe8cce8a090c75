import { z } from 'zod';
import { Id, type Channel, type ChannelKind, type Contact, type Conversation, type ConversationStatus, type DeliveryStatus, type Inbox, type Message, type Registration, type User } from './domain.ts';
import type { RejectionCode } from './mutations.ts';
import type { AssistantErrorCode } from './assistant.ts';

/** The shapes the IPC contract (ipc.ts) returns: what the renderer shows. */

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
  phase: z.enum(['sidebar', 'open', 'recent', 'contacts', 'done']).nullable().optional(),
  /** The inbox is usable: the sidebar and every open conversation are in (the `recent` phase began, or the sync ended). */
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

// ---------------------------------------------------------------- contacts and search (SPEC (4), (14), (17), (19), (20))

export interface ContactSummary {
  id: string;
  name: string;
  company: string | null;
  /** E.164 */
  phones: string[];
  /** null = shared with the organisation; otherwise the owner's id (a private contact). */
  ownerId: string | null;
  smsOptOut: boolean;
  favourite: boolean;
}

/** SPEC (17): one conversation with the contact, as listed in its history. */
export interface ContactHistoryItem {
  conversationId: string;
  inboxName: string;
  channelKind: ChannelKind;
  channelName: string;
  status: ConversationStatus;
  createdAt: number;
  lastMessageAt: number | null;
  preview: string;
}

/** SPEC (19): what the contact side panel shows. */
export interface ContactDetail {
  contact: Contact;
  favourite: boolean;
  /** Shared contacts: anyone in the organisation; private ones: only their owner. */
  editable: boolean;
  /** Newest first; only conversations of inboxes the person is a member of. */
  history: ContactHistoryItem[];
  /** Contact changes (edit, favourite, opt-out) not yet acknowledged. */
  pendingActions: OutboxState[];
  /** Issue 12 §2: the latest answered surveys of the contact's conversations, newest first (absent from older cores). */
  surveys?: SurveyView[];
  /** Issue 13: the contact's other conversations could not be asked of the server (offline); history is what is cached. */
  historyNotAvailableOffline?: boolean;
}

/** Search snippets mark matched words with these two characters (rendered as highlights, never as HTML). */
export const SNIPPET_MARK_START = '\u0002';
export const SNIPPET_MARK_END = '\u0003';

export interface SearchMessageHit {
  messageId: string;
  conversationId: string;
  conversationTitle: string;
  channelKind: ChannelKind;
  direction: 'in' | 'out';
  createdAt: number;
  snippet: string;
  /** Issue 13: found by the server's search (not in this device's cache when it was found). */
  fromServer?: boolean;
}
export interface SearchConversationHit {
  conversationId: string;
  title: string;
  channelKind: ChannelKind;
  status: ConversationStatus;
  lastMessageAt: number | null;
  preview: string;
  fromServer?: boolean;
}
export interface SearchContactHit extends ContactSummary {
  snippet: string;
  fromServer?: boolean;
}
export interface SearchResults {
  text: string;
  conversations: SearchConversationHit[];
  messages: SearchMessageHit[];
  contacts: SearchContactHit[];
  /**
   * Issue 13: whether the server's search over everything the person may see was merged in: 'included',
   * 'offline' (local results only), 'failed' (the server could not answer; local results only). Absent: local only.
   */
  server?: 'included' | 'offline' | 'failed';
}

/** Issue 13: what this device keeps (preferences), and how far the background fill has got. */
export interface HistorySettingsView {
  /** Days of history kept on this device beyond the window; the background fill stops there. */
  budgetDays: number;
  choices: readonly number[];
  /** Bytes of the cache file (with its write-ahead log). */
  cacheBytes: number;
  fill: { done: boolean; reachedAt: number | null; rows: number };
}
/** The budget choices a person can pick (days); 90 is the default. */
export const HISTORY_BUDGET_CHOICES = [30, 90, 365, 3650] as const;
export const DEFAULT_HISTORY_BUDGET_DAYS = 90;

/** Contact fields as typed: phone numbers in any format (main parses them to E.164 with libphonenumber-js). */
export const ContactDraft = z.object({
  name: z.string().trim().min(1, 'a contact needs a name').max(200),
  phones: z.array(z.string().trim().max(40)).max(10).default([]),
  email: z.string().trim().max(254).default(''),
  company: z.string().trim().max(200).default(''),
  notes: z.string().max(4000).default(''),
});
export type ContactDraft = z.input<typeof ContactDraft>;

// ---------------------------------------------------------------- conversation workflow and manager screens (SPEC (1), (8), (15), (18))

/** SPEC (18): a pre-written message as the composer and the manager screen list it. */
export interface CannedResponseView {
  id: string;
  inboxId: string;
  title: string;
  keyPhrase: string;
  body: string;
  /** Saved or deleted locally, not yet acknowledged by the server. */
  pending: boolean;
}

export interface ManagedInboxMember {
  id: string;
  name: string;
  role: User['role'];
}
/** One inbox on the manager screen. */
export interface ManagedInbox {
  id: string;
  name: string;
  assignmentMode: boolean;
  channels: { id: string; kind: ChannelKind; name: string; address?: string; registration?: Registration | null }[];
  members: ManagedInboxMember[];
  cannedResponses: CannedResponseView[];
}
/** Manager actions the server refused (shown with Retry / Discard). */
export interface FailedAction extends OutboxState {
  name: string;
}
export interface ManageView {
  /** Whether the signed-in person may manage inboxes at all (manager, supervisor, admin). */
  canManage: boolean;
  /** Whether the signed-in person may set carrier registrations (admins); absent from older cores. */
  canSetRegistration?: boolean;
  inboxes: ManagedInbox[];
  /** Everyone in the organisation, for "add member". */
  people: ManagedInboxMember[];
  pending: number;
  failed: FailedAction[];
}

export const CannedResponseDraft = z.object({
  title: z.string().trim().min(1, 'a pre-written message needs a title').max(120),
  keyPhrase: z
    .string()
    .trim()
    .transform((s) => s.replace(/^\//, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a key phrase is 1–32 letters, digits, - or _ (for example: hours)')),
  body: z.string().trim().min(1, 'a pre-written message needs a text').max(4000),
});

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

// ---------------------------------------------------------------- Message Assistant (issue 12 §1)

/** Whether the composer shows the assistant, and what it can do right now. */
export interface AssistantView {
  /** Customer Engagement organisation (as last heard from the server): the Assistant action exists. */
  show: boolean;
  /** The model can be asked now (configured, enabled, online); otherwise past replies only. */
  available: boolean;
  /** Why the model cannot be asked (offline, not configured, …); null when it can. */
  reason: { code: AssistantErrorCode; message: string } | null;
  /** What leaves the organisation when the assistant is used. */
  notice: string;
  /** Admins: the Manage section for the assistant. */
  canAdminister: boolean;
}

/** A suggestion found in the local cache, no provider needed: labelled "From past replies". */
export interface PastReplySuggestion {
  text: string;
  source: 'reply' | 'canned';
  /** Where it comes from, e.g. "Sent after a similar message" or the pre-written message's title. */
  label: string;
}

export interface AssistantStarted {
  /** true: `assistant` events with this request id follow, ending with done or error. */
  streaming: boolean;
  /** Why nothing streams (offline, not configured, refused…). */
  error: { code: AssistantErrorCode; message: string } | null;
}
