import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/storage/sqlite/migrations.ts';
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../server/storage/storage.ts';
import { tempDir } from './support/fixtures.ts';

const dirs: Array<{ remove(): void }> = [];
const stores: Storage[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
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

function seedOrgAndInbox(storage: Storage): void {
  storage.transaction((tx) => {
    tx.putOrg({ id: 'org_1', name: 'Org' });
    tx.put('inbox', { id: 'inbox_1', orgId: 'org_1', name: 'Sales', kind: 'shared', assignmentMode: true });
  });
}

describe('sqlite storage', () => {
  it('migrates a new file to the latest version with WAL and foreign keys, and reopens without re-running', () => {
    const { storage, file } = open();
    seedOrgAndInbox(storage);
    storage.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const again = openSqliteStorage({ file });
    stores.push(again);
    expect(again.transaction((tx) => tx.get('inbox', 'inbox_1'))?.name).toBe('Sales');
    expect(() => again.transaction((tx) => tx.put('channel', { id: 'c', inboxId: 'missing', kind: 'sms', name: 'x', address: '+14155550100', registration: 'approved' }))).toThrow(/FOREIGN KEY/);
  });

  it('upgrades sessions from before expiry: last-used starts at the upgrade, created_at is kept', () => {
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
    const session = storage.transaction((tx) => tx.findSessionByTokenHash('h'));
    expect(session?.createdAt).toBe(1000);
    expect(session?.lastUsedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(session?.lastUsedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses a database written by a newer server', () => {
    const { storage, file } = open();
    storage.close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStorage({ file })).toThrow(/newer than this server/);
  });

  it('rolls back records and change entries together when the callback throws', () => {
    const { storage } = open();
    seedOrgAndInbox(storage);
    const head = storage.transaction((tx) => tx.head());
    expect(() =>
      storage.transaction((tx) => {
        tx.put('inbox', { id: 'inbox_2', orgId: 'org_1', name: 'Support', kind: 'shared', assignmentMode: false });
        tx.appendChange({ scope: 'inbox:inbox_2', op: 'put', entity: 'inbox', id: 'inbox_2', record: {} });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(storage.transaction((tx) => [tx.get('inbox', 'inbox_2'), tx.head()])).toEqual([null, head]);
  });

  it('refuses async callbacks by type and at runtime, rolling back', async () => {
    const { storage } = open();
    seedOrgAndInbox(storage);
    const asyncWork = async () => 1;
    // @ts-expect-error an async callback is not a synchronous transaction
    expect(() => storage.transaction(async () => 1)).toThrow(/synchronous/);
    const sneaky = ((tx: Parameters<Parameters<Storage['transaction']>[0]>[0]) => {
      tx.putOrg({ id: 'org_2', name: 'Late' });
      return asyncWork();
    }) as unknown as () => number;
    expect(() => storage.transaction(sneaky)).toThrow(/synchronous/);
    expect(storage.transaction((tx) => tx.getOrg('org_2'))).toBeNull();
  });

  it('nests transactions as savepoints', () => {
    const { storage } = open();
    storage.transaction((tx) => {
      tx.putOrg({ id: 'org_outer', name: 'Outer' });
      expect(() =>
        storage.transaction((inner) => {
          inner.putOrg({ id: 'org_inner', name: 'Inner' });
          throw new Error('inner fails');
        }),
      ).toThrow('inner fails');
    });
    expect(storage.transaction((tx) => [tx.getOrg('org_outer')?.name, tx.getOrg('org_inner')])).toEqual(['Outer', null]);
  });

  it('reads the change log by scope in seq order, and keeps head and floor across compaction', () => {
    const { storage } = open();
    const seqs = storage.transaction((tx) =>
      ['inbox:a', 'inbox:b', 'inbox:a', 'user:u', 'inbox:a'].map((s, i) =>
        tx.appendChange({ scope: s as 'inbox:a', op: 'delete', entity: 'conversation', id: `c${i}` }),
      ),
    );
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    const read = (after: number, scopes: string[], limit: number) =>
      storage.transaction((tx) => tx.readChanges(after, scopes as 'inbox:a'[], limit).map((e) => e.seq));
    expect(read(0, ['inbox:a'], 10)).toEqual([1, 3, 5]);
    expect(read(1, ['inbox:a', 'user:u'], 2)).toEqual([3, 4]);
    expect(read(0, [], 10)).toEqual([]);
    storage.transaction((tx) => tx.compactChanges(3));
    expect(storage.transaction((tx) => [tx.head(), tx.compactedThrough()])).toEqual([5, 3]);
    expect(read(0, ['inbox:a'], 10)).toEqual([5]);
    expect(storage.transaction((tx) => tx.appendChange({ scope: 'inbox:a', op: 'delete', entity: 'inbox', id: 'x' }))).toBe(6);
  });

  it('lists records by indexed columns in id pages', () => {
    const { storage } = open();
    seedOrgAndInbox(storage);
    storage.transaction((tx) => {
      for (const id of ['c3', 'c1', 'c2']) tx.put('channel', { id, inboxId: 'inbox_1', kind: 'webchat', name: id, address: id, registration: null });
    });
    const page1 = storage.transaction((tx) => tx.list('channel', { inboxId: 'inbox_1' }, '', 2).map((c) => c.id));
    const page2 = storage.transaction((tx) => tx.list('channel', { inboxId: 'inbox_1' }, 'c2', 2).map((c) => c.id));
    expect([page1, page2]).toEqual([['c1', 'c2'], ['c3']]);
  });
});
