import { z } from 'zod';
import type { CacheKeyVault } from '../core/cache-key-vault.ts';
import type { SafeStorageLike } from './electron-module.ts';
import { SafeStorageFile } from './safe-storage-file.ts';

const StoredKeys = z.record(z.string().regex(/^[0-9a-f]{32}$/), z.string().regex(/^[0-9a-f]{64}$/));
type StoredKeys = z.infer<typeof StoredKeys>;

/**
 * Personal machines: cache keys encrypted by the OS (Keychain, DPAPI, or the Linux secret service) in one
 * file under userData, so an offline restart opens the cache again. Without real OS encryption (none, or
 * Linux's basic_text fallback with its fixed public key) it keeps nothing and says so: `persistent` is false
 * and the client core has the server hold the keys instead.
 */
export class SafeStorageCacheKeyVault implements CacheKeyVault {
  private warned = false;
  private readonly file: SafeStorageFile<StoredKeys>;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    filePath: string,
    private readonly log: (line: string) => void = () => {},
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.file = new SafeStorageFile(safeStorage, filePath, StoredKeys, 'keys', (line) => log(`cache key vault: ${line}`));
  }

  get persistent(): boolean {
    const available = this.safeStorage.isEncryptionAvailable();
    const obfuscatedOnly = this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend?.() === 'basic_text';
    if ((!available || obfuscatedOnly) && !this.warned) {
      this.warned = true;
      this.log('cache key vault: no OS secret store protects keys here, so cache keys are held by the server and caches open only after signing in');
    }
    return available && !obfuscatedOnly;
  }

  private async read(): Promise<StoredKeys> {
    // Another OS user's or key's file is discarded: its caches cannot be opened here anyway (the sweep removes them).
    return this.persistent ? ((await this.file.read()) ?? {}) : {};
  }

  private async write(keys: StoredKeys): Promise<void> {
    if (Object.keys(keys).length === 0) return this.file.remove();
    await this.file.write(keys);
  }

  async load(name: string): Promise<string | null> {
    return (await this.read())[name] ?? null;
  }

  async save(name: string, key: string): Promise<void> {
    if (!this.persistent) return;
    await this.write({ ...(await this.read()), [name]: key });
  }

  async remove(name: string): Promise<void> {
    const keys = await this.read();
    if (!(name in keys)) return;
    delete keys[name];
    await this.write(keys);
  }

  async names(): Promise<string[]> {
    return Object.keys(await this.read());
  }
}
