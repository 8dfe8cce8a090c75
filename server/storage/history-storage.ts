import type { EntityKind, EntityOf } from '../../protocol/domain.ts';

/**
 * Reads of the windowed first sync and the history API (issue 13), part of StorageTx. Implemented by
 * sqlite/history.ts and postgres/history.ts over the columns and indexes of SQLite migrations 15-16 / PostgreSQL
 * migrations 6-7; covered by tests/server/storage/contract-history.ts. None of these checks who may see what: the
 * domain (server/domain/history-*.ts) asks only for inboxes, chats and contacts the person holds.
 */

/** A newest-first position: strictly older than (at, id). */
export interface Before {
  at: number;
  id: string;
}

/** Which conversations of one inbox a list reads, in one list order (protocol/conversation-views.ts sortKey). */
export interface ConversationListScan {
  inboxId: string;
  /** Narrows to one channel of that inbox. */
  channelId: string | null;
  status: 'open' | 'closed';
  sort: 'recentConversations' | 'oldestConversations' | 'recentMessages' | 'oldestMessages';
  /** After this (sort key, id) in the list's order (null key: "no messages" in oldestMessages); null = from the start. */
  after: { key: number | null; id: string } | null;
  limit: number;
}

/** A conversation with the per-person facts its list position and filters read. */
export interface ConversationFactsRow {
  conversation: EntityOf<'conversation'>;
  /** The person's own state of it (read mark, archived), if they ever had one. */
  state: EntityOf<'conversationUserState'> | null;
  /** createdAt of its newest inbound message; null when the customer never wrote. */
  lastInboundAt: number | null;
}

/** Which conversations a tally counts: every one of these inboxes (narrowed to one channel), listed or not. */
export interface ConversationTallyScan {
  inboxIds: readonly string[];
  channelId: string | null;
  /** `tagged` tells whether a conversation carries this tag (null: every row is tagged). */
  tag: string | null;
  /**
   * The unread view's status: `unread` is worked out (from the newest inbound message) for the conversations of
   * this status that the person did not archive, the only ones that view can hold; null (or any other
   * conversation): it is false.
   */
  unread: 'open' | 'closed' | null;
}

/**
 * One group of a tally: how many conversations share these per-person facts (protocol/conversation-views.ts
 * ConversationFacts, with the assignee told only as the person, nobody or someone else).
 */
export interface ConversationTallyRow {
  inboxId: string;
  channelId: string;
  status: 'open' | 'closed';
  assignee: 'me' | 'none' | 'other';
  archived: boolean;
  unread: boolean;
  withMe: boolean;
  tagged: boolean;
  /** Not a read-only conversation of a moved private number (protocol/conversation-views.ts isListed). */
  listed: boolean;
  n: number;
}

/** A message that matched a search, with its conversation. */
export interface MessageMatch {
  message: EntityOf<'message'>;
  conversation: EntityOf<'conversation'>;
}

export interface HistoryStorage {
  /** Records of one kind by id, in no particular order; ids not found are left out. */
  getMany<K extends EntityKind>(kind: K, ids: readonly string[]): Promise<EntityOf<K>[]>;

  /**
   * Conversations of one inbox with this status, newest last activity first (protocol/history.ts
   * lastActivityAt), at least `since` (0 = all), strictly before `before`.
   */
  conversationsByActivity(inboxId: string, status: 'open' | 'closed', since: number, before: Before | null, limit: number): Promise<EntityOf<'conversation'>[]>;
  /** The latest `perConversation` messages of each conversation (newest first within each). */
  latestMessagesOf(conversationIds: readonly string[], perConversation: number): Promise<EntityOf<'message'>[]>;
  /** Every survey sent in these conversations. */
  surveysOfConversations(conversationIds: readonly string[]): Promise<EntityOf<'survey'>[]>;
  /**
   * The person's own states (read mark, archived) of conversations that are open or had activity at or after
   * `since`, keyset by id: a window never carries states of conversations it does not hold.
   */
  windowUserStates(userId: string, since: number, afterId: string, limit: number): Promise<EntityOf<'conversationUserState'>[]>;
  /** Distinct contact ids of the inboxes' conversations that are open or had activity at or after `since`. */
  windowContactIds(inboxIds: readonly string[], since: number): Promise<string[]>;

  /** One conversation's messages older than `before` (createdAt, id), newest first. */
  messagesBefore(conversationId: string, before: Before | null, limit: number): Promise<EntityOf<'message'>[]>;
  /**
   * One conversation's messages at or after `from` (createdAt, id) and strictly before `before`, oldest first:
   * the run between a client's oldest cached message and a wanted one (history-service.ts messagesThrough).
   */
  messagesFrom(conversationId: string, from: Before, before: Before | null, limit: number): Promise<EntityOf<'message'>[]>;
  /** One chat's messages older than `before`, newest first. */
  chatMessagesBefore(chatId: string, before: Before | null, limit: number): Promise<EntityOf<'chatMessage'>[]>;
  /** Messages of one inbox created before `olderThan` and strictly before `before`, newest first (the fill). */
  inboxMessagesBefore(inboxId: string, olderThan: number, before: Before | null, limit: number): Promise<EntityOf<'message'>[]>;
  /** Chat messages of one chat created before `olderThan` and strictly before `before`, newest first (the fill). */
  chatMessagesOlderThan(chatId: string, olderThan: number, before: Before | null, limit: number): Promise<EntityOf<'chatMessage'>[]>;

  /** One inbox's conversations of a list, in its order after the cursor, with the person's facts. */
  conversationList(userId: string, scan: ConversationListScan): Promise<ConversationFactsRow[]>;
  /**
   * The conversations of a tally scan counted in SQL, grouped by their facts for one person: the totals and
   * sidebar counts of the history API apply the view rules to the groups instead of reading every row.
   */
  conversationTally(userId: string, scan: ConversationTallyScan): Promise<ConversationTallyRow[]>;
  /** createdAt of the newest inbound message of each of these conversations that has one (server-unread.ts). */
  lastInboundOf(conversationIds: readonly string[]): Promise<Array<{ conversationId: string; lastInboundAt: number }>>;
  /** The conversations of these inboxes linked to a contact, newest last activity first. */
  conversationsOfContact(contactId: string, inboxIds: readonly string[], limit: number): Promise<EntityOf<'conversation'>[]>;

  /**
   * Messages of these inboxes whose body has every term (a term matches words starting with it, case and
   * accents folded as the engine's full-text search does), newest first. SQLite: FTS5; PostgreSQL: tsvector + GIN.
   */
  searchMessages(inboxIds: readonly string[], terms: readonly string[], limit: number): Promise<MessageMatch[]>;
  /** Contacts of the organisation (shared, or private to `userId`) whose name, email, company or phone contains `text`. */
  searchContacts(orgId: string, userId: string, text: string, limit: number): Promise<EntityOf<'contact'>[]>;
}
