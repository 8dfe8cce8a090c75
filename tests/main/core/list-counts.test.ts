import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignmentFilter, ListFolder, ListSort, ReadFilter, type ConversationListQuery } from '../../../protocol/ipc.ts';
import { listCountSql, listPageSql, listWhere } from '../../../main/core/queries/conversation-list.ts';
import { harness, ME, type Harness } from './fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.cleanup());

/** The total the slow way: count(*) over conversations with the list's own WHERE. */
function bruteCount(q: ConversationListQuery): number {
  const { where, params } = listWhere(q, ME);
  return h.cache.db.prepare(`SELECT count(*) FROM conversations WHERE ${where}`).pluck().get(params) as number;
}

function allQueries(): ConversationListQuery[] {
  const out: ConversationListQuery[] = [];
  for (const folder of ListFolder.options)
    for (const assignment of AssignmentFilter.options)
      for (const read of ReadFilter.options)
        for (const place of [{}, { inboxId: 'i1' }, { channelId: 'ch2' }])
          for (const tag of [null, 'vip', 'late'])
            out.push({ inboxId: null, channelId: null, folder, assignment, read, sort: 'recentMessages', tag, ...place });
  return out;
}

describe('maintained list totals', () => {
  it('match a full recount after every kind of write (insert, update, upsert, tags, deletes)', () => {
    const db = h.cache.db;
    const r = seededRandom(7);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const ins = db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status,
      assignee_id, tags, created_at, closed_at, last_message_at, preview, participant_ids, with_me, read_at, archived, last_inbound_at, unread)
      VALUES (@id, 'inbox:i', @inbox, @channel, NULL, '+14155550123', @status, @assignee, '[]', 1, NULL, NULL, '', '[]', @withMe, NULL, @archived, NULL, @unread)
      ON CONFLICT(id) DO UPDATE SET status = excluded.status, assignee_id = excluded.assignee_id, with_me = excluded.with_me,
        archived = excluded.archived, unread = excluded.unread, channel_id = excluded.channel_id, inbox_id = excluded.inbox_id`);
    const row = () => {
      const channel = pick(['ch1', 'ch2', 'ch3', 'ch4']);
      return {
        id: `c${Math.floor(r() * 300)}`,
        inbox: channel <= 'ch2' ? 'i1' : 'i2',
        channel,
        status: pick(['open', 'closed']),
        assignee: pick([null, ME, 'u2', 'u3']),
        withMe: pick([0, 1]),
        archived: pick([0, 0, 1]),
        unread: pick([0, 1]),
      };
    };
    const check = (): void => {
      for (const q of allQueries()) {
        const { sql, params } = listCountSql(q, ME);
        expect(db.prepare(sql).pluck().get(params), JSON.stringify(q)).toBe(bruteCount(q));
      }
    };
    for (let round = 0; round < 6; round++) {
      db.transaction(() => {
        for (let i = 0; i < 400; i++) {
          const op = r();
          if (op < 0.45) ins.run(row());
          else if (op < 0.6) db.prepare('UPDATE conversations SET unread = 1 - unread, archived = ? WHERE id = ?').run(pick([0, 1]), `c${Math.floor(r() * 300)}`);
          else if (op < 0.75) db.prepare('INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) VALUES (?, ?)').run(`c${Math.floor(r() * 320)}`, pick(['vip', 'late']));
          else if (op < 0.85) db.prepare('DELETE FROM conversation_tags WHERE conversation_id = ? AND tag = ?').run(`c${Math.floor(r() * 300)}`, pick(['vip', 'late']));
          else if (op < 0.95) db.prepare('DELETE FROM conversations WHERE id = ?').run(`c${Math.floor(r() * 300)}`);
          else db.prepare("UPDATE conversations SET status = 'closed', assignee_id = NULL WHERE channel_id = ?").run(pick(['ch1', 'ch3']));
        }
      })();
      check();
    }
    expect(bruteCount({ inboxId: null, channelId: null, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null })).toBeGreaterThan(0);
  });

  it('reads a tag list in the same order from the tag index as from the list index (ties included)', () => {
    const db = h.cache.db;
    let compared = 0;
    for (const q of allQueries().filter((x) => x.tag !== null)) {
      for (const sort of ListSort.options) {
        const query = { ...q, sort };
        const ids = (tagDriven: boolean): string[] => {
          const { sql, params } = listPageSql(query, ME, tagDriven);
          return (db.prepare(sql).all({ ...params, limit: 500, offset: 0 }) as { id: string }[]).map((r) => r.id);
        };
        const walked = ids(false);
        expect(ids(true), JSON.stringify(query)).toEqual(walked);
        compared += walked.length;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
