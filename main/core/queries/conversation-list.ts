import type Database from 'better-sqlite3-multiple-ciphers';
import type { ConversationListItem, ConversationListPage, ConversationListQuery, ListCounts } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { formatAddress, type ConversationRow } from './rows.ts';

type Params = Record<string, string | number>;

type PageRow = Pick<
  ConversationRow,
  'id' | 'inbox_id' | 'channel_id' | 'customer_address' | 'status' | 'assignee_id' | 'tags' | 'created_at' | 'closed_at' | 'last_message_at' | 'preview' | 'unread' | 'archived'
> & { channel_kind: ConversationListItem['channelKind'] | null; contact_name: string | null; assignee_name: string | null };

/**
 * The conditions both a page and its total share. The conversations table keeps
 * "no assignee" as NULL in assignee_id; the maintained totals key it as '' in assignee.
 */
function sharedConditions(q: ConversationListQuery, me: string, assignee: { column: string; none: string }): { parts: string[]; params: Params } {
  const parts: string[] = [];
  const params: Params = {};
  if (q.channelId !== null) {
    parts.push('channel_id = @channelId');
    params.channelId = q.channelId;
  } else if (q.inboxId !== null) {
    parts.push('inbox_id = @inboxId');
    params.inboxId = q.inboxId;
  }
  parts.push(q.folder === 'closed' ? "status = 'closed'" : "status = 'open'");
  parts.push(q.read === 'archived' ? 'archived = 1' : 'archived = 0');
  if (q.read === 'unread') parts.push('unread = 1');
  const none = assignee.none === 'NULL' ? `${assignee.column} IS NULL` : `${assignee.column} = ${assignee.none}`;
  const some = assignee.none === 'NULL' ? `${assignee.column} IS NOT NULL` : `${assignee.column} <> ${assignee.none}`;
  switch (q.assignment) {
    case 'me':
      parts.push(`${assignee.column} = @me`);
      params.me = me;
      break;
    case 'others':
      parts.push(`${some} AND ${assignee.column} <> @me`);
      params.me = me;
      break;
    case 'unassigned':
      parts.push(none);
      break;
    case 'withMe':
      parts.push('with_me = 1');
      break;
    case 'all':
      break;
  }
  return { parts, params };
}

/**
 * SQL for one list view. Enum-chosen parts are literals (so the planner can
 * match them to the list indexes); ids are parameters. The sort keys are
 * generated columns: conv_key (created while open, closed once closed) and
 * recent_msg_key (last message, with "no messages" above every time).
 */
export function listWhere(q: ConversationListQuery, me: string): { where: string; params: Params } {
  const { parts, params } = sharedConditions(q, me, { column: 'assignee_id', none: 'NULL' });
  if (q.tag !== null) {
    // A probe of the tags primary key per walked row (an IN list would be built per query first).
    parts.push('EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = conversations.id AND t.tag = @tag)');
    params.tag = q.tag;
  }
  return { where: parts.join(' AND '), params };
}

export function listOrder(sort: ConversationListQuery['sort']): { key: 'conv' | 'lma' | 'rmk'; orderBy: string } {
  // Ties keep index order (the filter columns, then rowid), which is stable between pages.
  switch (sort) {
    case 'recentConversations':
      return { key: 'conv', orderBy: 'conv_key DESC' };
    case 'oldestConversations':
      return { key: 'conv', orderBy: 'conv_key ASC' };
    case 'recentMessages':
      return { key: 'rmk', orderBy: 'recent_msg_key DESC' };
    case 'oldestMessages':
      // NULL sorts first ascending: conversations without messages lead.
      return { key: 'lma', orderBy: 'last_message_at ASC' };
  }
}

/**
 * The index is named, not guessed: without statistics the planner may sort a
 * whole channel instead of walking the index that is already in list order.
 */
function listIndex(q: ConversationListQuery): string {
  const prefix = q.channelId !== null ? 'channel' : q.inboxId !== null ? 'inbox' : 'all';
  return `conv_${prefix}_${listOrder(q.sort).key}`;
}

/**
 * A tag list with at most this many conversations is read from the tag index and sorted, instead of
 * walking the list index in order and probing every row's tags: a sparse tag (or a tag with a narrow
 * filter) would otherwise walk most of a folder to fill one page.
 */
export const TAG_DRIVEN_MAX = 2000;

/** The ids of one page, in list order. */
function pageIdsSql(q: ConversationListQuery, me: string, tagDriven: boolean): { sql: string; params: Params } {
  const { orderBy } = listOrder(q.sort);
  if (tagDriven && q.tag !== null) {
    const { where, params } = listWhere({ ...q, tag: null }, me);
    // Ties in the order the list index would give them (its trailing columns, then rowid), so a
    // page reads the same whichever way it is found.
    const dir = orderBy.endsWith('DESC') ? 'DESC' : 'ASC';
    return {
      sql: `SELECT conversations.rowid AS rid FROM conversation_tags t CROSS JOIN conversations ON conversations.id = t.conversation_id
            WHERE t.tag = @tag AND ${where}
            ORDER BY ${orderBy}, unread ${dir}, with_me ${dir}, assignee_id ${dir}, conversations.rowid ${dir} LIMIT @limit OFFSET @offset`,
      params: { ...params, tag: q.tag },
    };
  }
  const { where, params } = listWhere(q, me);
  return { sql: `SELECT rowid AS rid FROM conversations INDEXED BY ${listIndex(q)} WHERE ${where} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`, params };
}

