import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../integration/support/server-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-redis-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `server/cli.ts` with this SWITCHBOARD_REDIS_URL until it exits by itself. */
function runCli(redisUrl: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, SWITCHBOARD_REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('server/cli.ts with a Redis it cannot use', () => {
  it('a malformed SWITCHBOARD_REDIS_URL: exit 2 before anything starts, saying what is wrong', async () => {
    const run = await runCli('http://:hunter2@127.0.0.1:6379');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^switchboard: SWITCHBOARD_REDIS_URL has the scheme "http:"; expected redis:\/\//);
    expect(run.stderr + run.stdout).not.toContain('hunter2');
    expect(run.stdout).not.toContain('listening');
  });

  it('nothing listening there: exit 1 naming the server, never the password', async () => {
    const port = await freePort();
    const run = await runCli(`redis://:hunter2@127.0.0.1:${port}`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`switchboard: cannot start: cannot use Redis at redis://127.0.0.1:${port} (SWITCHBOARD_REDIS_URL): connect ECONNREFUSED`);
    expect(run.stderr + run.stdout).not.toContain('hunter2');
    expect(run.stdout).not.toContain('listening');
  });

  it('a server that accepts the connection and never answers: exit 1 after the connect timeout, not a hang', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const run = await runCli(`redis://127.0.0.1:${port}`);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`cannot use Redis at redis://127\\.0\\.0\\.1:${port} \\(SWITCHBOARD_REDIS_URL\\): `));
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 30_000);
});
