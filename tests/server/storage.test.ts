import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/storage/sqlite/migrations.ts';
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../server/storage/storage.ts';
import { tempDir } from './support/fixtures.ts';

const dirs: Array<{ remove(): void }> = [];
const stores: Storage[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) d.remove();
});

function open(): { storage: Storage; file: string } {
  const dir = tempDir();
  dirs.push(dir);
  const file = join(dir.path, 'store.sqlite');
  const storage = openSqliteStorage({ file });
  stores.push(storage);
  return { storage, file };
}

async function seedOrgAndInbox(storage: Storage): Promise<void> {
  await storage.transaction(async (tx) => {
    await tx.putOrg({ id: 'org_1', name: 'Org' });
    await tx.put('inbox', { id: 'inbox_1', orgId: 'org_1', name: 'Sales', kind: 'shared', assignmentMode: true });
  });
}

describe('sqlite storage', () => {
  it('migrates a new file to the latest version with WAL and foreign keys, and reopens without re-running', async () => {
    const { storage, file } = open();
    await seedOrgAndInbox(storage);
    await storage.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const again = openSqliteStorage({ file });
    stores.push(again);
    expect((await again.transaction(async (tx) => await tx.get('inbox', 'inbox_1')))?.name).toBe('Sales');
    await expect(
      again.transaction(async (tx) => await tx.put('channel', { id: 'c', inboxId: 'missing', kind: 'sms', name: 'x', address: '+14155550100', registration: 'approved' })),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  it('upgrades sessions from before expiry: last-used starts at the upgrade, created_at is kept', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'old.sqlite');
    const db = new Database(file);
    const previous = MIGRATIONS.findIndex((sql) => sql.includes('ADD COLUMN last_used_at')); // the version before it
    for (const sql of MIGRATIONS.slice(0, previous)) db.exec(sql);
    db.pragma(`user_version = ${previous}`);
    db.exec(`INSERT INTO orgs VALUES ('org_1', 'Org'); INSERT INTO users VALUES ('u1', 'org_1', 'a@x.test', '{}');
             INSERT INTO sessions (id, user_id, token_hash, created_at, revoked_at) VALUES ('s1', 'u1', 'h', 1000, NULL);`);
    db.close();
    const before = Date.now();
    const storage = openSqliteStorage({ file });
    stores.push(storage);
    const session = await storage.transaction(async (tx) => await tx.findSessionByTokenHash('h'));
    expect(session?.createdAt).toBe(1000);
    expect(session?.lastUsedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(session?.lastUsedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses a database written by a newer server', async () => {
    const { storage, file } = open();
    await storage.close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStorage({ file })).toThrow(/newer than this server/);
  });

  it('rolls back records and change entries together when the callback throws', async () => {
    const { storage } = open();
    await seedOrgAndInbox(storage);
    const head = await storage.transaction(async (tx) => await tx.head());
    await expect(
      storage.transaction(async (tx) => {
        await tx.put('inbox', { id: 'inbox_2', orgId: 'org_1', name: 'Support', kind: 'shared', assignmentMode: false });
        await tx.appendChange({ scope: 'inbox:inbox_2', op: 'put', entity: 'inbox', id: 'inbox_2', record: {} });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await storage.transaction(async (tx) => [await tx.get('inbox', 'inbox_2'), await tx.head()])).toEqual([null, head]);
  });

  it('rolls back a callback that awaited other work before it failed', async () => {
    const { storage } = open();
    await seedOrgAndInbox(storage);
    const asyncWork = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('late failure');
    };
    await expect(
      storage.transaction(async (tx) => {
        await tx.putOrg({ id: 'org_2', name: 'Late' });
        return await asyncWork();
      }),
    ).rejects.toThrow('late failure');
    expect(await storage.transaction(async (tx) => await tx.getOrg('org_2'))).toBeNull();
  });

  it('refuses a transaction started inside another (it would wait for its parent forever); the outer one goes on', async () => {
    const { storage } = open();
    await storage.transaction(async (tx) => {
      await tx.putOrg({ id: 'org_outer', name: 'Outer' });
      await expect(
        storage.transaction(async (inner) => {
          await inner.putOrg({ id: 'org_inner', name: 'Inner' });
        }),
      ).rejects.toThrow(/nested storage transaction/);
    });
    expect(await storage.transaction(async (tx) => [(await tx.getOrg('org_outer'))?.name, await tx.getOrg('org_inner')])).toEqual(['Outer', null]);
  });

  it('reads the change log by scope in seq order, and keeps head and floor across compaction', async () => {
    const { storage } = open();
    const seqs = await storage.transaction(async (tx) => {
      const appended: number[] = [];
      for (const [i, s] of ['inbox:a', 'inbox:b', 'inbox:a', 'user:u', 'inbox:a'].entries()) {
        appended.push(await tx.appendChange({ scope: s as 'inbox:a', op: 'delete', entity: 'conversation', id: `c${i}` }));
      }
      return appended;
    });
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    const read = async (after: number, scopes: string[], limit: number) =>
      await storage.transaction(async (tx) => (await tx.readChanges(after, scopes as 'inbox:a'[], limit)).map((e) => e.seq));
    expect(await read(0, ['inbox:a'], 10)).toEqual([1, 3, 5]);
    expect(await read(1, ['inbox:a', 'user:u'], 2)).toEqual([3, 4]);
    expect(await read(0, [], 10)).toEqual([]);
    await storage.transaction(async (tx) => await tx.compactChanges(3));
    expect(await storage.transaction(async (tx) => [await tx.head(), await tx.compactedThrough()])).toEqual([5, 3]);
    expect(await read(0, ['inbox:a'], 10)).toEqual([5]);
    expect(await storage.transaction(async (tx) => await tx.appendChange({ scope: 'inbox:a', op: 'delete', entity: 'inbox', id: 'x' }))).toBe(6);
  });

  it('lists records by indexed columns in id pages', async () => {
    const { storage } = open();
    await seedOrgAndInbox(storage);
    await storage.transaction(async (tx) => {
      for (const id of ['c3', 'c1', 'c2']) await tx.put('channel', { id, inboxId: 'inbox_1', kind: 'webchat', name: id, address: id, registration: null });
    });
    const page1 = await storage.transaction(async (tx) => (await tx.list('channel', { inboxId: 'inbox_1' }, '', 2)).map((c) => c.id));
    const page2 = await storage.transaction(async (tx) => (await tx.list('channel', { inboxId: 'inbox_1' }, 'c2', 2)).map((c) => c.id));
    expect([page1, page2]).toEqual([['c1', 'c2'], ['c3']]);
  });
});
