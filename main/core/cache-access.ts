import type { User } from '../../protocol/domain.ts';
import { cacheFilePath, cacheName, cachesDir, deleteCacheFiles, openCache, type CacheDb } from './cache/cache-file.ts';
import { cacheFileState, keyOpens, newCacheKey, type CacheKey } from './cache/cache-key.ts';
import { sweepCaches } from './cache/cache-sweep.ts';
import type { CacheKeyVault } from './cache-key-vault.ts';
import { deviceIdOf } from './device-id.ts';
import { fetchDeviceKey, forgetDeviceKey, storeDeviceKey } from './server-api.ts';

export interface CacheAccessOptions {
  dataDir: string;
  keyVault: CacheKeyVault;
  log: (line: string) => void;
  now?: () => number;
}

export interface SignedInCache {
  cache: CacheDb;
  /** The organisation's shared-workstation mode: nothing of this session may be kept on this machine but the encrypted cache. */
  sharedWorkstation: boolean;
}

/**
 * Who may open which cache (README "Shared workstations"). Each person's cache is encrypted with a random
 * key for that person and device, kept in the local key vault on a personal machine, or held by the server
 * (handed over only after sign-in, kept here only in memory) in shared-workstation mode and wherever the
 * local vault cannot keep keys (browser host). The key is only held while opening: SQLite keeps its own copy
 * for the open connection, gone when the cache is closed.
 */
export class CacheAccess {
  private readonly now: () => number;

  constructor(private readonly options: CacheAccessOptions) {
    this.now = options.now ?? Date.now;
  }

  private get deviceId(): string {
    return deviceIdOf(this.options.dataDir);
  }

  /** Removes plaintext leftovers and other people's stale caches; `keep` are the paths about to be opened. */
  async sweep(keep: readonly string[]): Promise<void> {
    const keyedLocally = new Set(this.options.keyVault.persistent ? await this.options.keyVault.names() : []);
    const removed = sweepCaches(cachesDir(this.options.dataDir), { keep, keyedLocally, now: this.now() });
    if (removed.length > 0) this.options.log(`cache: removed ${removed.length} cache(s) left on this machine by others or from before encryption`);
  }

  /** At sign-in: the person's cache, opened with the key this mode keeps (their unsent work included). */
  async openForSignIn(serverUrl: string, user: User, token: string): Promise<SignedInCache> {
    const { keyVault, dataDir, log } = this.options;
    const path = cacheFilePath(dataDir, serverUrl, user.id);
    const name = cacheName(path);
    await this.sweep([path]);
    const deviceId = this.deviceId;
    const remote = await fetchDeviceKey(serverUrl, token, deviceId);
    const sharedWorkstation = remote?.sharedWorkstation ?? false;
    const serverHeld = remote !== null && (sharedWorkstation || !keyVault.persistent);
    const local = await keyVault.load(name);
    let key: CacheKey | null = null;
    if (cacheFileState(path) === 'encrypted') {
      // Whichever place kept it last (the mode may have changed since).
      key = [local, remote?.key ?? null].find((k): k is CacheKey => k !== null && keyOpens(path, k)) ?? null;
      if (!key) {
        log('cache: no key opens the cache left here for this person; starting a fresh one');
        deleteCacheFiles(path);
      }
    }
    key ??= (serverHeld ? remote.key : local) ?? newCacheKey();
    if (serverHeld && remote.key !== key) await storeDeviceKey(serverUrl, token, deviceId, key);
    if (sharedWorkstation) await keyVault.remove(name);
    else if (!serverHeld && local !== key) await keyVault.save(name, key);
    return { cache: openCache(dataDir, serverUrl, user.id, key), sharedWorkstation };
  }

  /** At start, offline: the stored session's cache if this machine keeps its key; null otherwise (sign in again). */
  async openForResume(serverUrl: string, userId: string): Promise<CacheDb | null> {
    const { keyVault, dataDir } = this.options;
    const path = cacheFilePath(dataDir, serverUrl, userId);
    await this.sweep([path]);
    let key = await keyVault.load(cacheName(path));
    // A plaintext cache from before encryption, resumed on a personal machine: encrypted with a new key kept here.
    if (!key && keyVault.persistent && cacheFileState(path) === 'plaintext') {
      key = newCacheKey();
      await keyVault.save(cacheName(path), key);
    }
    return key ? openCache(dataDir, serverUrl, userId, key) : null;
  }

  /** Signing out: the cache, its key here and the key the server holds for it all go. */
  async forget(cache: CacheDb, serverUrl: string, token: string): Promise<void> {
    cache.close();
    deleteCacheFiles(cache.path);
    await this.options.keyVault.remove(cacheName(cache.path));
    await forgetDeviceKey(serverUrl, token, this.deviceId);
  }
}
