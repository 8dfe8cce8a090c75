import { fc } from '@fast-check/vitest';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTotals } from '../../../server/domain/history-lists.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { tempDir } from '../support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { user } from './contract-fixtures.ts';
import { buildWorkspace, expectedTotals, putPeople, putWorkspace, USERS, viewOf, workspaceSpec } from './tally-workspace.ts';

/**
 * The view totals from the tally columns (server/storage/tally-groups.ts over migration 16 / 7) equal the
 * totals worked out from the records' JSON one conversation at a time, for generated workspaces (with
 * conversations and states overwritten, so the columns follow every put) and views, on both engines.
 */
function tallyProperty(name: string, open: () => Promise<Storage>, cleanup: () => Promise<void>, numRuns: number): void {
  describe(`view totals from the tally columns (${name})`, () => {
    let storage: Storage;
    let run = 0;
    beforeAll(async () => {
      storage = await open();
      await storage.transaction(putPeople);
    });
    afterAll(async () => {
      await storage?.close();
      await cleanup();
    });

    it('equal the totals counted from the records, for any workspace, person and view', async () => {
      await fc.assert(
        fc.asyncProperty(
          workspaceSpec.chain((spec) => {
            const ws = buildWorkspace(`w${name}${run++}`, spec);
            return fc.tuple(fc.constant(ws), fc.array(fc.tuple(fc.constantFrom(...USERS), viewOf(ws)), { minLength: 1, maxLength: 6 }));
          }),
          async ([ws, views]) => {
            await storage.transaction((tx) => putWorkspace(tx, ws));
            for (const [me, q] of views) {
              const reader = { user: user(me), inboxIds: new Set(ws.inboxIds), chatIds: new Set<string>() };
              const totals = await storage.transaction((tx) => listTotals(tx, reader, q), { kind: 'read' });
              expect(totals, JSON.stringify({ me, q })).toEqual(expectedTotals(ws, me, q));
            }
          },
        ),
        { numRuns },
      );
    });
  });
}

const dir = tempDir('switchboard-tally-');
tallyProperty('sqlite', async () => openSqliteStorage({ file: join(dir.path, 'tally.sqlite') }), async () => dir.remove(), 100);

let db: TestDatabase | null = null;
tallyProperty(
  'postgres',
  async () => {
    db = await createTestDatabase();
    return openPostgresStorage({ url: db.url, schema: uniqueSchema(), poolSize: 2 });
  },
  async () => db?.drop(),
  30,
);
