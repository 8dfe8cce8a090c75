import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Scope } from '../../../protocol/scope.ts';
import { cacheFileState, encryptInPlace, openKeyedDatabase, type CacheKey } from './cache-key.ts';
import { FtsIndexing } from './deferred-fts.ts';
import { migrate } from './migrations.ts';

/** One person's cache on one server: its file name never reveals who it belongs to. */
export function cacheFilePath(dataDir: string, serverUrl: string, userId: string): string {
  const key = createHash('sha256').update(`${serverUrl}\n${userId}`).digest('hex').slice(0, 32);
  return join(cachesDir(dataDir), `${key}.sqlite`);
}

export const cachesDir = (dataDir: string): string => join(dataDir, 'caches');

/** The name a cache's key is kept under (its file name: no identity in it). */
export const cacheName = (path: string): string => basename(path, '.sqlite');

/** The files SQLite keeps for one database. */
export const CACHE_FILE_SUFFIXES = ['', '-wal', '-shm', '-journal'] as const;

export interface CacheMeta {
  clientId: string;
  userId: string;
  serverUrl: string;
  cursor: number | null;
  nextMutationId: number;
}

/** An open per-user cache: the database plus its meta row helpers. */
export class CacheDb {
  readonly db: Database.Database;
  readonly fts: FtsIndexing;
  /** Bumped on every write transaction; read caches (e.g. list totals) key on it. */
  version = 0;
  private readonly getMetaStmt: Database.Statement<[string], { value: string }>;
  private readonly setMetaStmt: Database.Statement<[string, string]>;

  /** `key` null: unencrypted, for measuring what encryption costs (tests/bench) only. */
  constructor(
    readonly path: string,
    identity: { userId: string; serverUrl: string },
    key: CacheKey | null,
  ) {
    this.db = key === null ? new Database(path) : openKeyedDatabase(path, key);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode still survives a process kill; only an OS crash may lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = OFF');
    // A catch-up writes hundreds of MB; checkpoint (and fsync) every ~40 MB of WAL, not every 4 MB.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('cache_size = -32768');
    migrate(this.db);
    this.fts = new FtsIndexing(this.db);
    // A first snapshot that never finished (killed, closed) must not leave search half built until the next one.
    if (this.fts.deferred) this.db.transaction(() => this.fts.resume()).immediate();
    this.getMetaStmt = this.db.prepare('SELECT value FROM meta WHERE key = ?');
    this.setMetaStmt = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      if (this.getMeta('clientId') === null) this.setMeta('clientId', randomUUID());
      if (this.getMeta('nextMutationId') === null) this.setMeta('nextMutationId', '1');
      this.setMeta('userId', identity.userId);
      this.setMeta('serverUrl', identity.serverUrl);
    })();
  }

  getMeta(key: string): string | null {
    return this.getMetaStmt.get(key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.setMetaStmt.run(key, value);
  }

  get clientId(): string {
    return this.getMeta('clientId') as string;
  }

  get userId(): string {
    return this.getMeta('userId') as string;
  }

  get cursor(): number | null {
    const v = this.getMeta('cursor');
    return v === null ? null : Number(v);
  }

  set cursor(value: number | null) {
    if (value === null) this.db.prepare('DELETE FROM meta WHERE key = ?').run('cursor');
    else this.setMeta('cursor', String(value));
  }

  /** Takes the next per-client mutation id; call inside the transaction that writes the outbox row. */
  takeMutationId(): number {
    const id = Number(this.getMeta('nextMutationId') ?? '1');
    this.setMeta('nextMutationId', String(id + 1));
    return id;
  }

  heldScopes(): Scope[] {
    return this.db.prepare('SELECT scope FROM held_scopes ORDER BY scope').pluck().all() as Scope[];
  }

  /** Runs `fn` in one IMMEDIATE transaction and bumps the read version. */
  write<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.version++;
    return result;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens this person's cache with its key (throws when the key is not the file's). A plaintext cache from
 * before encryption is encrypted in place first, so its unsent work survives.
 */
export function openCache(dataDir: string, serverUrl: string, userId: string, key: CacheKey | null): CacheDb {
  const path = cacheFilePath(dataDir, serverUrl, userId);
  mkdirSync(cachesDir(dataDir), { recursive: true, mode: 0o700 });
  if (key !== null && cacheFileState(path) === 'plaintext') encryptInPlace(path, key);
  return new CacheDb(path, { userId, serverUrl }, key);
}

/** Removes the cache file and its WAL companions (signing out on a shared workstation). */
export function deleteCacheFiles(path: string): void {
  for (const suffix of CACHE_FILE_SUFFIXES) {
    const file = `${path}${suffix}`;
    if (existsSync(file)) rmSync(file, { force: true });
  }
}
