import { z } from 'zod';
import { Contact, Conversation, EntityRecord, Id, Message, Timestamp } from './domain.ts';
import { ConversationListQuery, type MessagesPage } from './ipc-views.ts';
import { isScope, type Scope } from './scope.ts';

/**
 * Windowed first sync and history on demand (issue 13). A first sync brings a window of what a person may see
 * (protocol/sync.ts: hello `window`, snapshot `phase`, `windowDone`); everything else is read over HTTP from
 * the routes below (Bearer token like every /api route; the server checks every record against the person's
 * scopes: a conversation or chat one may not see is 404 exactly like one that does not exist).
 */

// ---------------------------------------------------------------- the window

export const SyncWindow = z.object({
  /** Latest messages of each open conversation (and chat messages of each chat) in the window. */
  messagesPerConversation: z.number().int().min(1).max(500),
  /** Closed conversations whose last activity (lastActivityAt) is at most this many days old come as rows with their last message. */
  closedDays: z.number().int().min(0).max(3650),
  /**
   * Send the `openFirst` phase (and `phaseDone` frames): the first page of the default conversation list before
   * the other open conversations. Absent (older clients) = the phases without it; an older server ignores it.
   */
  firstPage: z.boolean().optional(),
});
export type SyncWindow = z.infer<typeof SyncWindow>;

/** What the client core asks for by default; `syncWindow: null` (tests, the bench baseline) asks for everything. */
export const DEFAULT_SYNC_WINDOW: SyncWindow = { messagesPerConversation: 50, closedDays: 30, firstPage: true };

/** Conversations of the `openFirst` phase: the first page the renderer shows (renderer/stores/conversation-list.ts PAGE_SIZE). */
export const OPEN_FIRST_CONVERSATIONS = 50;

/**
 * The list a client shows first (renderer/stores/conversation-list.ts `defaultListQuery`): open conversations of
 * every inbox, newest message first; the `openFirst` phase holds its first page.
 */
export const FIRST_LIST_QUERY: ConversationListQuery = { inboxId: null, channelId: null, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null };

/**
 * The order a windowed snapshot comes in, across all new scopes:
 * - `sidebar`: everything that is not a conversation, message, survey, chat message or contact (users, inboxes,
 *   members, channels, canned responses, chat rows, per-person state, favourites, notices, and any later
 *   directory kinds such as orgs and queue agents);
 * - `openFirst` (only when the window asks for `firstPage`): the first page of FIRST_LIST_QUERY — its newest
 *   OPEN_FIRST_CONVERSATIONS open conversations — each with its latest messages and their surveys; none of them
 *   comes again in a later phase;
 * - `open`: every other open conversation with its latest `messagesPerConversation` messages and their surveys;
 * - `recent`: closed conversations with lastActivityAt within `closedDays`, each with its last message (and its
 *   survey); each chat's latest `messagesPerConversation` chat messages;
 * - `contacts`: the shared contacts the window's conversations use, the person's favourite contacts, and the
 *   person's private contacts.
 */
export const SnapshotPhase = z.enum(['sidebar', 'openFirst', 'open', 'recent', 'contacts']);
export type SnapshotPhase = z.infer<typeof SnapshotPhase>;
export const SNAPSHOT_PHASES: readonly SnapshotPhase[] = SnapshotPhase.options;

