import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runQueueCli } from '../../../server/admin/queue-cli.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { tempDir } from '../support/fixtures.ts';
import { ORG, seedQueue } from './routing-world.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(async () => {
  dir = tempDir();
  const storage = openSqliteStorage({ file: join(dir.path, 'switchboard.sqlite') });
  await storage.transaction((tx) => seedQueue(tx, 'assign'));
  await storage.close();
});
afterEach(() => dir.remove());

const run = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runQueueCli([...argv, '--data-dir', dir.path], (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
};

describe('queue:create', () => {
  it('creates an inbox queue with its settings and members, in the change log', async () => {
    const made = await run('queue_sales', '--name', 'Sales line', '--members', 'user_a1@rt.test, user_sup@rt.test', '--mode', 'offer', '--capacity', '2');
    expect(made).toMatchObject({ code: 0, err: [] });
    expect(made.out[0]).toMatch(/created inbox queue Sales line \(queue_sales\): offer mode, capacity 2, 2 member/);
    const storage = openSqliteStorage({ file: join(dir.path, 'switchboard.sqlite') });
    try {
      const inbox = await storage.transaction((tx) => tx.get('inbox', 'queue_sales'));
      expect(inbox).toMatchObject({ orgId: ORG, kind: 'queue', assignmentMode: true, queue: { mode: 'offer', defaultCapacity: 2 } });
      const members = await storage.transaction((tx) => tx.list('inboxMember', { inboxId: 'queue_sales' }, '', 10));
      expect(members.map((m) => m.userId)).toEqual(['user_a1', 'user_sup']);
      const logged = await storage.transaction((tx) => tx.readChanges(0, ['inbox:queue_sales'], 10));
      expect(logged.map((e) => e.entity)).toEqual(['inbox', 'inboxMember', 'inboxMember']);
    } finally {
      await storage.close();
    }
  });

  it('refuses clearly: usage, an unknown member, an existing inbox, a Customer Engagement organisation', async () => {
    expect((await run('queue_x', '--name', 'X')).code).toBe(2);
    expect((await run('queue_x', '--name', 'X', '--members', 'user_a1@rt.test', '--mode', 'round-robin')).code).toBe(2);
    expect(await run('queue_x', '--name', 'X', '--members', 'nobody@rt.test')).toMatchObject({ code: 1, err: ['queue:create: nobody in Routing test has the email nobody@rt.test'] });
    expect(await run('queue_rt', '--name', 'X', '--members', 'user_a1@rt.test')).toMatchObject({ code: 1, err: ['queue:create: an inbox queue_rt exists already'] });
    const storage = openSqliteStorage({ file: join(dir.path, 'switchboard.sqlite') });
    await storage.transaction((tx) => tx.setOrgEdition(ORG, 'customer_engagement'));
    await storage.close();
    expect((await run('queue_y', '--name', 'Y', '--members', 'user_a1@rt.test')).err[0]).toMatch(/is not a Contact Center organisation/);
  });
});
