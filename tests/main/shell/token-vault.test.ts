// Runs against the FAKE electron safeStorage (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafeStorageTokenVault } from '../../../main/shell/token-vault.ts';
import { FakeSafeStorage } from './fake-electron.ts';

const session = { serverUrl: 'http://127.0.0.1:4870', userId: 'u_sam', token: 'tok_9f8e7d6c5b4a' };
let dir: string;
let file: string;
let lines: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sb-vault-'));
  file = path.join(dir, 'session.bin');
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function everythingOnDisk(): string {
  return readdirSync(dir)
    .map((name) => readFileSync(path.join(dir, name)).toString('latin1'))
    .join('\n');
}

describe('SafeStorageTokenVault', () => {
  it('stores the session only as safeStorage ciphertext and reads it back', async () => {
    const vault = new SafeStorageTokenVault(new FakeSafeStorage(), file, (l) => lines.push(l), 'darwin');
    await vault.save(session);
    const disk = everythingOnDisk();
    expect(disk).toMatch(/^FAKE-ENC:/);
    expect(disk).not.toContain(session.token);
    expect(disk).not.toContain('u_sam');
    expect(await new SafeStorageTokenVault(new FakeSafeStorage(), file, () => {}, 'darwin').load()).toEqual(session);
  });

  it('writes nothing at all when the OS offers no encryption, keeping the session for this run only', async () => {
    const storage = new FakeSafeStorage();
    storage.available = false;
    const vault = new SafeStorageTokenVault(storage, file, (l) => lines.push(l), 'linux');
    await vault.save(session);
    expect(readdirSync(dir)).toEqual([]);
    expect(await vault.load()).toEqual(session);
    expect(lines.join('\n')).toMatch(/kept in memory only/);
  });

  it('warns when Linux falls back to the basic_text backend', async () => {
    const storage = new FakeSafeStorage();
    storage.backend = 'basic_text';
    const vault = new SafeStorageTokenVault(storage, file, (l) => lines.push(l), 'linux');
    await vault.save(session);
    expect(lines.join('\n')).toMatch(/no secret service/);
    expect(everythingOnDisk()).not.toContain(session.token);
  });

  it('discards a file it cannot decrypt (another user or key) instead of failing', async () => {
    writeFileSync(file, JSON.stringify(session));
    const vault = new SafeStorageTokenVault(new FakeSafeStorage(), file, (l) => lines.push(l), 'win32');
    expect(await vault.load()).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it('clear removes the saved session', async () => {
    const vault = new SafeStorageTokenVault(new FakeSafeStorage(), file, () => {}, 'darwin');
    await vault.save(session);
    await vault.clear();
    expect(existsSync(file)).toBe(false);
    expect(await vault.load()).toBeNull();
  });
});
