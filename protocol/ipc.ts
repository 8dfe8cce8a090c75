import { z } from 'zod';
import type {
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
import { ConversationStatus as ConversationStatusSchema, Id } from './domain.ts';
import type { DemoAccount } from './http.ts';
import type { RejectionCode } from './mutations.ts';

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
  inboxes: SidebarInbox[];
  chats: SidebarChat[];
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
}

/** Which views changed; the renderer re-queries only those. */
export interface ChangedViews {
  sidebar: boolean;
  conversationList: boolean;
  /** Conversations whose detail or messages changed. */
  conversations: string[];
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
  'app.state': method<{ session: SessionState; connection: ConnectionState; defaultServerUrl: string }>()(Empty),
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
  'actions.assign': method<Done>()(z.object({ conversationId: Id, assigneeId: Id.nullable() })),
  'actions.setStatus': method<Done>()(z.object({ conversationId: Id, status: ConversationStatusSchema })),
  'actions.markRead': method<Done>()(z.object({ conversationId: Id })),
  'outbox.retry': method<Done>()(z.object({ mutationId: z.number().int().positive() })),
  'outbox.discard': method<Done>()(z.object({ mutationId: z.number().int().positive() })),
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
}
export type IpcEvent = keyof IpcEvents;
export const IPC_EVENTS = ['session', 'connection', 'changed', 'openConversation'] as const satisfies readonly IpcEvent[];

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
