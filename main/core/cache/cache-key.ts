import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';

/**
 * A cache's key: 32 random bytes as 64 hex digits, used as a raw SQLCipher key (no passphrase
 * derivation: it is already random). SQLite3MultipleCiphers encrypts every page of the database and of its
 * WAL with it (SQLCipher 4 scheme: AES-256-CBC, HMAC-SHA512 per page); the -shm file holds no content.
 */
export type CacheKey = string;

export const CACHE_CIPHER = 'sqlcipher';
const HEX_KEY = /^[0-9a-f]{64}$/;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export function newCacheKey(): CacheKey {
  return randomBytes(32).toString('hex');
}

/** Keys a connection before anything reads the file. */
export function applyCacheKey(db: Database.Database, key: CacheKey): void {
  // Pragmas take no parameters; the key is checked to be plain hex, so nothing else reaches the SQL.
  if (!HEX_KEY.test(key)) throw new Error('a cache key is 64 lower-case hex digits');
  db.pragma(`cipher = '${CACHE_CIPHER}'`);
  db.pragma(`key = "x'${key}'"`);
}

/** Opens a cache database with its key; throws (SQLITE_NOTADB) when the key is not this file's. */
export function openKeyedDatabase(path: string, key: CacheKey, options: Database.Options = {}): Database.Database {
  const db = new Database(path, options);
  try {
    applyCacheKey(db, key);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Whether `key` opens the cache at `path`. Reading with a wrong key changes nothing in the file. */
export function keyOpens(path: string, key: CacheKey): boolean {
  try {
    openKeyedDatabase(path, key).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * What is on disk at `path`: nothing; a plain SQLite file (a cache from before encryption, readable by anyone);
 * or anything else, which only a key can tell apart from noise.
 */
export type CacheFileState = 'missing' | 'plaintext' | 'encrypted';

export function cacheFileState(path: string): CacheFileState {
  const main = existsSync(path) ? statSync(path).size : null;
  if (main === null && !existsSync(`${path}-wal`)) return 'missing';
  // A main file too short to hold a header holds no page: whatever a WAL beside it says is not keyed to us.
  if (main === null || main < SQLITE_HEADER.length) return 'plaintext';
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_HEADER) ? 'plaintext' : 'encrypted';
}

/**
 * Encrypts a plaintext cache in place with `key` (every page, free ones included). Rekeying needs a rollback
 * journal (SQLite3MultipleCiphers 2.3 cannot rekey in WAL mode), so the WAL is checkpointed into the file first.
 */
export function encryptInPlace(path: string, key: CacheKey): void {
  if (!HEX_KEY.test(key)) throw new Error('a cache key is 64 lower-case hex digits');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma(`cipher = '${CACHE_CIPHER}'`);
    db.pragma(`rekey = "x'${key}'"`);
  } finally {
    db.close();
  }
}
