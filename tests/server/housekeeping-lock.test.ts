import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Domain } from '../../server/domain/domain.ts';
import { InProcessHousekeepingLock } from '../../server/domain/housekeeping-lock.ts';
import { openServerDatabase, type ServerDatabase } from '../../server/storage/server-database.ts';
import { PostgresHousekeepingLock } from '../../server/storage/postgres/housekeeping-lock.ts';
import { tempDir } from './support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from './support/postgres.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** A pass that runs until released, so a test can look at the other instance meanwhile. */
function blockingPass(): { task: () => Promise<string>; started: Promise<void>; finish(): void } {
  let finish!: () => void;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const done = new Promise<void>((r) => (finish = r));
  return {
    task: async () => {
      started();
      await done;
      return 'first';
    },
    started: startedP,
    finish,
  };
}

describe('HousekeepingLock', () => {
  it('PostgreSQL: while one instance runs a pass, the other skips at once; afterwards it runs', async () => {
    const schema = uniqueSchema();
    const a = new PostgresHousekeepingLock({ url: db.url, schema });
    const b = new PostgresHousekeepingLock({ url: db.url, schema });
    const pass = blockingPass();
    const first = a.run(pass.task);
    await pass.started;
    expect(await b.run(async () => 'second')).toEqual({ ran: false });
    // Another schema is another cluster: its lock is its own.
    expect(await new PostgresHousekeepingLock({ url: db.url, schema: uniqueSchema() }).run(async () => 'elsewhere')).toEqual({ ran: true, value: 'elsewhere' });
    pass.finish();
    expect(await first).toEqual({ ran: true, value: 'first' });
    expect(await b.run(async () => 'second')).toEqual({ ran: true, value: 'second' });
  });

  it('PostgreSQL: a pass that throws releases the lock', async () => {
    const schema = uniqueSchema();
    const a = new PostgresHousekeepingLock({ url: db.url, schema });
    await expect(a.run(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(await new PostgresHousekeepingLock({ url: db.url, schema }).run(async () => 1)).toEqual({ ran: true, value: 1 });
  });

  it('in-process (SQLite, one server): always wins, but two passes of the process never overlap', async () => {
    const lock = new InProcessHousekeepingLock();
    const pass = blockingPass();
    const first = lock.run(pass.task);
    await pass.started;
    expect(await lock.run(async () => 'second')).toEqual({ ran: false });
    pass.finish();
    expect(await first).toEqual({ ran: true, value: 'first' });
    expect(await lock.run(async () => 'second')).toEqual({ ran: true, value: 'second' });
  });
});

describe('housekeeping with two instances on one PostgreSQL database', () => {
  it('log retention and the session sweep run on the instance holding the lock; the other skips them', async () => {
    const schema = uniqueSchema();
    const dir = tempDir('sb-housekeeping-');
    const opened: ServerDatabase[] = [];
    const open = async () => {
      const database = await openServerDatabase({ dataDir: dir.path, databaseUrl: db.url, databaseSchema: schema });
      opened.push(database);
      return Domain.open({ storage: database.storage, housekeeping: database.housekeeping });
    };
    const [a, b] = [await open(), await open()];
    const DAY = 86_400_000;
    const old = Date.now() - 100 * DAY;
    // Work for both kinds of pass: an answer older than 30 days (not the client's latest) and a session idle for 100 days.
    await a.write(async (tx) => {
      await tx.putOrg({ id: 'org_h', name: 'H' });
      await tx.put('user', { id: 'user_h', orgId: 'org_h', name: 'H', email: 'h@example.test', role: 'member', status: 'active', avatarColor: '#000' });
      await tx.recordMutationResult('user_h', 'client_h', 1, { ok: true }, old);
      await tx.recordMutationResult('user_h', 'client_h', 2, { ok: true }, old);
      await tx.insertSession({ id: 'session_h', userId: 'user_h', tokenHash: 'x'.repeat(64), createdAt: old, lastUsedAt: old, revokedAt: null });
    });
    try {
      // Instance A is in the middle of a pass (held here by a third holder of the same lock).
      const holder = new PostgresHousekeepingLock({ url: db.url, schema });
      const pass = blockingPass();
      const holding = holder.run(pass.task);
      await pass.started;
      expect(await a.applyLogRetention()).toBeNull();
      expect(await b.sessions.sweepExpiredSessions(Date.now(), true)).toBe(0);
      pass.finish();
      await holding;
      expect(await a.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 1 });
      expect(await b.sessions.sweepExpiredSessions(Date.now(), true)).toBe(1);
    } finally {
      a.close();
      b.close();
      for (const d of opened) await d.storage.close();
      dir.remove();
    }
  });
});