/** The page, joined with the names it shows (primary-key lookups, 50 rows at most). */
export function listPageSql(q: ConversationListQuery, me: string, tagDriven = false): { sql: string; params: Params } {
  const { sql: ids, params } = pageIdsSql(q, me, tagDriven);
  return {
    sql: `SELECT c.id, c.inbox_id, c.channel_id, c.customer_address, c.status, c.assignee_id, c.tags, c.created_at, c.closed_at,
            c.last_message_at, c.preview, c.unread, c.archived, ch.kind AS channel_kind, ct.name AS contact_name, u.name AS assignee_name
          FROM (${ids}) AS page
          JOIN conversations c ON c.rowid = page.rid
          LEFT JOIN channels ch ON ch.id = c.channel_id
          LEFT JOIN contacts ct ON ct.id = c.contact_id
          LEFT JOIN users u ON u.id = c.assignee_id`,
    params,
  };
}

/**
 * A list's total, summed from the maintained totals (cache/list-counts.ts): a few hundred rows
 * at most, whatever the cache size, so the first page after a write costs no recount.
 */
export function listCountSql(q: ConversationListQuery, me: string): { sql: string; params: Params } {
  const { parts, params } = sharedConditions(q, me, { column: 'assignee', none: "''" });
  if (q.tag !== null) {
    params.tag = q.tag;
    return { sql: `SELECT coalesce(sum(n), 0) FROM conversation_tag_counts WHERE tag = @tag AND ${parts.join(' AND ')}`, params };
  }
  return { sql: `SELECT coalesce(sum(n), 0) FROM conversation_counts WHERE ${parts.join(' AND ')}`, params };
}

/** Conversation list pages, counts and their memoised totals (valid until the next cache write). */
export class ConversationListQueries {
  private readonly stmts = new Map<string, Database.Statement>();
  private memo = new Map<string, number>();
  private memoVersion = -1;
  constructor(private readonly cache: CacheDb) {}

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.cache.db.prepare(sql)));
    return s;
  }

  /** Totals change only when the cache does; scrolling re-asks for the same one. */
  private count(sql: string, params: Params): number {
    if (this.memoVersion !== this.cache.version) {
      this.memo = new Map();
      this.memoVersion = this.cache.version;
    }
    const key = `${sql}\n${JSON.stringify(params)}`;
    let n = this.memo.get(key);
    if (n === undefined) {
      n = this.stmt(sql).pluck().get(params) as number;
      this.memo.set(key, n);
    }
    return n;
  }

  page(q: ConversationListQuery, offset: number, limit: number): ConversationListPage {
    const me = this.cache.userId;
    const count = listCountSql(q, me);
    const total = this.count(count.sql, count.params);
    const { sql, params } = listPageSql(q, me, q.tag !== null && total <= TAG_DRIVEN_MAX);
    const rows = this.stmt(sql).all({ ...params, limit, offset }) as PageRow[];
    return { items: rows.map((r) => this.item(r)), total, offset };
  }

  counts(inboxId: string | null, channelId: string | null): ListCounts {
    const me = this.cache.userId;
    // Same SQL as the default list's total, so the list and its counts share memoised totals.
    const base = { inboxId, channelId, read: 'all', sort: 'recentMessages', tag: null } as const;
    const n = (folder: 'open' | 'closed', assignment: ConversationListQuery['assignment']): number => {
      const { sql, params } = listCountSql({ ...base, folder, assignment }, me);
      return this.count(sql, params);
    };
    const open = n('open', 'all');
    const mine = n('open', 'me');
    const unassigned = n('open', 'unassigned');
    // Every open conversation is mine, someone else's or nobody's: one walk fewer.
    return { open, closed: n('closed', 'all'), me: mine, others: open - mine - unassigned, unassigned, withMe: n('open', 'withMe') };
  }

  private item(r: PageRow): ConversationListItem {
    return {
      id: r.id,
      inboxId: r.inbox_id,
      channelId: r.channel_id,
      channelKind: r.channel_kind ?? 'sms',
      title: r.contact_name ?? formatAddress(r.customer_address),
      customerAddress: r.customer_address,
      status: r.status,
      assigneeId: r.assignee_id,
      assigneeName: r.assignee_name,
      createdAt: r.created_at,
      closedAt: r.closed_at,
      lastMessageAt: r.last_message_at,
      preview: r.preview,
      unread: r.unread === 1,
      archived: r.archived === 1,
      tags: JSON.parse(r.tags) as string[],
    };
  }
}
