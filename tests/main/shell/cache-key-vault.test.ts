// Runs against the FAKE electron safeStorage (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafeStorageCacheKeyVault } from '../../../main/shell/cache-key-vault.ts';
import { FakeSafeStorage } from './fake-electron.ts';

const NAME = '0123456789abcdef0123456789abcdef';
const KEY = 'ab'.repeat(32);
let dir: string;
let file: string;
let lines: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-keys-'));
  file = path.join(dir, 'cache-keys.bin');
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SafeStorageCacheKeyVault', () => {
  it('keeps keys only as safeStorage ciphertext, across instances (a restart), and forgets them on remove', async () => {
    const vault = new SafeStorageCacheKeyVault(new FakeSafeStorage(), file, (l) => lines.push(l), 'darwin');
    expect(vault.persistent).toBe(true);
    await vault.save(NAME, KEY);
    const disk = readFileSync(file).toString('latin1');
    expect(disk).toMatch(/^FAKE-ENC:/);
    expect(disk).not.toContain(KEY);
    const restarted = new SafeStorageCacheKeyVault(new FakeSafeStorage(), file, () => {}, 'darwin');
    expect(await restarted.load(NAME)).toBe(KEY);
    expect(await restarted.names()).toEqual([NAME]);
    await restarted.remove(NAME);
    expect(await restarted.load(NAME)).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is not persistent and writes nothing without OS encryption, or with Linux basic_text (a public key)', async () => {
    for (const setup of [(s: FakeSafeStorage) => (s.available = false), (s: FakeSafeStorage) => (s.backend = 'basic_text')]) {
      const storage = new FakeSafeStorage();
      setup(storage);
      const vault = new SafeStorageCacheKeyVault(storage, file, (l) => lines.push(l), 'linux');
      expect(vault.persistent).toBe(false);
      await vault.save(NAME, KEY);
      expect(readdirSync(dir)).toEqual([]);
      expect(await vault.load(NAME)).toBeNull();
    }
    expect(lines.join('\n')).toMatch(/held by the server/);
  });

  it('discards a file it cannot decrypt (another OS user or key) instead of failing', async () => {
    writeFileSync(file, 'not ciphertext');
    const vault = new SafeStorageCacheKeyVault(new FakeSafeStorage(), file, (l) => lines.push(l), 'win32');
    expect(await vault.load(NAME)).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    expect(lines.join('\n')).toMatch(/discarding unreadable keys/);
  });
});