/** The phases a window streams, in order: `openFirst` only when it was asked for. */
export function phasesOfWindow(window: SyncWindow): readonly SnapshotPhase[] {
  return window.firstPage ? SNAPSHOT_PHASES : SNAPSHOT_PHASES.filter((p) => p !== 'openFirst');
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A conversation's last activity: its last message, its closing, or its creation, whichever is latest. */
export function lastActivityAt(c: Pick<Conversation, 'createdAt' | 'closedAt' | 'lastMessageAt'>): number {
  return Math.max(c.createdAt, c.closedAt ?? 0, c.lastMessageAt ?? 0);
}

/** The oldest last activity a closed conversation may have to be in the window at `now`. */
export function windowSince(window: SyncWindow, now: number): number {
  return now - window.closedDays * DAY_MS;
}

// ---------------------------------------------------------------- HTTP

export const HISTORY_PATHS = {
  /** POST MessagesRequest → MessagesAnswer: a conversation's messages older than `before`, newest first, with their surveys. */
  messages: '/api/history/messages',
  /** POST MessagesThroughRequest → MessagesThroughAnswer: a conversation's messages from below `before` down to one message (a search hit). */
  messagesThrough: '/api/history/messages-through',
  /** POST ChatMessagesRequest → ChatMessagesAnswer: the same for a chat. */
  chatMessages: '/api/history/chat-messages',
  /** POST ConversationsRequest → ConversationsAnswer: one list view's rows after a keyset cursor, in its order. */
  conversations: '/api/history/conversations',
  /** POST ContactConversationsRequest → ContactConversationsAnswer: the conversations of one contact the person may see. */
  contactConversations: '/api/history/contact-conversations',
  /** POST TotalsRequest → TotalsAnswer: a view's total and its sidebar entry's counts over everything the person may see. */
  totals: '/api/history/totals',
  /** POST FillRequest → FillAnswer: the next page of history older than `olderThan`, newest first, resumable. */
  fill: '/api/history/fill',
  /** POST SearchRequest → SearchAnswer: server-side full-text search over everything the person may see. */
  search: '/api/search',
  /** POST UnreadRequest → UnreadAnswer: the newest inbound message and the reader's unread flag of conversations (server-unread.ts). */
  unread: '/api/history/unread',
} as const;

export const HISTORY_LIMITS = {
  messagesPage: 200,
  /** Most messages one `through` answer brings between the client's oldest and the wanted one; past it, the page around that one. */
  messagesReach: 2000,
  conversationsPage: 200,
  fillPage: 1000,
  searchHits: 50,
  /** Longest search text (characters). */
  searchText: 200,
} as const;

/** Scope of a record in an answer (the scope it is cached under), checked against the scope grammar. */
export const HistoryScope = z
  .string()
  .refine(isScope, 'not a scope')
  .transform((s) => s as Scope);

/** A record with the scope it belongs to: `{ scope, entity, record }`. */
export const ScopedRecord = z.intersection(z.object({ scope: HistoryScope }), EntityRecord);
export type ScopedRecord = { scope: Scope } & EntityRecord;

/** Position in a newest-first page of messages or chat messages: older than this (createdAt, then id). */
export const MessageCursor = z.object({ createdAt: Timestamp, id: Id });
export type MessageCursor = z.infer<typeof MessageCursor>;

/**
 * Position in a conversation list: after the row with this sort key (protocol/conversation-views.ts `sortKey`;
 * null = "no messages" in the oldest-messages order) and id.
 */
export const ConversationCursor = z.object({ key: z.number().int().nullable(), id: Id });
export type ConversationCursor = z.infer<typeof ConversationCursor>;

/** Position in the fill: which part (conversations' messages, then chats' messages) and the last (createdAt, id) sent. */
export const FillCursor = z.object({ part: z.enum(['messages', 'chatMessages']), createdAt: Timestamp, id: Id });
export type FillCursor = z.infer<typeof FillCursor>;

const head = z.number().int().nonnegative();
const records = z.array(ScopedRecord);

export const MessagesRequest = z.object({
  conversationId: Id,
  before: MessageCursor.nullable(),
  limit: z.number().int().min(1).max(HISTORY_LIMITS.messagesPage),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;
/** Messages (newest first) and the surveys they carry; `next` is null once the oldest was sent. */
export const MessagesAnswer = z.object({ records, head, next: MessageCursor.nullable() });
export type MessagesAnswer = z.infer<typeof MessagesAnswer>;

export const MessagesThroughRequest = z.object({
  conversationId: Id,
  /** The oldest message the client holds of the conversation (its newest uncached one is just below); null: it holds none. */
  before: MessageCursor.nullable(),
  messageId: Id,
});
export type MessagesThroughRequest = z.infer<typeof MessagesThroughRequest>;
/**
 * `reach: 'through'`: the conversation's row, then every message below `before` down to and including the wanted
 * one (newest first, with their surveys), so the client's run of cached messages grows down to it; `next` is null
 * when nothing older is left. `reach: 'around'`: more than HISTORY_LIMITS.messagesReach lie between, so the page
 * around the wanted one (up to half a messages page on each side) comes instead, to be shown and not kept.
 */
export const MessagesThroughAnswer = z.object({ records, head, reach: z.enum(['through', 'around']), next: MessageCursor.nullable() });
export type MessagesThroughAnswer = z.infer<typeof MessagesThroughAnswer>;

/** IPC `messages.through`: open a conversation at one message (a search hit), loading what lies between. */
export const MessagesThroughInput = z.object({ conversationId: Id, messageId: Id });
export type MessagesThroughInput = z.infer<typeof MessagesThroughInput>;
/**
 * Oldest first, from the wanted message (or the page around it) to the newest; `found`: the message is among the
 * items; `around`: the items are the page around it, read from the server and not kept (no newer or older ones
 * follow from them); `notAvailableOffline`: the message is not on this device and the server cannot be asked.
 */
export interface MessagesThroughPage extends MessagesPage {
  found: boolean;
  around: boolean;
}

export const ChatMessagesRequest = z.object({
  chatId: Id,
  before: MessageCursor.nullable(),
  limit: z.number().int().min(1).max(HISTORY_LIMITS.messagesPage),
});
export type ChatMessagesRequest = z.infer<typeof ChatMessagesRequest>;
export const ChatMessagesAnswer = MessagesAnswer;
export type ChatMessagesAnswer = MessagesAnswer;

export const ConversationsRequest = z.object({
  query: ConversationListQuery,
  after: ConversationCursor.nullable(),
  limit: z.number().int().min(1).max(HISTORY_LIMITS.conversationsPage),
});
export type ConversationsRequest = z.infer<typeof ConversationsRequest>;
/**
 * Conversation rows in the list's order, each followed by what the list shows of it: its last message, its
 * contact (when linked), and the person's own state of it (conversationUserState, when there is one).
 */
export const ConversationsAnswer = z.object({ records, head, next: ConversationCursor.nullable() });
export type ConversationsAnswer = z.infer<typeof ConversationsAnswer>;

export const ContactConversationsRequest = z.object({
  contactId: Id,
  limit: z.number().int().min(1).max(HISTORY_LIMITS.conversationsPage),
});
export type ContactConversationsRequest = z.infer<typeof ContactConversationsRequest>;
/** The contact's conversations (newest activity first) with each one's last message; 404 for a contact one may not see. */
export const ContactConversationsAnswer = z.object({ records, head });
export type ContactConversationsAnswer = z.infer<typeof ContactConversationsAnswer>;

export const TotalsRequest = z.object({ query: ConversationListQuery });
export type TotalsRequest = z.infer<typeof TotalsRequest>;
const count = z.number().int().nonnegative();
export const ListCountsSchema = z.object({ open: count, closed: count, me: count, others: count, unassigned: count, withMe: count });
/** `total`: the view's rows; `counts`: its sidebar entry's (the query's inbox / channel), protocol/conversation-views.ts. */
export const TotalsAnswer = z.object({ total: count, counts: ListCountsSchema, head });
export type TotalsAnswer = z.infer<typeof TotalsAnswer>;

/** Conversations whose unread flag the client cannot work out from what it holds (their inbound messages are not cached). */
export const UnreadRequest = z.object({ conversationIds: z.array(Id).max(HISTORY_LIMITS.conversationsPage) });
export type UnreadRequest = z.infer<typeof UnreadRequest>;
/** One entry per asked conversation the reader may see (others are left out); `lastInboundAt` null: the customer never wrote. */
export const UnreadAnswer = z.object({
  conversations: z.array(z.object({ id: Id, lastInboundAt: Timestamp.nullable(), unread: z.boolean() })),
  head,
});
export type UnreadAnswer = z.infer<typeof UnreadAnswer>;

export const FillRequest = z.object({
  after: FillCursor.nullable(),
  limit: z.number().int().min(1).max(HISTORY_LIMITS.fillPage),
  /** Only records created before this (the client passes where its cache is complete, e.g. the window's start). */
  olderThan: Timestamp,
});
export type FillRequest = z.infer<typeof FillRequest>;
/**
 * Up to `limit` messages (newest first, each preceded by its conversation's row the first time it appears in
 * the page) and then chat messages; `next` null = nothing older is left. The client stops at its budget.
 */
export const FillAnswer = z.object({ records, head, next: FillCursor.nullable() });
export type FillAnswer = z.infer<typeof FillAnswer>;

export const SearchRequest = z.object({
  text: z.string().trim().min(1).max(HISTORY_LIMITS.searchText),
  limit: z.number().int().min(1).max(HISTORY_LIMITS.searchHits),
});
export type SearchRequest = z.infer<typeof SearchRequest>;
const hitBase = {
  scope: HistoryScope,
  /** Plain text around the match (no markup). */
  snippet: z.string(),
};
/** One match: a message (with its conversation, so the hit can be listed and opened), a contact or a conversation. */
export const SearchHit = z.discriminatedUnion('entity', [
  z.object({ ...hitBase, entity: z.literal('message'), record: Message, conversation: Conversation }),
  z.object({ ...hitBase, entity: z.literal('contact'), record: Contact }),
  z.object({ ...hitBase, entity: z.literal('conversation'), record: Conversation }),
]);
export type SearchHit = z.infer<typeof SearchHit>;
export const SearchAnswer = z.object({ hits: z.array(SearchHit), head });
export type SearchAnswer = z.infer<typeof SearchAnswer>;
