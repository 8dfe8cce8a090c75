import { z } from 'zod';
import type {
  Attachment,
  Channel,
  ChannelKind,
  Contact,
  Conversation,
  ConversationStatus,
  DeliveryStatus,
  Inbox,
  Message,
  Registration,
  User,
} from './domain.ts';
import { ConversationStatus as ConversationStatusSchema, Id, Registration as RegistrationSchema } from './domain.ts';
import type { DemoAccount } from './http.ts';
import type { RejectionCode } from './mutations.ts';
import { MAX_TEMPLATE_PARAMETER_LENGTH, MAX_TEMPLATE_PARAMETERS } from './whatsapp-templates.ts';

/**
 * The one contract between the renderer and the main process. Main implements
 * it (main/ipc-router.ts), preload exposes it, the renderer calls it. The
 * browser host serves the same contract over a local websocket.
 */

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
}
export interface ListCounts {
  open: number;
  closed: number;
  me: number;
  others: number;
  unassigned: number;
  withMe: number;
}

export interface OutboxState {
  mutationId: number;
  state: 'pending' | 'failed';
  error: { code: RejectionCode | 'offline'; message: string } | null;
}

export interface MessageView extends Message {
  authorName: string;
  /** Set while the message (or its send) is still in the outbox. */
  outbox: OutboxState | null;
  /** What the person sees: the outbox state wins over the server status. */
  displayStatus: 'pending' | 'failed' | DeliveryStatus;
}
export interface MessagesPage {
  /** Oldest first. */
  items: MessageView[];
  hasMore: boolean;
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
}
export interface SearchConversationHit {
  conversationId: string;
  title: string;
  channelKind: ChannelKind;
  status: ConversationStatus;
  lastMessageAt: number | null;
  preview: string;
}
export interface SearchContactHit extends ContactSummary {
  snippet: string;
}
export interface SearchResults {
  text: string;
  conversations: SearchConversationHit[];
  messages: SearchMessageHit[];
  contacts: SearchContactHit[];
}

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
  /** What a click opens: a conversation or a chat. */
  target: { kind: 'conversation'; conversationId: string } | { kind: 'chat'; chatId: string };
}
export interface NotificationSettings {
  /** This signed-in person's choice: no desktop notifications at all. */
  muted: boolean;
}

// ---------------------------------------------------------------- methods

const Empty = z.object({}).strict();
const ServerUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'the server address must start with http:// or https://');

/** `output` is type-only: main is trusted, so only inputs are validated (at main). */
function method<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });
}
type Done = Record<string, never>;

