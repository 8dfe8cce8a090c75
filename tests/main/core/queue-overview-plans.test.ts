import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_OVERVIEW_SQL } from '../../../main/core/queries/queue-overview.ts';
import { harness, type Harness } from './fixtures.ts';

/**
 * Every statement of queues.overview reaches conversations through an index (migrations 11 and 13), never by
 * reading the whole table: at 100,000 conversations a scan is what would make the view lag (npm run bench).
 */
let h: Harness;
beforeAll(() => {
  h = harness();
  const ins = h.cache.db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status,
    assignee_id, tags, created_at, closed_at, last_message_at, preview, participant_ids, waiting_since, first_queued_at, first_response_at,
    assigned_at, offer_user_id)
    VALUES (?, 'inbox:q', ?, 'ch', NULL, '+14155550123', ?, ?, '[]', ?, ?, NULL, '', '[]', ?, ?, ?, ?, ?)`);
  h.cache.db.transaction(() => {
    for (let i = 0; i < 5000; i++) {
      const closed = i % 10 !== 0;
      const assignee = closed || i % 20 === 0 ? `u${i % 7}` : null;
      ins.run(`c${i}`, `q${i % 3}`, closed ? 'closed' : 'open', assignee, i, closed ? i + 5 : null, !closed && !assignee ? i : null, i,
        i % 4 === 0 ? null : i + 2, assignee ? i + 1 : null, !closed && !assignee && i % 30 === 0 ? 'u1' : null);
    }
  })();
  h.cache.db.exec('ANALYZE');
});
afterAll(() => h.cleanup());

const plan = (sql: string): string => {
  const statement = h.cache.db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = sql.includes('@')
    ? statement.all({ inboxId: 'q1', dayStart: 0, target: 0, now: 0 })
    : statement.all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, (_, i) => (i === 0 ? 'q1' : 0)));
  return (rows as { detail: string }[]).map((r) => r.detail).join('\n');
};

describe('queues.overview query plans at 5,000 conversations', () => {
  for (const [name, sql] of Object.entries(QUEUE_OVERVIEW_SQL)) {
    it(`${name} reads conversations through an index`, () => {
      const p = plan(sql);
      // Inboxes, members and queue agents are a few hundred rows at most: only conversations must never be scanned.
      if (!/conversations/.test(sql)) return;
      expect(p).toMatch(/(SEARCH|SCAN) (c|conversations) USING (COVERING )?INDEX/);
      expect(p).not.toMatch(/^SCAN (c|conversations)$/m);
    });
  }
});
