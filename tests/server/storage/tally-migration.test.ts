import { fc } from '@fast-check/vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import type { ConversationListQuery } from '../../../protocol/ipc-views.ts';
import { listTotals } from '../../../server/domain/history-lists.ts';
import { MIGRATIONS as PG_MIGRATIONS } from '../../../server/storage/postgres/migrations.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { ENTITY_TABLES, type EntityTable } from '../../../server/storage/sqlite/entity-tables.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../../server/storage/sqlite/migrations.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { tempDir } from '../support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { user } from './contract-fixtures.ts';
import { buildWorkspace, expectedTotals, USERS, viewOf, workspaceSpec, type Workspace } from './tally-workspace.ts';

/**
 * SQLite migration 16 / PostgreSQL migration 7 on a database written by the previous version (its tables as
 * they were, rows put the way that version put them): afterwards the tally columns hold what the pickers
 * write, and the totals equal those counted from the records.
 */

type Row = { kind: EntityKind; record: { id: string } };
const NEW_COLUMNS: Partial<Record<EntityKind, string[]>> = {
  conversation: ['assignee_id', 'listed', 'participant_ids', 'tag_list'],
  conversationUserState: ['archived', 'read_at'],
  contact: ['search_text'],
};

function rowsOf(ws: Workspace): Row[] {
  return [
    ...USERS.map((u) => ({ kind: 'user' as const, record: user(u) })),
    ...ws.inboxIds.map((id) => ({ kind: 'inbox' as const, record: { id, orgId: 'org_1', name: id, kind: 'shared', assignmentMode: true } })),
    ...ws.channelIds.map((id) => ({
      kind: 'channel' as const,
      record: { id, inboxId: id.replace(/_c\d$/, ''), kind: 'sms', name: id, address: '+14155550100', registration: 'approved' },
    })),
    ...ws.contacts.map((record) => ({ kind: 'contact' as const, record })),
    ...ws.puts,
  ];
}

/** An upsert of the columns the old table has (the pickers' values, JSON in `data`); `param` numbers a value. */
function oldPut(kind: EntityKind, present: ReadonlySet<string>, param: (i: number) => string): { sql: string; values: (r: { id: string }) => unknown[] } {
  const t = ENTITY_TABLES[kind] as EntityTable<EntityKind>;
  const cols = Object.entries(t.columns).filter(([c]) => present.has(c));
  const derived = Object.entries(t.fromConversation ?? {});
  const names = ['id', ...cols.map(([c]) => c), 'data', ...derived.map(([c]) => c)];
  const conversationParam = param(cols.findIndex(([c]) => c === 'conversation_id') + 2);
  const values = [...names.slice(0, cols.length + 2).map((_, i) => param(i + 1)), ...derived.map(([, e]) => `(SELECT ${e} FROM conversations WHERE id = ${conversationParam})`)];
  return {
    sql: `INSERT INTO ${t.table} (${names.join(', ')}) VALUES (${values.join(', ')}) ON CONFLICT (id) DO UPDATE SET ${names.slice(1).map((n) => `${n} = excluded.${n}`).join(', ')}`,
    values: (r) => [r.id, ...cols.map(([, pick]) => pick(r as EntityOf<EntityKind>)), JSON.stringify(r)],
  };
}

/** What the pickers write into the new columns, as the engine reads it back. */
const pickedColumns = (kind: EntityKind, record: { id: string }): Record<string, unknown> =>
  Object.fromEntries((NEW_COLUMNS[kind] ?? []).map((c) => [c, (ENTITY_TABLES[kind] as EntityTable<EntityKind>).columns[c]!(record as EntityOf<EntityKind>)]));