export const ipcMethods = {
  'app.state': method<{ session: SessionState; connection: ConnectionState; syncProgress: SyncProgress | null; defaultServerUrl: string }>()(Empty),
  'server.probe': method<{ organisation: string; demoAccounts: DemoAccount[] | null }>()(z.object({ serverUrl: ServerUrl })),
  'session.signIn': method<{ user: User }>()(
    z.object({ serverUrl: ServerUrl, email: z.string().trim().min(3).max(254), password: z.string().min(1).max(1024) }),
  ),
  'session.signOut': method<Done>()(Empty),
  'sidebar.get': method<SidebarView>()(Empty),
  'conversations.list': method<ConversationListPage>()(
    z.object({
      query: ConversationListQuery,
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(200),
    }),
  ),
  'conversations.counts': method<ListCounts>()(
    z.object({ inboxId: Id.nullable().default(null), channelId: Id.nullable().default(null) }),
  ),
  'conversation.get': method<ConversationDetail | null>()(z.object({ id: Id })),
  'messages.list': method<MessagesPage>()(
    z.object({
      conversationId: Id,
      /** createdAt of the oldest message already shown; null for the newest page. */
      before: z.number().int().nullable().default(null),
      limit: z.number().int().min(1).max(200).default(50),
    }),
  ),
  'actions.sendMessage': method<{ messageId: string }>()(
    z.object({ conversationId: Id, body: z.string().trim().min(1, 'a reply cannot be empty').max(4000) }),
  ),
  /** Sends again a reply the provider refused (status failed); through the outbox, so it waits while offline. */
  'actions.retryMessage': method<Done>()(z.object({ conversationId: Id, messageId: Id })),
  /** An approved WhatsApp template (allowed outside the 24-hour window); through the outbox like a reply. */
  'actions.sendTemplate': method<{ messageId: string }>()(
    z.object({
      conversationId: Id,
      templateId: Id,
      parameters: z.array(z.string().max(MAX_TEMPLATE_PARAMETER_LENGTH)).max(MAX_TEMPLATE_PARAMETERS).default([]),
    }),
  ),
  'actions.assign': method<Done>()(z.object({ conversationId: Id, assigneeId: Id.nullable() })),
  'actions.setStatus': method<Done>()(z.object({ conversationId: Id, status: ConversationStatusSchema })),
  'actions.markRead': method<Done>()(z.object({ conversationId: Id })),
  'outbox.retry': method<Done>()(z.object({ mutationId: z.number().int().positive() })),
  'outbox.discard': method<Done>()(z.object({ mutationId: z.number().int().positive() })),
  'contacts.favourites': method<ContactSummary[]>()(Empty),
  'contact.get': method<ContactDetail | null>()(z.object({ id: Id })),
  /** Contacts matching a name, company, email or number (the "search and link" picker). */
  'contacts.find': method<ContactSummary[]>()(z.object({ text: z.string().max(200), limit: z.number().int().min(1).max(50).default(10) })),
  /** Full-text search over the cached messages and contacts (works offline). */
  'search.query': method<SearchResults>()(z.object({ text: z.string().max(200), limit: z.number().int().min(1).max(50).default(20) })),
  /** The meeting address for a contact, from the organisation's meetingUrlTemplate. */
  'contact.meetingUrl': method<{ url: string }>()(z.object({ contactId: Id })),
  'actions.createContact': method<{ contactId: string }>()(
    z.object({ fields: ContactDraft, shared: z.boolean().default(true), linkConversationId: Id.nullable().default(null) }),
  ),
  'actions.updateContact': method<Done>()(z.object({ contactId: Id, fields: ContactDraft })),
  'actions.setFavourite': method<Done>()(z.object({ contactId: Id, favourite: z.boolean() })),
  'actions.setOptOut': method<Done>()(z.object({ contactId: Id, optOut: z.boolean() })),
  'actions.linkContact': method<Done>()(z.object({ conversationId: Id, contactId: Id })),
  /** SPEC (1)/(8): typed number parsed to E.164 in main; WhatsApp refused with the reason and the SMS alternative. */
  'actions.createConversation': method<{ conversationId: string; reused: boolean }>()(
    z.object({
      channelId: Id,
      contactId: Id.nullable().default(null),
      number: z.string().trim().max(40),
      body: z.string().trim().min(1, 'write the first message').max(4000),
    }),
  ),
  'actions.setArchived': method<Done>()(z.object({ conversationId: Id, archived: z.boolean() })),
  'actions.markUnread': method<Done>()(z.object({ conversationId: Id })),
  'actions.addTag': method<Done>()(z.object({ conversationId: Id, tag: z.string().max(64) })),
  'actions.removeTag': method<Done>()(z.object({ conversationId: Id, tag: z.string().max(64) })),
  /** Tags in use in an inbox (or all my inboxes), for the tag filter. */
  'conversations.tags': method<string[]>()(z.object({ inboxId: Id.nullable().default(null) })),
  /** SPEC (18): an inbox's pre-written messages matching a title / key phrase / text. */
  'cannedResponses.list': method<CannedResponseView[]>()(z.object({ inboxId: Id, text: z.string().max(200).default('') })),
  'manage.view': method<ManageView>()(Empty),
  'actions.saveCannedResponse': method<{ id: string }>()(
    z.object({ id: Id.nullable().default(null), inboxId: Id, draft: CannedResponseDraft }),
  ),
  'actions.deleteCannedResponse': method<Done>()(z.object({ id: Id })),
  'actions.createInbox': method<{ inboxId: string }>()(z.object({ name: z.string().trim().min(1, 'an inbox needs a name').max(80), assignmentMode: z.boolean() })),
  'actions.updateInbox': method<Done>()(
    z.object({ inboxId: Id, name: z.string().trim().min(1, 'an inbox needs a name').max(80), assignmentMode: z.boolean() }),
  ),
  'actions.setInboxMember': method<Done>()(z.object({ inboxId: Id, userId: Id, member: z.boolean() })),
  /** Admins: a phone channel's carrier registration. */
  'actions.setChannelRegistration': method<Done>()(z.object({ channelId: Id, registration: RegistrationSchema })),
  // chats (SPEC (5), (6))
  'people.list': method<Person[]>()(Empty),
  'chat.get': method<ChatDetail | null>()(z.object({ id: Id })),
  'chat.messages': method<ChatMessagesPage>()(
    z.object({ chatId: Id, before: z.number().int().nullable().default(null), limit: z.number().int().min(1).max(200).default(50) }),
  ),
  'actions.sendChatMessage': method<{ messageId: string }>()(
    z.object({ chatId: Id, body: z.string().trim().min(1, 'a message cannot be empty').max(4000) }),
  ),
  /** Opens my direct chat with this person, starting it only if there is none yet. */
  'actions.openDirectChat': method<{ chatId: string; created: boolean }>()(z.object({ userId: Id })),
  'actions.createTeamChat': method<{ chatId: string }>()(
    z.object({ name: z.string().trim().min(1, 'a team chat needs a name').max(100), memberIds: z.array(Id).min(1, 'pick at least one person').max(100) }),
  ),
  'actions.renameChat': method<Done>()(z.object({ chatId: Id, name: z.string().trim().min(1, 'a team chat needs a name').max(100) })),
  'actions.setChatMembers': method<Done>()(z.object({ chatId: Id, memberIds: z.array(Id).min(1).max(100) })),
  'actions.markChatRead': method<Done>()(z.object({ chatId: Id })),
  // private numbers (SPEC (3), (11))
  'previous.list': method<PreviousConversation[]>()(z.object({ inboxId: Id })),
  /** Manager action (SPEC (11)): the number as typed; main parses it with libphonenumber-js. */
  'actions.movePrivateNumber': method<Done>()(z.object({ ownerId: Id, number: z.string().trim().min(1).max(40), inboxId: Id })),
  // notifications (SPEC §4)
  'notifications.getSettings': method<NotificationSettings>()(Empty),
  'notifications.setSettings': method<NotificationSettings>()(z.object({ muted: z.boolean() })),
  /** The unread total for the dock / taskbar badge (conversations and chats). */
  'notifications.unreadTotal': method<{ total: number }>()(Empty),
  // attachments (SPEC (18)); limits and types in protocol/attachments.ts, checked in main before anything is kept
  /**
   * Keeps a picked file for a reply: its bytes as base64 (at most 5 MB of file), from the file the
   * person chose in the page. Never a path: a page that could name paths could read any file of the
   * computer. Returns the file with a local id until it is uploaded.
   */
  'attachments.stage': method<Attachment>()(
    z.object({
      conversationId: Id,
      name: z.string().max(255),
      contentType: z.string().max(127).default(''),
      dataBase64: z.string().max(Math.ceil((5 * 1024 * 1024) / 3) * 4 + 4),
    }),
  ),
  /** A reply with staged attachments (the body may be empty); uploads happen before it is sent. */
  'actions.sendMessageWithAttachments': method<{ messageId: string }>()(
    z.object({ conversationId: Id, body: z.string().trim().max(4000).default(''), attachmentIds: z.array(Id.max(80)).min(1).max(10) }),
  ),
  /** An attachment's bytes (staged or on the server, fetched with the session token in main). */
  'attachments.read': method<{ name: string; contentType: string; dataBase64: string }>()(z.object({ id: Id.max(80) })),
} as const;

