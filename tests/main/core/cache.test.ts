import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFilePath, deleteCacheFiles, openCache } from '../../../main/core/cache/cache-file.ts';
import { FtsIndexing } from '../../../main/core/cache/deferred-fts.ts';
import { migrate, migrations } from '../../../main/core/cache/migrations.ts';
import { tempDir, TEST_CACHE_KEY } from './fixtures.ts';

let cleanup: () => void = () => {};

/** A cache file as the app before cache migration 9 (prefix indexes) left it. */
function cacheBeforePrefixIndex(file: string): Database.Database {
  const db = new Database(file);
  const prefixIndex = migrations.findIndex((sql) => sql.includes("prefix='2 3'"));
  for (const [v, sql] of migrations.slice(0, prefixIndex).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${v + 1}`);
  }
  return db;
}

function insertMessage(db: Database.Database, id: string, body: string): void {
  db.prepare(
    `INSERT INTO messages (id, scope, conversation_id, direction, author_type, author_id, body, attachments, status, status_reason, provider_id, created_at)
     VALUES (?, 'inbox:i', 'c1', 'in', 'contact', NULL, ?, '[]', 'delivered', NULL, NULL, 1)`,
  ).run(id, body);
}
afterEach(() => cleanup());

describe('cache file', () => {
  it('migrates a new cache to the latest version in WAL mode and keeps its clientId across reopen', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const a = openCache(t.dir, 'http://server.test', 'u1', TEST_CACHE_KEY);
    expect(a.db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const clientId = a.clientId;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    a.close();
    const b = openCache(t.dir, 'http://server.test', 'u1', TEST_CACHE_KEY);
    expect(b.clientId).toBe(clientId);
    expect(b.db.pragma('user_version', { simple: true })).toBe(migrations.length);
    b.close();
  });

  it('names the file by a hash of server and user, under dataDir/caches', () => {
    const path = cacheFilePath('/data', 'http://server.test', 'u1');
    expect(path).toMatch(/^\/data\/caches\/[0-9a-f]{32}\.sqlite$/);
    expect(path).not.toContain('u1');
    expect(cacheFilePath('/data', 'http://server.test', 'u2')).not.toBe(path);
    expect(cacheFilePath('/data', 'http://other.test', 'u1')).not.toBe(path);
  });

  it('runs only the migrations a cache lacks and refuses a cache from a newer app', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const db = new Database(join(t.dir, 'x.sqlite'));
    expect(migrate(db)).toBe(migrations.length);
    db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'kept')").run();
    migrate(db);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'probe'").pluck().get()).toBe('kept');
    db.pragma(`user_version = ${migrations.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this app/);
    db.close();
  });

  it('upgrading rebuilds the message index with prefix indexes; messages stay findable, by short prefixes too', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const db = cacheBeforePrefixIndex(join(t.dir, 'old.sqlite'));
    insertMessage(db, 'm1', 'Thanks for the order');
    expect(migrate(db)).toBe(migrations.length);
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").pluck().get()).toContain("prefix='2 3'");
    const find = (q: string) => db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').pluck().all(q);
    expect(find('"or"*')).toEqual([1]);
    expect(find('"thank"*')).toEqual([1]);
    // The triggers of migration 2 still keep it in step.
    db.prepare("UPDATE messages SET body = 'Shipping update' WHERE id = 'm1'").run();
    expect(find('"or"*')).toEqual([]);
    expect(find('"sh"*')).toEqual([1]);
    // integrity-check (rank 1: against the content table too) throws on any index that disagrees with its rows.
    expect(() => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
    db.close();
  });

  it('upgrading in the middle of a first sync leaves the message index to the build at its end', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const db = cacheBeforePrefixIndex(join(t.dir, 'old.sqlite'));
    const fts = new FtsIndexing(db);
    db.transaction(() => fts.defer())();
    insertMessage(db, 'm1', 'Thanks for the order');
    migrate(db);
    const find = (q: string) => db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').pluck().all(q);
    expect(fts.deferred).toBe(true);
    expect(find('"thanks"')).toEqual([]);
    db.transaction(() => fts.resume())();
    expect(find('"th"*')).toEqual([1]);
    insertMessage(db, 'm2', 'Thanks again');
    expect(find('"th"*')).toEqual([1, 2]);
    db.close();
  });

  it('deletes the cache file with its -wal and -shm companions', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const c = openCache(t.dir, 'http://server.test', 'u1', TEST_CACHE_KEY);
    c.db.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run();
    const path = c.path;
    expect(existsSync(`${path}-wal`)).toBe(true);
    c.close();
    writeFileSync(`${path}-shm`, '');
    writeFileSync(`${path}-wal`, '');
    deleteCacheFiles(path);
    expect(readdirSync(join(t.dir, 'caches'))).toEqual([]);
  });

  it('hands out increasing mutation ids that survive a reopen', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const a = openCache(t.dir, 'http://server.test', 'u1', TEST_CACHE_KEY);
    expect([a.takeMutationId(), a.takeMutationId()]).toEqual([1, 2]);
    a.close();
    const b = openCache(t.dir, 'http://server.test', 'u1', TEST_CACHE_KEY);
    expect(b.takeMutationId()).toBe(3);
    b.close();
  });
});
