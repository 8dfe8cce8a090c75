import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServerOptions } from '../../server/app.ts';
import { tempDir } from './support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from './support/postgres.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from './support/redis.ts';
import { SAM, signIn, SyncClient } from './support/sync-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function serverOnPostgres(overrides: Partial<ServerOptions>): Promise<{ server: RunningServer; schema: string; dataDir: string }> {
  const dir = tempDir('sb-admin-pg-');
  const schema = uniqueSchema();
  const server = await startServer({ dataDir: dir.path, databaseUrl: db.url, databaseSchema: schema, port: 0, demo: true, log: () => {}, ...overrides });
  cleanup.push(async () => {
    await server.close();
    dir.remove();
  });
  return { server, schema, dataDir: dir.path };
}

/** The real admin command in its own process; `env` replaces the variables it reads. */
async function admin(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return run(join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_DATA_DIR: '/nonexistent/the-admin-command-must-not-use-sqlite', ...env },
  });
}

async function samWatching(server: RunningServer): Promise<{ sam: SyncClient; from: number }> {
  const sam = await SyncClient.connect(server.url);
  cleanup.push(async () => sam.close());
  await sam.sync(await signIn(server.url, SAM));
  return { sam, from: sam.frames.length };
}

const templatesFile = (dir: string, name: string): string => {
  const file = join(dir, 'templates.json');
  writeFileSync(file, JSON.stringify([{ name, language: 'en_US', body: 'Hi {{1}}, it is back in stock.' }]));
  return file;
};

describe('admin commands against PostgreSQL while a server on the same database runs', () => {
  it('--database-url: the periodic check passes the write on to the server’s sync clients', async () => {
    const { server, schema, dataDir } = await serverOnPostgres({ foreignCommitPollMs: 100 });
    const { sam, from } = await samWatching(server);
    const file = templatesFile(dataDir, 'back_in_stock');
    const cli = await admin(['channel:whatsapp-templates', '--channel', 'ch_sales_wa', '--file', file, '--database-url', db.url, '--database-schema', schema], {});
    expect(cli.stdout).toContain('ch_sales_wa now has 1 approved template(s): back_in_stock (en_US).');

    const entry = await sam.until(() => sam.entries(from).find((e) => e.op === 'put' && e.entity === 'channel' && e.record.id === 'ch_sales_wa'), 'the channel change');
    expect(entry.op === 'put' && entry.entity === 'channel' && entry.record.whatsappTemplates?.map((x) => x.name)).toEqual(['back_in_stock']);

    // Reads see the same database: channel:list from the environment variables alone.
    const listed = await admin(['channel:list'], { SWITCHBOARD_DATABASE_URL: db.url, SWITCHBOARD_DATABASE_SCHEMA: schema });
    expect(listed.stdout).toMatch(/^ch_sales_wa {2}whatsapp .* templates 1 {2}provider none \(demo delivery\)$/m);
  });

  it('with SWITCHBOARD_REDIS_URL: the command pokes the cluster, which passes the write on at once (no periodic check)', async () => {
    const prefix = uniqueRedisPrefix();
    cleanup.push(() => dropRedisPrefix(prefix));
    const { server, schema, dataDir } = await serverOnPostgres({ foreignCommitPollMs: 3_600_000, redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix });
    const { sam, from } = await samWatching(server);
    const cli = await admin(['org:shared-workstation', 'on'], {
      SWITCHBOARD_DATABASE_URL: db.url,
      SWITCHBOARD_DATABASE_SCHEMA: schema,
      SWITCHBOARD_REDIS_URL: TEST_REDIS_URL,
      SWITCHBOARD_REDIS_KEY_PREFIX: prefix,
    });
    expect(cli.stdout).toContain('shared-workstation mode is on for Northwind Outfitters');
    // A write that syncs: the channel's templates.
    const cliTemplates = await admin(['channel:whatsapp-templates', '--channel', 'ch_sales_wa', '--file', templatesFile(dataDir, 'restocked')], {
      SWITCHBOARD_DATABASE_URL: db.url,
      SWITCHBOARD_DATABASE_SCHEMA: schema,
      SWITCHBOARD_REDIS_URL: TEST_REDIS_URL,
      SWITCHBOARD_REDIS_KEY_PREFIX: prefix,
    });
    expect(cliTemplates.stdout).toContain('now has 1 approved template(s): restocked (en_US).');
    const entry = await sam.until(() => sam.entries(from).find((e) => e.op === 'put' && e.entity === 'channel' && e.record.id === 'ch_sales_wa'), 'the channel change');
    expect(entry.op === 'put' && entry.entity === 'channel' && entry.record.whatsappTemplates?.map((x) => x.name)).toEqual(['restocked']);
  });

  it('an unreachable --database-url: exit 1 with one line; a malformed one: exit 2 with the usage', async () => {
    const unreachable = await admin(['channel:list', '--database-url', 'postgres://sb:hunter2@127.0.0.1:1/switchboard'], {}).catch((e: { code: number; stderr: string }) => e);
    expect('code' in unreachable && unreachable.code).toBe(1);
    expect(unreachable.stderr.trim()).toBe(
      'switchboard channel:list: cannot use PostgreSQL at postgres://127.0.0.1:1/switchboard (SWITCHBOARD_DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1',
    );
    const malformed = await admin(['channel:list', '--database-url', 'sqlite:///tmp/x'], {}).catch((e: { code: number; stderr: string }) => e);
    expect('code' in malformed && malformed.code).toBe(2);
    expect(malformed.stderr).toContain('SWITCHBOARD_DATABASE_URL has the scheme "sqlite:"');
    expect(malformed.stderr).toContain('usage: channel:list [--data-dir DIR] [--database-url postgres://… [--database-schema NAME]]');
  });
});
