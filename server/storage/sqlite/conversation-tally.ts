import type Database from 'better-sqlite3-multiple-ciphers';
import type { ConversationTallyRow, ConversationTallyScan } from '../history-storage.ts';
import { mergeTally, tallyQueries, type TallyDialect, type TallyRowSql } from '../tally-groups.ts';

const SQLITE: TallyDialect = {
  param: (n) => `@p${n}`,
  inList: (column, n) => `${column} IN (SELECT value FROM json_each(@p${n}))`,
  listValue: (ids) => JSON.stringify(ids),
  count: 'count(*)',
};

/** history-storage.ts conversationTally on SQLite (the statements: server/storage/tally-groups.ts). */
export function conversationTally(stmt: (sql: string) => Database.Statement, userId: string, scan: ConversationTallyScan): ConversationTallyRow[] {
  return mergeTally(
    userId,
    scan.tag,
    tallyQueries(SQLITE, userId, scan).map(({ role, sql, params }) => {
      const named = Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v] as const));
      return { role, rows: stmt(sql).all(named) as TallyRowSql[] };
    }),
  );
}
