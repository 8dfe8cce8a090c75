import type { ConversationTallyRow, ConversationTallyScan } from '../history-storage.ts';
import { mergeTally, tallyQueries, type TallyDialect, type TallyQuery, type TallyRowSql } from '../tally-groups.ts';
import type { Query } from './pool.ts';

const POSTGRES: TallyDialect = {
  param: (n) => `$${n}::text`,
  inList: (column, n) => `${column} = ANY($${n}::text[])`,
  listValue: (ids) => [...ids],
  count: 'count(*)::int',
};

/** history-storage.ts conversationTally on PostgreSQL (the statements: server/storage/tally-groups.ts). */
export async function conversationTally(q: Query, userId: string, scan: ConversationTallyScan): Promise<ConversationTallyRow[]> {
  const results: Array<{ role: TallyQuery['role']; rows: TallyRowSql[] }> = [];
  for (const { role, sql, params } of tallyQueries(POSTGRES, userId, scan)) results.push({ role, rows: (await q<TallyRowSql>(sql, params)).rows });
  return mergeTally(userId, scan.tag, results);
}
