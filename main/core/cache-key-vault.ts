import type { CacheKey } from './cache/cache-key.ts';

/**
 * Where a personal machine keeps cache keys between launches, by cache name (the file name: no identity).
 * Never a plain file: Electron keeps them with safeStorage (main/shell/cache-key-vault.ts).
 */
export interface CacheKeyVault {
  /** Whether keys outlive the process. When not, caches are keyed by the server (README "Shared workstations"). */
  readonly persistent: boolean;
  load(name: string): Promise<CacheKey | null>;
  save(name: string, key: CacheKey): Promise<void>;
  remove(name: string): Promise<void>;
  /** The names it holds a key for. */
  names(): Promise<string[]>;
}

/**
 * Browser host / plain Node: keys live only as long as the process (as the session does there). `persistent`
 * is for tests that hand the same vault to a second core to play a restart on a personal machine.
 */
export function memoryCacheKeyVault(options: { persistent?: boolean } = {}): CacheKeyVault {
  const keys = new Map<string, CacheKey>();
  return {
    persistent: options.persistent ?? false,
    load: async (name) => keys.get(name) ?? null,
    save: async (name, key) => {
      keys.set(name, key);
    },
    remove: async (name) => {
      keys.delete(name);
    },
    names: async () => [...keys.keys()],
  };
}
