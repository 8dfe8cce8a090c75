import Database from 'better-sqlite3-multiple-ciphers';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { HISTORY_PATHS } from '../../protocol/history.ts';
import type { ConversationListQuery } from '../../protocol/ipc-views.ts';
import { listQuery } from '../support/list-query-arbitrary.ts';
import { percentile } from './percentiles.ts';

/**
 * View totals for server-window.ts: the tally over HTTP as the client asks for it, and the baseline, the tally
 * this server ran before SQLite migration 16 / PostgreSQL migration 7 (its SQL as it was, filtering and grouping
 * by JSON expressions), on the same database.
 */

const ROUNDS = Number(process.env.BENCH_TOTALS ?? 20);
/** The JSON tally reads every conversation's JSON: a few rounds are enough to see it. */
const JSON_ROUNDS = 3;

const view = listQuery;
/** The sign-in views (everything open, mine, closed), a tag, and the unread view (it reads each conversation's newest inbound message). */
export const TALLY_VIEWS: ConversationListQuery[] = [
  view({}),
  view({ assignment: 'me' }),
  view({ folder: 'closed' }),
  view({ tag: 'order' }),
  view({ read: 'unread' }),
];

export interface Timing {
  p50: number;
  p99: number;
}

const timing = (times: number[]): Timing => {
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
};

async function split(rounds: number, run: (q: ConversationListQuery) => Promise<void>): Promise<{ read: Timing; unread: Timing }> {
  const read: number[] = [];
  const unread: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const q of TALLY_VIEWS) {
      const start = performance.now();
      await run(q);
      (q.read === 'unread' ? unread : read).push(performance.now() - start);
    }
  }
  return { read: timing(read), unread: timing(unread) };
}

export function tallyTimes(url: string, token: string): Promise<{ read: Timing; unread: Timing }> {
  return split(ROUNDS, async (query) => {
    const res = await fetch(`${url}${HISTORY_PATHS.totals}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    if (!res.ok) throw new Error(`totals answered ${res.status}`);
    await res.json();
  });
}

const SQLITE_JSON_TALLY = (unread: boolean): string => `SELECT c.inbox_id AS inboxId, c.channel_id AS channelId, c.status AS status,
   CASE WHEN json_extract(c.data, '$.assigneeId') IS NULL THEN 'none' WHEN json_extract(c.data, '$.assigneeId') = @me THEN 'me' ELSE 'other' END AS assignee,
   coalesce(json_extract(s.data, '$.archived'), 0) AS archived,
   ${unread ? `coalesce((SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') > coalesce(json_extract(s.data, '$.readAt'), -1), 0)` : '0'} AS unread,
   EXISTS (SELECT 1 FROM json_each(c.data, '$.participantIds') WHERE value = @me) AS withMe,
   (@tag IS NULL OR EXISTS (SELECT 1 FROM json_each(c.data, '$.tags') WHERE value = @tag)) AS tagged,
   coalesce(json_extract(c.data, '$.previousOfChannelId'), '') = '' AS listed,
   count(*) AS n
 FROM conversations c
 LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = @me
 WHERE c.inbox_id IN (SELECT value FROM json_each(@inboxIds))
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;

export async function jsonTallySqlite(file: string, email: string): Promise<{ read: Timing; unread: Timing }> {
  const db = new Database(file, { readonly: true });
  try {
    const me = db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(email) as string;
    const inboxIds = JSON.stringify((db.prepare('SELECT inbox_id FROM inbox_members WHERE user_id = ? ORDER BY inbox_id').pluck().all(me) as string[]));
    return await split(JSON_ROUNDS, async (q) => void db.prepare(SQLITE_JSON_TALLY(q.read === 'unread')).all({ me, tag: q.tag, inboxIds }));
  } finally {
    db.close();
  }
}

const POSTGRES_JSON_TALLY = (unread: boolean): string => `SELECT c.inbox_id AS "inboxId", c.channel_id AS "channelId", c.status AS status,
   CASE WHEN c.data->>'assigneeId' IS NULL THEN 'none' WHEN c.data->>'assigneeId' = $1 THEN 'me' ELSE 'other' END AS assignee,
   coalesce((s.data->>'archived')::boolean, false) AS archived,
   ${unread ? `coalesce((SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') > coalesce((s.data->>'readAt')::bigint, -1), false)` : 'false'} AS unread,
   coalesce(c.data->'participantIds' ? $1, false) AS "withMe",
   ($3::text IS NULL OR coalesce(c.data->'tags' ? $3::text, false)) AS tagged,
   coalesce(c.data->>'previousOfChannelId', '') = '' AS listed,
   count(*)::int AS n
 FROM conversations c
 LEFT JOIN conversation_user_states s ON s.conversation_id = c.id AND s.user_id = $1
 WHERE c.inbox_id = ANY($2::text[])
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;

export async function jsonTallyPostgres(url: string, schema: string, email: string): Promise<{ read: Timing; unread: Timing }> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const me = (await client.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email])).rows[0]!.id;
    const inboxIds = (await client.query<{ id: string }>('SELECT inbox_id AS id FROM inbox_members WHERE user_id = $1 ORDER BY 1', [me])).rows.map((r) => r.id);
    return await split(JSON_ROUNDS, async (q) => void (await client.query(POSTGRES_JSON_TALLY(q.read === 'unread'), [me, inboxIds, q.tag])));
  } finally {
    await client.end();
  }
}
