import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../server/storage/postgres/migrations.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import pg from 'pg';
import { describeStorageContract } from './storage-contract.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

// Each test gets its own schema in this file's database.
describeStorageContract('postgres', () => openPostgresStorage({ url: db.url, schema: uniqueSchema(), poolSize: 4 }));

describe('postgres storage', () => {
  const withAdmin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  it('migrates a schema once when two instances start at the same moment, and reopens without re-running', async () => {
    const schema = uniqueSchema();
    const logs: string[] = [];
    const open = () => openPostgresStorage({ url: db.url, schema, poolSize: 2, log: (l) => logs.push(l) });
    const stores = await Promise.all([open(), open(), open()]);
    const again = await open();
    try {
      expect(logs.filter((l) => l.includes('version 1'))).toHaveLength(1);
      const versions = await withAdmin((c) => c.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`));
      expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      await stores[0]!.transaction((tx) => tx.putOrg({ id: 'org_1', name: 'Org' }));
      expect(await again.transaction((tx) => tx.getOrg('org_1'), { kind: 'read' })).toEqual({ id: 'org_1', name: 'Org' });
      const tables = await withAdmin((c) => c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'changes'", [schema]));
      expect(tables.rows[0].n).toBe(1);
    } finally {
      await Promise.all([...stores, again].map((s) => s.close()));
    }
  });

  it('refuses a schema written by a newer server', async () => {
    const schema = uniqueSchema();
    await (await openPostgresStorage({ url: db.url, schema })).close();
    await withAdmin((c) => c.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [MIGRATIONS.length + 1]));
    await expect(openPostgresStorage({ url: db.url, schema })).rejects.toThrow(/newer than this server/);
  });

  it('rejects with a clear error when the database is unreachable, and refuses a schema name it would have to quote', async () => {
    await expect(openPostgresStorage({ url: 'postgres://postgres@127.0.0.1:1/none' })).rejects.toThrow(/ECONNREFUSED|connect/);
    await expect(openPostgresStorage({ url: db.url, schema: 'Bad; DROP' })).rejects.toThrow(/schema/);
  });

  it('refuses writes in a read transaction, and stores times and seqs as bigint read back as numbers', async () => {
    const schema = uniqueSchema();
    const s: Storage = await openPostgresStorage({ url: db.url, schema, poolSize: 2 });
    try {
      await expect(s.transaction((tx) => tx.setMeta('k', 'v'), { kind: 'read' })).rejects.toThrow(/read-only/);
      const big = 2 ** 52;
      await s.transaction((tx) => tx.addServerSecret('s', 'v', big));
      const row = await withAdmin((c) => c.query(`SELECT pg_typeof(created_at)::text AS t FROM ${schema}.server_secrets`));
      expect(row.rows[0].t).toBe('bigint');
      await s.transaction(async (tx) => {
        await tx.putOrg({ id: 'org_1', name: 'Org' });
        await tx.put('user', { id: 'u', orgId: 'org_1', name: 'U', email: 'u@x.test', role: 'agent', status: 'active', avatarColor: '#000' });
        await tx.insertSession({ id: 's', userId: 'u', tokenHash: 'h', createdAt: big, lastUsedAt: big + 1, revokedAt: null });
      });
      expect(await s.transaction((tx) => tx.findSessionByTokenHash('h'))).toMatchObject({ createdAt: big, lastUsedAt: big + 1 });
    } finally {
      await s.close();
    }
  });

  it('runs the callback again when it lost a race, and the retry sees the winner’s write', async () => {
    const s = await openPostgresStorage({ url: db.url, schema: uniqueSchema(), poolSize: 4 });
    try {
      await s.transaction((tx) => tx.setMeta('counter', '0'));
      let readBoth!: () => void;
      const bothRead = new Promise<void>((resolve) => (readBoth = resolve));
      let reads = 0;
      const runs: string[][] = [[], []];
      const bump = (i: number) =>
        s.transaction(async (tx) => {
          const n = await tx.getMeta('counter');
          runs[i]!.push(n!);
          if (++reads === 2) readBoth();
          await bothRead; // both have read 0 before either writes: one must lose
          await tx.setMeta('counter', String(Number(n) + 1));
        });
      await Promise.all([bump(0), bump(1)]);
      expect(await s.transaction((tx) => tx.getMeta('counter'))).toBe('2');
      expect(runs.map((r) => r.length).sort()).toEqual([1, 2]);
      expect(runs.find((r) => r.length === 2)).toEqual(['0', '1']);
    } finally {
      await s.close();
    }
  });

  it('does not commit a transaction whose callback swallowed a failed statement', async () => {
    const s = await openPostgresStorage({ url: db.url, schema: uniqueSchema(), poolSize: 2 });
    try {
      await expect(
        s.transaction(async (tx) => {
          await tx.setMeta('k', 'v');
          await tx.put('channel', { id: 'c', inboxId: 'missing', kind: 'sms', name: 'c', address: '+14155550100', registration: null }).catch(() => {});
        }),
      ).rejects.toThrow(/rolled back/);
      expect(await s.transaction((tx) => tx.getMeta('k'))).toBeNull();
    } finally {
      await s.close();
    }
  });
});
