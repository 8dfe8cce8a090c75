import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EntityOf } from '../../protocol/domain.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server/app.ts';
import { configureTwilioChannel } from '../../server/channels/twilio-cli.ts';
import { TwilioSimulator } from '../../server/simulator/twilio-simulator.ts';
import { openPostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import type { Storage } from '../../server/storage/storage.ts';
import { freePort, ServerProcess } from '../integration/support/server-process.ts';
import { until } from '../integration/support/server-records.ts';
import { tempDir } from './support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from './support/postgres.ts';
import { postInbound, SAM, signIn, SyncClient } from './support/sync-client.ts';

/**
 * Durable delivery with two server instances on one PostgreSQL database: a job is claimed by one instance
 * (FOR UPDATE SKIP LOCKED), and a lease of another owner is left alone until it expires (on SQLite the one
 * process takes back every other lease at start; here that lease may be a live instance's call in flight).
 */
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

const CHANNEL = 'ch_sales_sms';

/** A fresh schema for the instances, a Twilio simulator, and data dirs (attachments) per instance. */
async function cluster(): Promise<{ schema: string; sim: TwilioSimulator; base: Omit<ServerOptions, 'dataDir'>; dir(): string }> {
  const schema = uniqueSchema();
  const sim = await TwilioSimulator.start();
  sim.autoStatuses = [];
  const dirs: Array<{ path: string; remove(): void }> = [];
  cleanup.push(async () => {
    await sim.close();
    for (const d of dirs) d.remove();
  });
  const base = { databaseUrl: db.url, databaseSchema: schema, port: 0, demo: true };
  const dir = () => {
    const d = tempDir('sb-send-instances-');
    dirs.push(d);
    return d.path;
  };
  return { schema, sim, base, dir };
}

async function inProcess(options: ServerOptions): Promise<RunningServer> {
  const server = await startServer({ log: () => {}, ...options });
  cleanup.push(() => server.close());
  return server;
}

async function reader(schema: string): Promise<Storage> {
  const storage = await openPostgresStorage({ url: db.url, schema });
  cleanup.push(() => storage.close());
  return storage;
}

/** Sends replies as Sam from a sync client of `server`; resolves once each is acked. */
async function reply(server: { url: string }, conversationId: string, ids: string[]): Promise<void> {
  const client = await SyncClient.connect(server.url);
  cleanup.push(async () => client.close());
  await client.sync(await signIn(server.url, SAM), { clientId: `sam-${ids[0]}` });
  client.send({ type: 'mutate', mutations: ids.map((messageId, i) => ({ id: i + 1, mutation: { name: 'message.send', args: { conversationId, messageId, body: `Reply ${messageId}` } } })) });
  await client.until(() => client.frames.filter((f) => f.type === 'mutationResult').length === ids.length, 'every reply acked', 30_000);
  expect(client.frames.filter((f) => f.type === 'mutationResult' && !f.result.ok)).toEqual([]);
}

const sentIds = (sim: TwilioSimulator): string[] =>
  sim.sent.filter((s) => s.answered === 201).map((s) => new URL(s.form.StatusCallback ?? 'http://x/').searchParams.get('message') ?? '');

/** The messages whose provider's answer is recorded (its id), their send job done. */
async function settled(storage: Storage, ids: string[]): Promise<EntityOf<'message'>[]> {
  return storage.transaction(async (tx) => {
    const out: EntityOf<'message'>[] = [];
    for (const id of ids) {
      const message = await tx.get('message', id);
      if (message?.providerId && !(await tx.getSendJob(id))) out.push(message);
    }
    return out;
  }, { kind: 'read' });
}

describe('send jobs on one PostgreSQL database shared by two server instances', () => {
  it('replies written on both instances are each sent once, whichever instance claims them', async () => {
    const c = await cluster();
    const a = await inProcess({ ...c.base, dataDir: c.dir(), sendWorker: { pollMs: 50 } });
    const b = await inProcess({ ...c.base, dataDir: c.dir(), sendWorker: { pollMs: 50 } });
    await configureTwilioChannel({ dataDir: c.dir(), databaseUrl: db.url, databaseSchema: c.schema }, CHANNEL, {
      accountSid: c.sim.accountSid,
      authToken: c.sim.authToken,
      apiBaseUrl: c.sim.url,
      publicUrl: a.url,
    });
    const { conversationId } = await postInbound(a.url, { channelId: CHANNEL, from: '+12065550142', body: 'Is the blue one back?' });
    const onA = Array.from({ length: 40 }, (_, i) => `msg_a_${i}`);
    const onB = Array.from({ length: 40 }, (_, i) => `msg_b_${i}`);
    await Promise.all([reply(a, conversationId, onA), reply(b, conversationId, onB)]);

    const storage = await reader(c.schema);
    const all = [...onA, ...onB];
    await until(() => sentIds(c.sim).length >= all.length, 'every reply handed to the provider', 20_000);
    await expect.poll(async () => (await settled(storage, all)).length, { timeout: 10_000 }).toBe(all.length);
    const sent = sentIds(c.sim);
    expect(sent.toSorted()).toEqual(all.toSorted());
    // Each recorded provider id is the one the simulator answered for that message.
    const sids = new Map(c.sim.sent.map((s) => [new URL(s.form.StatusCallback ?? 'http://x/').searchParams.get('message'), s.sid]));
    for (const m of await settled(storage, all)) expect(m.providerId).toBe(sids.get(m.id));
  }, 60_000);

  it('a killed instance’s leased jobs are left to it while its lease lasts, then sent once by the survivor', async () => {
    const c = await cluster();
    const hold = c.sim.holdSends();
    // The instance to be killed: a real process, its calls hanging at the provider, its lease 8 s.
    const doomed = await ServerProcess.startWith({ ...c.base, dataDir: c.dir(), port: await freePort(), sendWorker: { leaseMs: 8000, callTimeoutMs: 60_000 } });
    cleanup.push(async () => void (await doomed.stop('SIGKILL')));
    await configureTwilioChannel({ dataDir: c.dir(), databaseUrl: db.url, databaseSchema: c.schema }, CHANNEL, {
      accountSid: c.sim.accountSid,
      authToken: c.sim.authToken,
      apiBaseUrl: c.sim.url,
      publicUrl: doomed.url,
    });
    // Five customers: a conversation's replies go out one after another, different conversations' at once.
    const ids = Array.from({ length: 5 }, (_, i) => `msg_doomed_${i}`);
    for (const [i, id] of ids.entries()) {
      const { conversationId } = await postInbound(doomed.url, { channelId: CHANNEL, from: `+1206555014${i}`, body: 'Hello?' });
      await reply(doomed, conversationId, [id]);
    }
    await until(() => hold.waiting === ids.length, 'every reply in a provider call of the doomed instance', 20_000);

    // A second instance starts while those calls are in flight: it must not take their leases back.
    await inProcess({ ...c.base, dataDir: c.dir(), sendWorker: { pollMs: 100 } });
    const storage = await reader(c.schema);
    const jobs = await storage.transaction((tx) => Promise.all(ids.map((id) => tx.getSendJob(id))), { kind: 'read' });
    for (const job of jobs) {
      expect(job?.leaseOwner).toMatch(/^send-\d+-/);
      expect(job?.leaseOwner?.startsWith(`send-${process.pid}-`)).toBe(false);
    }

    await doomed.stop('SIGKILL');
    await until(() => hold.gone === ids.length, 'the provider seeing the dead instance’s connections close');
    hold.release(); // its calls never reached the provider: the provider had not taken them yet

    await until(() => sentIds(c.sim).length >= ids.length, 'the survivor sending them after the lease expired', 30_000);
    await expect.poll(async () => (await settled(storage, ids)).length, { timeout: 10_000 }).toBe(ids.length);
    expect(sentIds(c.sim).toSorted()).toEqual(ids);
  }, 60_000);
});
