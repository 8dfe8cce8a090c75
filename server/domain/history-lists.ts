import { compareListPositions, conversationFacts, countInto, emptyCounts, inView, isListed, sortKey, type ConversationFacts } from '../../protocol/conversation-views.ts';
import type { ConversationCursor } from '../../protocol/history.ts';
import type { ConversationListQuery, ListCounts } from '../../protocol/ipc-views.ts';
import type { ConversationFactsRow, ConversationListScan, ConversationTallyRow } from '../storage/history-storage.ts';
import type { StorageTx } from '../storage/storage.ts';
import { notFound, type Reader } from './history-access.ts';

/**
 * Conversation lists over everything a person may see (issue 13), by the view rules of
 * protocol/conversation-views.ts: storage reads each inbox's rows in the list's order with the person's facts
 * (history-storage.ts conversationList), and totals count groups of equal facts in SQL (conversationTally, whose
 * unread and listed follow isUnread and isListed); the view rules are applied here to rows and groups, never
 * restated in SQL.
 */

/** Rows read per inbox per request: a selective filter walks at most this many before answering with a cursor. */
const WALK_PER_INBOX = 500;

/** The inboxes a query reads (a named inbox or channel must be the reader's, else it is not there) and its channel. */
async function queryInboxes(tx: StorageTx, reader: Reader, q: ConversationListQuery): Promise<{ inboxIds: string[]; channelId: string | null }> {
  if (q.channelId !== null) {
    const channel = await tx.get('channel', q.channelId);
    if (!channel || !reader.inboxIds.has(channel.inboxId)) throw notFound('channel');
    return { inboxIds: [channel.inboxId], channelId: channel.id };
  }
  if (q.inboxId !== null) {
    if (!reader.inboxIds.has(q.inboxId)) throw notFound('inbox');
    return { inboxIds: [q.inboxId], channelId: null };
  }
  return { inboxIds: [...reader.inboxIds].sort(), channelId: null };
}

const positionOf = (q: ConversationListQuery, row: ConversationFactsRow): ConversationCursor => ({ key: sortKey(q.sort, row.conversation), id: row.conversation.id });

export function rowInView(q: ConversationListQuery, row: ConversationFactsRow, me: string): boolean {
  const state = row.state ? { readAt: row.state.readAt, archived: row.state.archived } : null;
  return isListed(row.conversation) && inView(q, conversationFacts(row.conversation, state, row.lastInboundAt, me), me);
}

/**
 * One page of a list after `after`: each inbox's next rows in order, merged, filtered by the view. When an
 * inbox's read ran out before the page filled, the page ends at its last row (rows past it are unknown yet), so
 * a page may hold fewer than `limit` rows and still have a `next`.
 */
export async function listPage(
  tx: StorageTx,
  reader: Reader,
  q: ConversationListQuery,
  after: ConversationCursor | null,
  limit: number,
): Promise<{ rows: ConversationFactsRow[]; next: ConversationCursor | null }> {
  const { inboxIds, channelId } = await queryInboxes(tx, reader, q);
  const status = q.folder === 'closed' ? 'closed' : 'open';
  const walk = Math.max(limit, WALK_PER_INBOX);
  const candidates: ConversationFactsRow[] = [];
  let stopAt: ConversationCursor | null = null;
  for (const inboxId of inboxIds) {
    const scan: ConversationListScan = { inboxId, channelId, status, sort: q.sort, after, limit: walk };
    const rows = await tx.conversationList(reader.user.id, scan);
    candidates.push(...rows);
    const last = rows[rows.length - 1];
    if (rows.length === walk && last) {
      const end = positionOf(q, last);
      if (!stopAt || compareListPositions(q.sort, end, stopAt) < 0) stopAt = end;
    }
  }
  candidates.sort((a, b) => compareListPositions(q.sort, positionOf(q, a), positionOf(q, b)));
  const rows: ConversationFactsRow[] = [];
  let lastWalked: ConversationCursor | null = null;
  let walkedAll = true;
  for (const row of candidates) {
    const at = positionOf(q, row);
    if (stopAt && compareListPositions(q.sort, at, stopAt) > 0) break;
    if (rows.length === limit) {
      walkedAll = false;
      break;
    }
    lastWalked = at;
    if (rowInView(q, row, reader.user.id)) rows.push(row);
  }
  // Every remaining row was read and walked: the list ends here.
  const done = stopAt === null && walkedAll;
  return { rows, next: done ? null : lastWalked };
}

/** Stands for "assigned to someone else" in tally facts: the view rules only compare the assignee with the person and null. */
const SOMEONE_ELSE = '\u0000someone-else';

function tallyFacts(row: ConversationTallyRow, q: ConversationListQuery, me: string): ConversationFacts {
  return {
    inboxId: row.inboxId,
    channelId: row.channelId,
    status: row.status,
    assigneeId: row.assignee === 'me' ? me : row.assignee === 'none' ? null : SOMEONE_ELSE,
    tags: row.tagged && q.tag !== null ? [q.tag] : [],
    archived: row.archived,
    unread: row.unread,
    withMe: row.withMe,
  };
}

/**
 * The view's total and its sidebar entry's counts, over every conversation of the query's inboxes: storage
 * groups them by their facts in SQL (conversationTally), the view rules are applied to each group.
 */
export async function listTotals(tx: StorageTx, reader: Reader, q: ConversationListQuery): Promise<{ total: number; counts: ListCounts }> {
  const { inboxIds, channelId } = await queryInboxes(tx, reader, q);
  const me = reader.user.id;
  const counts = emptyCounts();
  let total = 0;
  const entry = { inboxId: q.channelId === null ? q.inboxId : null, channelId: q.channelId };
  const groups = await tx.conversationTally(me, { inboxIds, channelId, tag: q.tag, unread: q.read === 'unread' ? (q.folder === 'closed' ? 'closed' : 'open') : null });
  for (const group of groups) {
    if (!group.listed) continue;
    const facts = tallyFacts(group, q, me);
    const one = emptyCounts();
    countInto(one, entry, facts, me);
    for (const key of Object.keys(one) as Array<keyof ListCounts>) if (key !== 'source') counts[key] += (one[key] ?? 0) * group.n;
    if (inView(q, facts, me)) total += group.n;
  }
  return { total, counts };
}
