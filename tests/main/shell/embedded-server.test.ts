// Runs against the FAKE electron utilityProcess (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../../main/shell/embedded-server.ts';
import type { UtilityProcessModule } from '../../../main/shell/electron-module.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sb-embedded-'));
const entry = path.join(dir, 'server.mjs');
writeFileSync(entry, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeUtilityProcess(exitCode: number | null) {
  const forks: { modulePath: string; args: string[] }[] = [];
  let killed = 0;
  const module: UtilityProcessModule = {
    fork: (modulePath, args) => {
      forks.push({ modulePath, args });
      return {
        pid: 1,
        stdout: null,
        stderr: null,
        kill: () => {
          killed += 1;
          return false;
        },
        once: (_event, listener) => {
          if (exitCode !== null) listener(exitCode);
        },
      };
    },
  };
  return { module, forks, killed: () => killed };
}

describe('embedded server', () => {
  it('forks the bundled server with its port, data folder and demo flag, and waits until it is healthy', async () => {
    const fake = fakeUtilityProcess(null);
    let checks = 0;
    const server = await startEmbeddedServer(fake.module, {
      serverEntry: entry,
      dataDir: '/data/server',
      port: 4870,
      demo: true,
      log: () => {},
      isHealthy: async () => (checks += 1) >= 2,
    });
    expect(server.url).toBe('http://127.0.0.1:4870');
    expect(fake.forks).toEqual([{ modulePath: entry, args: ['--port', '4870', '--data-dir', '/data/server', '--demo'] }]);
    await server.close();
    expect(fake.killed()).toBe(1);
  });

  it('fails when the server process exits before answering', async () => {
    const fake = fakeUtilityProcess(1);
    await expect(
      startEmbeddedServer(fake.module, { serverEntry: entry, dataDir: '/d', port: 1, demo: false, log: () => {}, isHealthy: async () => false }),
    ).rejects.toThrow(/exited with code 1/);
  });
});
