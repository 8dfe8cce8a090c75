import type { Conversation } from './domain.ts';
import type { ConversationListQuery, ListCounts } from './ipc-views.ts';

/**
 * The view rules of the conversation lists (SPEC (9), (12), (13)), defined once: which conversations a
 * `ConversationListQuery` lists, in which order, and how the `ListCounts` of a sidebar entry are counted.
 *
 * Two implementations follow them: the client cache's SQL (main/core/queries/conversation-list.ts and the
 * maintained totals of main/core/cache/list-counts.ts: every rule below is a plain column there) and the
 * server's history API (server/domain/history-*.ts), which reads the facts from storage and applies these
 * functions, so the totals the server answers are the ones the cache would count if it held everything.
 * tests/protocol/conversation-views.test.ts checks the cache's SQL against these functions.
 */

/** The per-person facts of one conversation that list filters read (the cache's columns of the same names). */
export interface ConversationFacts {
  inboxId: string;
  channelId: string;
  status: Conversation['status'];
  assigneeId: string | null;
  tags: readonly string[];
  /** The person archived it (their conversationUserState); not the conversation's own state. */
  archived: boolean;
  /** A customer wrote after the person last read it: see `isUnread`. */
  unread: boolean;
  /** The person ever wrote in it (participantIds). */
  withMe: boolean;
}

/** The unread rule: an inbound message newer than the person's read mark (never read = -1). */
export function isUnread(lastInboundAt: number | null, readAt: number | null): boolean {
  return lastInboundAt !== null && lastInboundAt > (readAt ?? -1);
}

/**
 * The facts of a conversation for one person. `lastInboundAt` is the newest inbound message's createdAt (null:
 * none); `state` is the person's own read/archive state of it (null: never read, not archived).
 */
export function conversationFacts(
  conversation: Conversation,
  state: { readAt: number | null; archived: boolean } | null,
  lastInboundAt: number | null,
  me: string,
): ConversationFacts {
  return {
    inboxId: conversation.inboxId,
    channelId: conversation.channelId,
    status: conversation.status,
    assigneeId: conversation.assigneeId,
    tags: conversation.tags,
    archived: state?.archived ?? false,
    unread: isUnread(lastInboundAt, state?.readAt ?? null),
    withMe: conversation.participantIds.includes(me),
  };
}

/**
 * Whether a conversation is listed at all: the read-only conversations of a moved private number (SPEC (11),
 * `previousOfChannelId`) are shown in their own section, never in a list.
 */
export function isListed(conversation: Pick<Conversation, 'previousOfChannelId'>): boolean {
  return !conversation.previousOfChannelId;
}

/**
 * Whether a listed conversation belongs to the view. A channel narrows more than its inbox, so a query naming
 * both is read by its channel. The `archived` read filter shows archived ones only; every other filter hides them.
 */
export function inView(q: ConversationListQuery, f: ConversationFacts, me: string): boolean {
  if (q.channelId !== null) {
    if (f.channelId !== q.channelId) return false;
  } else if (q.inboxId !== null && f.inboxId !== q.inboxId) return false;
  if (f.status !== (q.folder === 'closed' ? 'closed' : 'open')) return false;
  if (f.archived !== (q.read === 'archived')) return false;
  if (q.read === 'unread' && !f.unread) return false;
  if (!inAssignment(q.assignment, f, me)) return false;
  return q.tag === null || f.tags.includes(q.tag);
}

function inAssignment(assignment: ConversationListQuery['assignment'], f: ConversationFacts, me: string): boolean {
  switch (assignment) {
    case 'all':
      return true;
    case 'me':
      return f.assigneeId === me;
    case 'others':
      return f.assigneeId !== null && f.assigneeId !== me;
    case 'unassigned':
      return f.assigneeId === null;
    case 'withMe':
      return f.withMe;
  }
}

/** "No messages yet" sorts above every real time in the recent-messages order (the cache's recent_msg_key). */
export const NO_MESSAGES_KEY = Number.MAX_SAFE_INTEGER;

/**
 * A list's order: the sort key of a conversation and its direction. Keys (the cache's generated columns):
 * `conv` = created while open, closed once closed; `rmk` = last message, "no messages" first; `lma` = last
 * message ascending, "no messages" (null) first. Ties are broken by id in the same direction (the cache breaks
 * them by its index order; a server page and a cache page may order equal keys differently, never the set).
 */
export function sortKey(sort: ConversationListQuery['sort'], c: Pick<Conversation, 'status' | 'createdAt' | 'closedAt' | 'lastMessageAt'>): number | null {
  switch (sort) {
    case 'recentConversations':
    case 'oldestConversations':
      return c.status === 'closed' ? (c.closedAt ?? c.createdAt) : c.createdAt;
    case 'recentMessages':
      return c.lastMessageAt ?? NO_MESSAGES_KEY;
    case 'oldestMessages':
      return c.lastMessageAt;
  }
}

export function sortDescending(sort: ConversationListQuery['sort']): boolean {
  return sort === 'recentConversations' || sort === 'recentMessages';
}

/** Compares two (key, id) positions in a list's order: negative when `a` comes first. Null keys lead. */
export function compareListPositions(
  sort: ConversationListQuery['sort'],
  a: { key: number | null; id: string },
  b: { key: number | null; id: string },
): number {
  const ak = a.key ?? -Infinity;
  const bk = b.key ?? -Infinity;
  const byKey = ak === bk ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : ak < bk ? -1 : 1;
  return sortDescending(sort) ? -byKey : byKey;
}

/**
 * The counts shown beside a sidebar entry (inbox, channel, or everything): open, closed, and the open
 * conversations by assignment, with the default read filter ('all': archived ones are not counted).
 * `others` = open − me − unassigned: every open conversation is mine, someone else's or nobody's.
 */
export function countInto(counts: ListCounts, scope: { inboxId: string | null; channelId: string | null }, f: ConversationFacts, me: string): void {
  const base = { inboxId: scope.inboxId, channelId: scope.channelId, read: 'all', sort: 'recentMessages', tag: null } as const;
  if (inView({ ...base, folder: 'closed', assignment: 'all' }, f, me)) counts.closed += 1;
  if (!inView({ ...base, folder: 'open', assignment: 'all' }, f, me)) return;
  counts.open += 1;
  if (f.assigneeId === me) counts.me += 1;
  else if (f.assigneeId === null) counts.unassigned += 1;
  else counts.others += 1;
  if (f.withMe) counts.withMe += 1;
}

export function emptyCounts(): ListCounts {
  return { open: 0, closed: 0, me: 0, others: 0, unassigned: 0, withMe: 0 };
}
