import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadinessResponse } from '../../protocol/http.ts';
import { freePort, ServerProcess } from '../integration/support/server-process.ts';
import { tempDir } from './support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir('sb-cli-database-');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
  dir.remove();
});

/** Runs `server/cli.ts` with these arguments and environment until it exits by itself. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--data-dir', dir.path, ...args], {
      cwd: ROOT,
      env: { ...process.env, SWITCHBOARD_DATABASE_URL: '', ...env },
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

describe('server/cli.ts with a database it cannot use', () => {
  it('a malformed SWITCHBOARD_DATABASE_URL: exit 2 before anything starts, one line, never the password', async () => {
    const run = await runCli([], { SWITCHBOARD_DATABASE_URL: 'mysql://admin:hunter2@127.0.0.1/switchboard' });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('switchboard: SWITCHBOARD_DATABASE_URL has the scheme "mysql:"; expected postgres://[user[:password]@]host[:port]/database');
    expect(run.stdout).not.toContain('listening');
  });

  it('--database-url without a database name, or a schema that is no identifier: exit 2 saying which', async () => {
    const noDatabase = await runCli(['--database-url', 'postgres://postgres@127.0.0.1:5432']);
    expect(noDatabase.code).toBe(2);
    expect(noDatabase.stderr).toContain('SWITCHBOARD_DATABASE_URL names no database');
    const badSchema = await runCli(['--database-url', db.url, '--database-schema', 'Robert"; DROP']);
    expect(badSchema.code).toBe(2);
    expect(badSchema.stderr).toContain('SWITCHBOARD_DATABASE_SCHEMA: postgres schema');
  });

  it('nothing listening there: exit 1 naming the server, never the password', async () => {
    const port = await freePort();
    const run = await runCli([], { SWITCHBOARD_DATABASE_URL: `postgres://sb:hunter2@127.0.0.1:${port}/switchboard` });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`switchboard: cannot start: cannot use PostgreSQL at postgres://127.0.0.1:${port}/switchboard (SWITCHBOARD_DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(run.stderr + run.stdout).not.toContain('hunter2');
    expect(run.stdout).not.toContain('listening');
  });

  it('a server that accepts the connection and never answers: exit 1 after the connect timeout, not a hang', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const run = await runCli(['--database-url', `postgres://sb@127.0.0.1:${port}/switchboard`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^switchboard: cannot start: cannot use PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/switchboard \\(SWITCHBOARD_DATABASE_URL\\): .*timeout`, 'i'));
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 30_000);

  it('a database that does not exist: exit 1 with PostgreSQL’s own reason', async () => {
    const url = new URL(db.url);
    url.pathname = '/sb_no_such_database';
    const run = await runCli(['--database-url', url.toString()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('database "sb_no_such_database" does not exist');
  });
});

describe('server/cli.ts on PostgreSQL', () => {
  it('serves from the database named by SWITCHBOARD_DATABASE_URL (migrated at start) and /readyz probes it', async () => {
    const server = await ServerProcess.start(tempDir('sb-cli-pg-').path, await freePort(), { SWITCHBOARD_DATABASE_URL: db.url, SWITCHBOARD_DATABASE_SCHEMA: 'cli_start' });
    try {
      expect(server.output.join('\n')).toContain('database: PostgreSQL at postgres://127.0.0.1:5432/');
      const res = await fetch(`${server.url}/readyz`);
      expect({ status: res.status, body: ReadinessResponse.parse(await res.json()) }).toEqual({ status: 200, body: { ok: true, checks: { database: 'ok' } } });
    } finally {
      await server.stop('SIGTERM');
    }
  });
});

describe('one server per SQLite data dir', () => {
  it('a second server process on the same data dir refuses to start, saying why; after a kill -9 of the first, a new one starts', async () => {
    const data = tempDir('sb-cli-lock-');
    const first = await ServerProcess.start(data.path, await freePort());
    try {
      const second = await runCli(['--data-dir', data.path]);
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(
        `switchboard: cannot start: another Switchboard server is running on the data dir ${data.path} (it holds ${data.path}/switchboard.lock); ` +
          'stop it or give this one its own --data-dir. Several instances share one PostgreSQL database (SWITCHBOARD_DATABASE_URL), not one SQLite file',
      );
      expect(second.stdout).not.toContain('listening');
    } finally {
      await first.stop('SIGKILL');
    }
    // The operating system released the crashed server's lock: no stale lock file to delete by hand.
    const again = await ServerProcess.start(data.path, await freePort());
    await again.stop('SIGTERM');
    data.remove();
  });
});