export type IpcMethods = typeof ipcMethods;
export type IpcMethod = keyof IpcMethods;
export const IPC_METHODS = Object.keys(ipcMethods) as IpcMethod[];
export type IpcInput<M extends IpcMethod> = z.input<IpcMethods[M]['input']>;
export type IpcParsedInput<M extends IpcMethod> = z.output<IpcMethods[M]['input']>;
export type IpcOutput<M extends IpcMethod> = IpcMethods[M]['output'];

export type IpcErrorCode = 'invalid' | 'not_found' | 'forbidden' | 'unauthenticated' | 'unavailable' | 'internal';
export interface IpcError {
  code: IpcErrorCode;
  message: string;
}
/** Errors cross the boundary as values, never as thrown exceptions. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

// ---------------------------------------------------------------- events (main → renderer)

export interface IpcEvents {
  session: SessionState;
  connection: ConnectionState;
  changed: ChangedViews;
  /** Clicking a notification asks the renderer to open this conversation. */
  openConversation: { conversationId: string };
  /** Clicking a chat notification asks the renderer to open this chat. */
  openChat: { chatId: string };
  /** Browser host: a notification for the renderer to show with the Web Notifications API. */
  notification: NotificationPayload;
  /** A snapshot page was stored (or the sync that brought them ended); see SyncProgress. */
  syncProgress: SyncProgress;
}
export type IpcEvent = keyof IpcEvents;
export const IPC_EVENTS = ['session', 'connection', 'changed', 'openConversation', 'openChat', 'notification', 'syncProgress'] as const satisfies readonly IpcEvent[];

// ---------------------------------------------------------------- channel names (declared once)

export const ipcInvokeChannel = (m: IpcMethod): string => `switchboard:invoke:${m}`;
export const ipcEventChannel = (e: IpcEvent): string => `switchboard:event:${e}`;

/** What preload puts on `window.switchboard`, and what the browser host client provides. */
export interface SwitchboardApi {
  invoke<M extends IpcMethod>(method: M, input: IpcInput<M>): Promise<IpcResult<IpcOutput<M>>>;
  /** Returns an unsubscribe function. */
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}

// ---------------------------------------------------------------- browser host wire format

/** Frames of the browser host (same API over a localhost websocket, guarded by a per-launch token). */
export const HostRequestFrame = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  input: z.unknown(),
});
export type HostRequestFrame = z.infer<typeof HostRequestFrame>;
export type HostServerFrame =
  | { kind: 'result'; id: number; result: IpcResult<unknown> }
  | { kind: 'event'; event: IpcEvent; payload: unknown };
