import { z } from 'zod';
import type { SafeStorageLike } from './electron-module.ts';
import { SafeStorageFile } from './safe-storage-file.ts';

/** The session the client core keeps between launches (the core's TokenVault contract). */
const StoredSession = z.object({ serverUrl: z.string().url(), userId: z.string().min(1), token: z.string().min(1) });
export type StoredSession = z.infer<typeof StoredSession>;

export interface TokenVault {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Keeps the session token encrypted by the OS (Keychain, DPAPI, or the Linux
 * secret service) in one file under userData. When no encryption is available
 * the session is kept in memory only: the person signs in again next launch,
 * and the token is never written in plain text.
 */
export class SafeStorageTokenVault implements TokenVault {
  private memoryOnly: StoredSession | null = null;
  private warned = false;
  private readonly file: SafeStorageFile<StoredSession>;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    filePath: string,
    private readonly log: (line: string) => void = () => {},
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    // Written by another OS user or key: useless here, and signing in again replaces it.
    this.file = new SafeStorageFile(safeStorage, filePath, StoredSession, 'a saved session', (line) => log(`token vault: ${line}`));
  }

  /** Electron's fallback on Linux without a secret service encrypts with a fixed, public key. */
  private canPersist(): boolean {
    if (!this.safeStorage.isEncryptionAvailable()) {
      this.warnOnce('no OS encryption is available; the session is kept in memory only and not saved to disk');
      return false;
    }
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      this.warnOnce(
        'no secret service (gnome-keyring / kwallet) was found, so the saved session is only obfuscated, not protected by a password; install one to protect it',
      );
    }
    return true;
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log(`token vault: ${message}`);
  }

  async load(): Promise<StoredSession | null> {
    if (this.memoryOnly) return this.memoryOnly;
    if (!this.safeStorage.isEncryptionAvailable()) return null;
    return this.file.read();
  }

  async save(session: StoredSession): Promise<void> {
    const valid = StoredSession.parse(session);
    if (!this.canPersist()) {
      this.memoryOnly = valid;
      return;
    }
    await this.file.write(valid);
    this.memoryOnly = null;
  }

  async clear(): Promise<void> {
    this.memoryOnly = null;
    await this.file.remove();
  }
}
