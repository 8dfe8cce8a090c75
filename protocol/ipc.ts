import { z } from 'zod';
import { ConversationStatus as ConversationStatusSchema, Id, Registration as RegistrationSchema, type Attachment, type User } from './domain.ts';
import type { DemoAccount } from './http.ts';
import { MAX_TEMPLATE_PARAMETER_LENGTH, MAX_TEMPLATE_PARAMETERS } from './whatsapp-templates.ts';
import { AssistantGenerateRequest, AssistantSettingsInput, AssistantSuggestRequest, type AssistantSettingsView, type AssistantStreamEvent, type AssistantUse } from './assistant.ts';
import { SurveyPeriod, SurveySettingsPut, type SurveyReport, type SurveySettings } from './surveys.ts';
import { LogOutAgentInput, SetCapacityInput, type QueuesOverview } from './queue-overview.ts';
import { MessagesThroughInput, type MessagesThroughPage } from './history.ts';

/**
 * The one contract between the renderer and the main process. Main implements
 * it (main/ipc-router.ts), preload exposes it, the renderer calls it. The
 * browser host serves the same contract over a local websocket.
 */

export * from './ipc-views.ts';
export * from './ipc-contact-center.ts';
import { contactCenterAgentIpcMethods } from './ipc-contact-center.ts';
import {
  type AssistantStarted,
  type AssistantView,
  CannedResponseDraft,
  type CannedResponseView,
  type ChangedViews,
  type ChatDetail,
  type ChatMessagesPage,
  type ConnectionState,
  type ContactDetail,
  ContactDraft,
  type ContactSummary,
  HISTORY_BUDGET_CHOICES,
  type HistorySettingsView,
  type ConversationDetail,
  type ConversationListPage,
  ConversationListQuery,
  type ListCounts,
  type ManageView,
  type MessagesPage,
  type NotificationPayload,
  type NotificationTarget,
  type NotificationSettings,
  type PastReplySuggestion,
  type Person,
  type PreviousConversation,
  type SearchResults,
  type SessionState,
  type SidebarView,
  SyncProgress,
} from './ipc-views.ts';

const RequestId = Id;

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
  /** Issue 13: a conversation opened at one message (a search hit), with everything newer than it. */
  'messages.through': method<MessagesThroughPage>()(MessagesThroughInput),
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
  // customer satisfaction surveys (issue 12 §2)
  /** Through the outbox like a reply. Outside WhatsApp's window a template carries the link (its last {{n}}). */
  'actions.sendSurvey': method<{ surveyId: string; messageId: string }>()(
    z.object({
      conversationId: Id,
      template: z
        .object({ templateId: Id, parameters: z.array(z.string().max(MAX_TEMPLATE_PARAMETER_LENGTH)).max(MAX_TEMPLATE_PARAMETERS - 1).default([]) })
        .nullable()
        .default(null),
    }),
  ),
  /** Online only (asks the server): an inbox's survey text. */
  'surveys.settings': method<SurveySettings>()(z.object({ inboxId: Id })),
  /** Managers and admins; online only. */
  'surveys.saveSettings': method<SurveySettings>()(SurveySettingsPut),
  /** Managers and supervisors; online only: CSAT per inbox and agent for surveys sent in [from, to). */
  'surveys.report': method<SurveyReport>()(SurveyPeriod),
  /** An attachment's bytes (staged or on the server, fetched with the session token in main). */
  'attachments.read': method<{ name: string; contentType: string; dataBase64: string }>()(z.object({ id: Id.max(80) })),
  // Message Assistant (issue 12 §1): the model's answer streams back as `assistant` events of the request id.
  'assistant.state': method<AssistantView>()(Empty),
  /** Past-reply suggestions at once (from the local cache, offline too), and the model's suggestions streaming. */
  'assistant.suggest': method<AssistantStarted & { pastReplies: PastReplySuggestion[] }>()(AssistantSuggestRequest.extend({ requestId: RequestId })),
  'assistant.generate': method<AssistantStarted>()(AssistantGenerateRequest.extend({ requestId: RequestId })),
  /** Stops a streaming request (the server aborts its call to the provider). */
  'assistant.cancel': method<Done>()(z.object({ requestId: RequestId })),
  /** Admins. */
  'assistant.settings': method<AssistantSettingsView>()(Empty),
  'assistant.saveSettings': method<AssistantSettingsView>()(AssistantSettingsInput),
  'assistant.uses': method<AssistantUse[]>()(z.object({ limit: z.number().int().min(1).max(1000).default(100) })),
  // the supervisor's Queues view (issue 10 §4): figures from the local cache; actions through the outbox
  'queues.overview': method<QueuesOverview>()(Empty),
  'actions.logOutAgent': method<Done>()(LogOutAgentInput),
  'actions.setCapacity': method<Done>()(SetCapacityInput),
  // Contact Center, the agent's side (issue 10 §3)
  ...contactCenterAgentIpcMethods,
  // windowed first sync (issue 13): what this device keeps
  'history.settings': method<HistorySettingsView>()(Empty),
  'history.setBudget': method<HistorySettingsView>()(
    z.object({ days: z.number().int().refine((d) => (HISTORY_BUDGET_CHOICES as readonly number[]).includes(d), 'pick one of the offered periods') }),
  ),
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
  /** Clicking a desktop notification asks the renderer to open what it points at (NotificationTarget). */
  openTarget: NotificationTarget;
  /** Browser host: a notification for the renderer to show with the Web Notifications API. */
  notification: NotificationPayload;
  /** A snapshot page was stored (or the sync that brought them ended); see SyncProgress. */
  syncProgress: SyncProgress;
  /** One streamed piece of an assistant request's answer. */
  assistant: { requestId: string; event: AssistantStreamEvent };
}
export type IpcEvent = keyof IpcEvents;
export const IPC_EVENTS = ['session', 'connection', 'changed', 'openTarget', 'notification', 'syncProgress', 'assistant'] as const satisfies readonly IpcEvent[];

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
