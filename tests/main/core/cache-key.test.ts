import { copyFileSync, existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFilePath, cacheName, openCache } from '../../../main/core/cache/cache-file.ts';
import { cacheFileState, encryptInPlace, keyOpens, newCacheKey, openKeyedDatabase } from '../../../main/core/cache/cache-key.ts';
import { LEFTOVER_CACHE_MS, sweepCaches } from '../../../main/core/cache/cache-sweep.ts';
import { filesContaining } from '../../integration/fixtures/client-cache.ts';
import { tempDir } from './fixtures.ts';

const SERVER = 'http://server.test';
const SECRET = 'Ship it to Ottoline Brackenridge';
let cleanup: () => void = () => {};
afterEach(() => cleanup());

function dir(): string {
  const t = tempDir();
  cleanup = t.cleanup;
  return t.dir;
}

/**
 * A cache holding SECRET in a committed, not yet checkpointed transaction (it lives in the WAL), as a killed
 * app leaves it: the files are copied while the writer is still open (closing would checkpoint the WAL).
 */
function cacheWithSecret(dataDir: string, user: string, key: string | null): string {
  const scratch = tempDir();
  const cache = openCache(scratch.dir, SERVER, user, key);
  cache.write(() => cache.setMeta('note', SECRET));
  const path = cacheFilePath(dataDir, SERVER, user);
  mkdirSync(join(dataDir, 'caches'), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) copyFileSync(`${cache.path}${suffix}`, `${path}${suffix}`);
  cache.close();
  scratch.cleanup();
  return path;
}

describe('cache encryption at rest', () => {
  it('an unencrypted cache shows its text in its files (the scan works), an encrypted one shows nothing', () => {
    const d = dir();
    cacheWithSecret(d, 'plain', null);
    expect(filesContaining(d, [SECRET]).length).toBeGreaterThan(0);
    const d2 = dir();
    const path = cacheWithSecret(d2, 'u1', newCacheKey());
    expect(existsSync(`${path}-wal`) && existsSync(`${path}-shm`)).toBe(true);
    expect(filesContaining(d2, [SECRET])).toEqual([]);
  });

  it('opens only with its own key; a wrong key or none reads nothing and changes nothing', () => {
    const d = dir();
    const key = newCacheKey();
    const cache = openCache(d, SERVER, 'u1', key);
    cache.write(() => cache.setMeta('note', SECRET));
    cache.close();
    const path = cacheFilePath(d, SERVER, 'u1');
    expect(cacheFileState(path)).toBe('encrypted');
    expect(keyOpens(path, newCacheKey())).toBe(false);
    expect(() => new Database(path).prepare('SELECT * FROM meta').all()).toThrow(/not a database/);
    expect(() => openCache(d, SERVER, 'u1', newCacheKey())).toThrow(/not a database/);
    const again = openCache(d, SERVER, 'u1', key);
    expect(again.getMeta('note')).toBe(SECRET);
    again.close();
  });

  it('refuses a key that is not 64 hex digits (nothing but hex reaches the pragma)', () => {
    const d = dir();
    expect(() => openCache(d, SERVER, 'u1', "x'; DROP TABLE meta; --")).toThrow(/64 lower-case hex/);
  });

  it('encrypts a plaintext cache from before encryption in place, keeping its unsent work', () => {
    const d = dir();
    const path = cacheWithSecret(d, 'u1', null);
    const plain = openCache(d, SERVER, 'u1', null);
    plain.write(() => plain.takeMutationId());
    plain.close();
    expect(cacheFileState(path)).toBe('plaintext');
    const key = newCacheKey();
    const opened = openCache(d, SERVER, 'u1', key);
    expect(opened.getMeta('note')).toBe(SECRET);
    expect(opened.takeMutationId()).toBe(2);
    expect(opened.db.pragma('journal_mode', { simple: true })).toBe('wal');
    opened.close();
    expect(cacheFileState(path)).toBe('encrypted');
    expect(filesContaining(d, [SECRET])).toEqual([]);
    expect(openKeyedDatabase(path, key, { readonly: true }).prepare("SELECT value FROM meta WHERE key = 'note'").pluck().get()).toBe(SECRET);
  });

  it('encryptInPlace leaves nothing readable of a plaintext file that had data in its WAL', () => {
    const d = dir();
    const path = cacheWithSecret(d, 'u1', null);
    expect(existsSync(`${path}-wal`)).toBe(true);
    encryptInPlace(path, newCacheKey());
    expect(filesContaining(d, [SECRET])).toEqual([]);
  });
});

describe('sweeping leftover caches', () => {
  const age = (path: string, ms: number): void => {
    const t = new Date(Date.now() - ms);
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${path}${suffix}`)) utimesSync(`${path}${suffix}`, t, t);
  };

  it('removes plaintext caches and server-keyed caches untouched for 7 days; keeps the rest', () => {
    const d = dir();
    const fresh = openCache(d, SERVER, 'fresh', newCacheKey());
    fresh.close();
    const stale = openCache(d, SERVER, 'stale', newCacheKey());
    stale.close();
    const mine = openCache(d, SERVER, 'mine', newCacheKey());
    mine.close();
    const personal = openCache(d, SERVER, 'personal', newCacheKey());
    personal.close();
    const plain = openCache(d, SERVER, 'plain', null);
    plain.close();
    age(stale.path, LEFTOVER_CACHE_MS + 60_000);
    age(mine.path, LEFTOVER_CACHE_MS + 60_000);
    age(personal.path, LEFTOVER_CACHE_MS + 60_000);
    age(fresh.path, LEFTOVER_CACHE_MS - 60_000);
    const removed = sweepCaches(`${d}/caches`, { keep: [mine.path], keyedLocally: new Set([cacheName(personal.path)]), now: Date.now() });
    expect(removed.sort()).toEqual([plain.path, stale.path].sort());
    for (const p of [fresh.path, mine.path, personal.path]) expect(existsSync(p)).toBe(true);
    for (const p of [stale.path, plain.path]) expect(existsSync(p) || existsSync(`${p}-wal`) || existsSync(`${p}-shm`)).toBe(false);
  });
});