async function expectMigrated(
  storage: Storage,
  ws: Workspace,
  views: Array<[string, ConversationListQuery]>,
  columnsOf: (kind: EntityKind, id: string) => Promise<Record<string, unknown>>,
): Promise<void> {
  const finals = new Map(rowsOf(ws).map((r) => [`${r.kind}:${r.record.id}`, r] as const));
  for (const { kind, record } of finals.values()) {
    if (NEW_COLUMNS[kind]) expect(await columnsOf(kind, record.id), `${kind} ${record.id}`).toEqual(pickedColumns(kind, record));
  }
  for (const [me, q] of views) {
    const reader = { user: user(me), inboxIds: new Set(ws.inboxIds), chatIds: new Set<string>() };
    expect(await storage.transaction((tx) => listTotals(tx, reader, q), { kind: 'read' }), JSON.stringify({ me, q })).toEqual(expectedTotals(ws, me, q));
  }
}

const scenario = workspaceSpec.chain((spec) => {
  const ws = buildWorkspace('m', spec);
  return fc.tuple(fc.constant(ws), fc.array(fc.tuple(fc.constantFrom(...USERS), viewOf(ws)), { minLength: 1, maxLength: 6 }));
});

describe('tally columns migration (SQLite 15 → 16)', () => {
  const dir = tempDir('switchboard-tally-migration-');
  afterAll(() => dir.remove());
  let n = 0;

  it('fills the columns from the JSON and gives the totals counted from the records', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ([ws, views]) => {
        const file = join(dir.path, `v15-${n++}.sqlite`);
        const old = new Database(file);
        for (const [i, sql] of SQLITE_MIGRATIONS.slice(0, 15).entries()) old.transaction(() => (old.exec(sql), old.pragma(`user_version = ${i + 1}`)))();
        old.prepare("INSERT INTO orgs (id, name) VALUES ('org_1', 'Org')").run();
        for (const { kind, record } of rowsOf(ws)) {
          const present = new Set((old.prepare(`PRAGMA table_info(${ENTITY_TABLES[kind].table})`).all() as Array<{ name: string }>).map((c) => c.name));
          const put = oldPut(kind, present, (i) => `?${i}`);
          // better-sqlite3 binds ?1, ?2 … by number as an object's keys
          old.prepare(put.sql).run(Object.fromEntries(put.values(record).map((v, i) => [i + 1, v])));
        }
        old.close();
        const storage = openSqliteStorage({ file });
        const raw = new Database(file, { readonly: true });
        try {
          expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
          await expectMigrated(storage, ws, views, async (kind, id) =>
            raw.prepare(`SELECT ${NEW_COLUMNS[kind]!.join(', ')} FROM ${ENTITY_TABLES[kind].table} WHERE id = ?`).get(id) as Record<string, unknown>,
          );
        } finally {
          raw.close();
          await storage.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('tally columns migration (PostgreSQL 6 → 7)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('fills the columns from the JSON and gives the totals counted from the records', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ([ws, views]) => {
        const schema = uniqueSchema();
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
          await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
          for (const [i, sql] of PG_MIGRATIONS.slice(0, 6).entries()) {
            await client.query(sql);
            await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
          }
          await client.query("INSERT INTO orgs (id, name) VALUES ('org_1', 'Org')");
          for (const { kind, record } of rowsOf(ws)) {
            const table = ENTITY_TABLES[kind].table;
            const cols = await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, table]);
            const put = oldPut(kind, new Set(cols.rows.map((c) => c.column_name)), (i) => `$${i}`);
            await client.query(put.sql, put.values(record));
          }
          const storage = await openPostgresStorage({ url: db.url, schema, poolSize: 2 });
          try {
            expect((await client.query('SELECT max(version) AS v FROM schema_migrations')).rows[0].v).toBe(PG_MIGRATIONS.length);
            await expectMigrated(storage, ws, views, async (kind, id) => {
              const { rows } = await client.query(`SELECT ${NEW_COLUMNS[kind]!.join(', ')} FROM ${ENTITY_TABLES[kind].table} WHERE id = $1`, [id]);
              // bigint columns come back as text
              return Object.fromEntries(Object.entries(rows[0] as Record<string, unknown>).map(([k, v]) => [k, k === 'read_at' && v !== null ? Number(v) : v]));
            });
          } finally {
            await storage.close();
          }
        } finally {
          await client.end();
        }
      }),
      { numRuns: 5 },
    );
  });
});
