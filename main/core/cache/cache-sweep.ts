import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_FILE_SUFFIXES, cacheName, deleteCacheFiles } from './cache-file.ts';
import { cacheFileState } from './cache-key.ts';

/** How long a cache nobody on this machine holds a key for may wait for its person (README "Shared workstations"). */
export const LEFTOVER_CACHE_MS = 7 * 24 * 60 * 60 * 1000;

export interface SweepOptions {
  /** Caches about to be opened or open now (full paths): never removed. */
  keep: readonly string[];
  /** Names of the caches whose key this machine keeps (personal mode): only their owner's sign-out removes them. */
  keyedLocally: ReadonlySet<string>;
  now: number;
  maxAgeMs?: number;
}

/** Every database in the caches folder, by its main file's path, companions without a main file included. */
function cachePaths(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const mains = new Set<string>();
  for (const file of readdirSync(dir)) {
    const suffix = CACHE_FILE_SUFFIXES.find((s) => s !== '' && file.endsWith(`.sqlite${s}`)) ?? '';
    if (file.endsWith(`.sqlite${suffix}`)) mains.add(join(dir, file.slice(0, file.length - suffix.length)));
  }
  return [...mains];
}

/** The last time the cache was written: WAL writes touch only the -wal file until a checkpoint. */
function lastWritten(path: string): number {
  let latest = 0;
  for (const suffix of ['', '-wal']) {
    const file = `${path}${suffix}`;
    if (existsSync(file)) latest = Math.max(latest, statSync(file).mtimeMs);
  }
  return latest;
}

/**
 * Removes what no one should find on this machine: plaintext caches from before encryption (readable by
 * anyone; the person signing in has theirs encrypted instead, see openCache) and caches keyed by the server
 * for someone who has not been back for `maxAgeMs`. Returns the removed paths.
 */
export function sweepCaches(dir: string, options: SweepOptions): string[] {
  const maxAge = options.maxAgeMs ?? LEFTOVER_CACHE_MS;
  const removed: string[] = [];
  for (const path of cachePaths(dir)) {
    if (options.keep.includes(path)) continue;
    const state = cacheFileState(path);
    const stale = !options.keyedLocally.has(cacheName(path)) && options.now - lastWritten(path) > maxAge;
    // 'missing': only companions are left (an -shm or -journal without its database).
    if (state !== 'encrypted' || stale) {
      deleteCacheFiles(path);
      removed.push(path);
    }
  }
  return removed;
}
