import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignmentFilter, ListFolder, ListSort, ReadFilter, type ConversationListQuery } from '../../../protocol/ipc.ts';
import { listCountSql, listPageSql } from '../../../main/core/queries/conversation-list.ts';
import { harness, ME, type Harness } from './fixtures.ts';

let h: Harness;
beforeAll(() => {
  h = harness();
  const ins = h.cache.db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status,
    assignee_id, tags, created_at, closed_at, last_message_at, preview, participant_ids, with_me, read_at, archived, last_inbound_at)
    VALUES (?, 'inbox:i', ?, ?, NULL, '+14155550123', ?, ?, '[]', ?, ?, ?, '', '[]', ?, ?, ?, ?)`);
  h.cache.db.transaction(() => {
    for (let i = 0; i < 5000; i++) {
      const closed = i % 3 === 0;
      ins.run(`c${i}`, `i${i % 4}`, `ch${i % 12}`, closed ? 'closed' : 'open', i % 5 === 0 ? null : `u${i % 7}`, i, closed ? i + 5 : null,
        i % 10 === 0 ? null : i + 3, i % 9 === 0 ? 1 : 0, i % 4 === 0 ? i : null, i % 20 === 0 ? 1 : 0, i + 3);
    }
  })();
  h.cache.db.exec('ANALYZE');
});
afterAll(() => h.cleanup());

const plan = (sql: string, params: Record<string, unknown>): string =>
  (h.cache.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');

describe('list query plans at 5,000 conversations', () => {
  const cases: ConversationListQuery[] = [];
  for (const folder of ListFolder.options)
    for (const assignment of AssignmentFilter.options)
      for (const read of ReadFilter.options)
        for (const sort of ListSort.options)
          for (const where of ['none', 'inbox', 'channel'])
            cases.push({ inboxId: where === 'inbox' ? 'i1' : null, channelId: where === 'channel' ? 'ch1' : null, folder, assignment, read, sort, tag: null });

  it(`covers all ${cases.length} combinations without a full table scan or a sort`, () => {
    expect(cases).toHaveLength(360);
    for (const q of cases) {
      const page = listPageSql(q, ME);
      const pagePlan = plan(page.sql, { ...page.params, limit: 50, offset: 0 });
      const count = listCountSql(q, ME);
      const countPlan = plan(count.sql, count.params);
      const label = JSON.stringify(q);
      expect(pagePlan, label).not.toMatch(/SCAN conversations(?! USING)/);
      expect(pagePlan, label).toMatch(/SEARCH conversations USING (COVERING )?INDEX conv_/);
      // The index already yields list order: no temp b-tree sorting a whole folder.
      expect(pagePlan, label).not.toMatch(/TEMP B-TREE/);
      // Totals come from the maintained counts table, never from a walk over conversations.
      expect(countPlan, label).toMatch(/SEARCH conversation_counts USING PRIMARY KEY/);
      expect(countPlan, label).not.toMatch(/conversations/);
    }
  });

  it('counts a tag list from the maintained tag totals', () => {
    const q: ConversationListQuery = { inboxId: null, channelId: null, folder: 'open', assignment: 'me', read: 'unread', sort: 'recentMessages', tag: 'vip' };
    const count = listCountSql(q, ME);
    const p = plan(count.sql, count.params);
    expect(p).toMatch(/SEARCH conversation_tag_counts USING PRIMARY KEY/);
    expect(p).not.toMatch(/SCAN conversations/);
    const page = listPageSql(q, ME);
    const walked = plan(page.sql, { ...page.params, limit: 50, offset: 0 });
    expect(walked).not.toMatch(/SCAN conversations(?! USING)/);
    expect(walked).toMatch(/SEARCH t USING PRIMARY KEY \(conversation_id=\? AND tag=\?\)/);
    // A small tag list is read from the tag index instead, sorting only its own rows.
    const driven = listPageSql(q, ME, true);
    const drivenPlan = plan(driven.sql, { ...driven.params, limit: 50, offset: 0 });
    expect(drivenPlan).toMatch(/SEARCH t USING (COVERING )?INDEX conversation_tags_tag \(tag=\?\)/);
    expect(drivenPlan).not.toMatch(/SCAN conversations/);
  });
});
