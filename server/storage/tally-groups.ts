import type { ConversationTallyRow, ConversationTallyScan } from './history-storage.ts';

/**
 * The tally of history-storage.ts conversationTally, written once for both engines over the plain columns of
 * SQLite migration 16 / PostgreSQL migration 7 (never the JSON). SQL groups conversations by their raw columns
 * in the order of conversations_tally (SQLite aggregates while it walks the index, no sort; there are few
 * distinct assignee / participants / tags combinations), and the person's facts of each group are worked out
 * here. Three grouped reads: every conversation of the inboxes; the few the person archived (walked from
 * conversation_user_states_archived), moved out to archived groups; for the unread view, the conversations of
 * its status that are unread for the person (each one's newest inbound message against the read mark), moved
 * out to unread groups.
 */

/**
 * A list of strings kept in one text column so that "holds this value" is a substring test: each value
 * escaped (no newline left inside) and followed by a newline, after a leading newline. The migrations fill the
 * same text in SQL (`listColumnSql`).
 */
export function listColumn(values: readonly string[]): string {
  return `\n${values.map((v) => `${escapeItem(v)}\n`).join('')}`;
}

/** The substring a list column holds exactly when the list holds `value`. */
export function listItem(value: string): string {
  return `\n${escapeItem(value)}\n`;
}

const escapeItem = (v: string): string => v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');

/** The SQL of one value's escape (for backfills): `expr` is a text expression; both engines have replace(). */
export const escapeItemSql = (expr: string, newline: string): string => `replace(replace(${expr}, '\\', '\\\\'), ${newline}, '\\n')`;

/** What differs between the engines in these statements. */
export interface TallyDialect {
  /** A text parameter (1-based). */
  param(n: number): string;
  /** `column IN` the list of ids passed as parameter n. */
  inList(column: string, n: number): string;
  /** The value of a list parameter. */
  listValue(ids: readonly string[]): unknown;
  /** count(*) as a number the driver reads back as one. */
  count: string;
}

export interface TallyQuery {
  /** How its groups add into the tally: counted, or moved from the plain groups to archived or unread ones. */
  role: 'all' | 'archived' | 'unread';
  sql: string;
  params: unknown[];
}

/** A group as SQL reads it: conversations with equal tally columns. */
export type TallyRowSql = {
  inboxId: string;
  channelId: string;
  status: 'open' | 'closed';
  listed: number;
  assigneeId: string | null;
  participantIds: string;
  tagList: string;
  n: number | string;
};

const GROUP = `c.inbox_id AS "inboxId", c.status AS status, c.channel_id AS "channelId", c.listed AS listed,
  c.assignee_id AS "assigneeId", c.participant_ids AS "participantIds", c.tag_list AS "tagList"`;

/** The statements of one tally scan; `mergeTally` adds their groups up. */
export function tallyQueries(d: TallyDialect, userId: string, scan: ConversationTallyScan): TallyQuery[] {
  if (scan.inboxIds.length === 0) return [];
  const p = (n: number): string => d.param(n);
  // 1 inboxes, 2 channel or null; 3 me (archived and unread), 4 the unread view's status (unread)
  const params: unknown[] = [d.listValue(scan.inboxIds), scan.channelId];
  const where = `${d.inList('c.inbox_id', 1)} AND (${p(2)} IS NULL OR c.channel_id = ${p(2)})`;
  const grouped = (from: string, filter: string): string => `SELECT ${GROUP}, ${d.count} AS n FROM ${from} WHERE ${filter} GROUP BY 1, 2, 3, 4, 5, 6, 7`;
  const queries: TallyQuery[] = [
    { role: 'all', sql: grouped('conversations c', where), params },
    // CROSS JOIN: SQLite walks the person's archived states first (PostgreSQL plans it as any inner join).
    {
      role: 'archived',
      sql: grouped('conversation_user_states s CROSS JOIN conversations c', `s.user_id = ${p(3)} AND s.archived = 1 AND c.id = s.conversation_id AND ${where}`),
      params: [...params, userId],
    },
  ];
  if (scan.unread !== null) {
    const newestInbound = `(SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in')`;
    queries.push({
      role: 'unread',
      sql: grouped(
        `conversations c LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = ${p(3)}`,
        `${where} AND c.status = ${p(4)} AND coalesce(s.archived, 0) = 0 AND ${newestInbound} > coalesce(s.read_at, -1)`,
      ),
      params: [...params, userId, scan.unread],
    });
  }
  return queries;
}

/** The groups of a tally, for `userId` and the scan's tag, from each statement's rows. */
export function mergeTally(userId: string, tag: string | null, results: ReadonlyArray<{ role: TallyQuery['role']; rows: readonly TallyRowSql[] }>): ConversationTallyRow[] {
  const me = listItem(userId);
  const tagItem = tag === null ? null : listItem(tag);
  const groups = new Map<string, ConversationTallyRow>();
  const add = (r: TallyRowSql, archived: boolean, unread: boolean, n: number): void => {
    const facts: Omit<ConversationTallyRow, 'n'> = {
      inboxId: r.inboxId,
      channelId: r.channelId,
      status: r.status,
      assignee: r.assigneeId === null ? 'none' : r.assigneeId === userId ? 'me' : 'other',
      archived,
      unread,
      withMe: r.participantIds.includes(me),
      tagged: tagItem === null || r.tagList.includes(tagItem),
      listed: Number(r.listed) !== 0,
    };
    const key = JSON.stringify(facts);
    const group = groups.get(key);
    if (group) group.n += n;
    else groups.set(key, { ...facts, n });
  };
  for (const { role, rows } of results) {
    for (const r of rows) {
      const n = Number(r.n);
      if (role === 'all') add(r, false, false, n);
      else {
        add(r, false, false, -n);
        add(r, role === 'archived', role === 'unread', n);
      }
    }
  }
  return [...groups.values()].filter((g) => g.n !== 0);
}
