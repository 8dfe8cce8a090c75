import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { SafeStorageLike } from './electron-module.ts';

/**
 * One JSON value in one file, encrypted by the OS through safeStorage (Keychain, DPAPI or the Linux secret
 * service). A file that cannot be decrypted or parsed (another OS user's, another key's) is useless here: it is
 * removed and read as absent.
 */
export class SafeStorageFile<T> {
  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly filePath: string,
    private readonly schema: z.ZodType<T>,
    /** What the file holds, for the log line ("keys", "saved session"). */
    private readonly what: string,
    private readonly log: (line: string) => void,
  ) {}

  async read(): Promise<T | null> {
    let encrypted: Buffer;
    try {
      encrypted = await readFile(this.filePath);
    } catch {
      return null;
    }
    try {
      return this.schema.parse(JSON.parse(this.safeStorage.decryptString(encrypted)));
    } catch (err) {
      this.log(`discarding unreadable ${this.what} (${String(err)})`);
      await this.remove();
      return null;
    }
  }

  async write(value: T): Promise<void> {
    // Write-then-rename so a crash never leaves half a file; 0600 so other OS users cannot read it either.
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    await writeFile(temporary, this.safeStorage.encryptString(JSON.stringify(value)), { mode: 0o600 });
    await rename(temporary, this.filePath);
  }

  async remove(): Promise<void> {
    await rm(this.filePath, { force: true });
  }
}
