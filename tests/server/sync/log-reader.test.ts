import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { putRecord, scopeOf } from '../../../server/domain/change-log.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { SyncHub } from '../../../server/sync/hub.ts';
import { resolveTuning, type SyncTuning } from '../../../server/sync/tuning.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';
import { ALEX, MAYA, SAM, SyncClient } from '../support/sync-client.ts';

/**
 * The hub's one log reader (server/sync/log-reader.ts) on a real SQLite domain and real sockets. Reads are
 * counted where the sync code meets the database (Domain.readLog for the reader, Domain.readChanges for a
 * socket paging on its own), and by the reader itself.
 */
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function hubOn(t: TestDomain, tuning: Partial<SyncTuning> = {}): Promise<{ hub: SyncHub; url: string }> {
  const hub = new SyncHub(t.domain, resolveTuning(tuning), () => {});
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    hub.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { hub, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function domain(): Promise<TestDomain> {
  const t = await openTestDomain({ startDelivery: false });
  cleanup.push(() => t.close());
  return t;
}

async function connected(url: string, t: TestDomain, who: { email: string; password: string }): Promise<SyncClient> {
  const signedIn = await t.domain.sessions.signIn(who.email, who.password);
  const client = await SyncClient.connect(url);
  cleanup.push(() => client.close());
  await client.sync(signedIn!.token);
  return client;
}

/** Writes one entry to conversation conv_sales_0001 (inbox_sales) and returns its seq. */
async function touchConversation(t: TestDomain, tag: string): Promise<number> {
  return t.domain.write(async (tx) => {
    const conversation = (await tx.get('conversation', 'conv_sales_0001'))!;
    return putRecord(tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, tags: [...conversation.tags, tag] });
  });
}

const hasSeq = (client: SyncClient, seq: number) => () => client.entries().some((e) => e.seq === seq);

describe('one log reader per instance', () => {
  it('N sockets, one commit: one log read, no socket reads the database, each member gets the entry once', async () => {
    const t = await domain();
    const { hub, url } = await hubOn(t);
    const clients: SyncClient[] = [];
    for (let i = 0; i < 12; i++) clients.push(await connected(url, t, [MAYA, SAM, ALEX][i % 3]!));
    const readLog = vi.spyOn(t.domain, 'readLog');
    const readChanges = vi.spyOn(t.domain, 'readChanges');
    const before = hub.stats();

    const seq = await touchConversation(t, 'one-read');
    const members = clients.filter((_, i) => i % 3 !== 2); // Alex is not in inbox_sales
    for (const c of members) await c.until(hasSeq(c, seq), `entry ${seq}`);
    // Alex's sockets were poked too: once every member has it, wait for a frame to Alex to prove nothing came.
    const alex = clients[2]!;
    const alexFrom = alex.frames.length;
    alex.send({ type: 'ping', t: 1 });
    await alex.waitFor('pong', () => true, alexFrom);

    expect(readLog).toHaveBeenCalledTimes(1);
    expect(readChanges).not.toHaveBeenCalled();
    const after = hub.stats();
    expect(after.logReads - before.logReads).toBe(1);
    expect(after.pages.fromDatabase).toBe(before.pages.fromDatabase);
    for (const c of members) expect(c.entries().filter((e) => e.seq === seq)).toHaveLength(1);
    expect(alex.entries().some((e) => e.seq === seq)).toBe(false);
  });

  it('a membership change makes only that person’s socket read its scopes again, and it gains then loses the inbox live', async () => {
    const t = await domain();
    const { hub, url } = await hubOn(t);
    const alex = await connected(url, t, ALEX);
    const sam = await connected(url, t, SAM);
    expect(alex.find('welcome')!.scopes).not.toContain('inbox:inbox_sales');
    const readChanges = vi.spyOn(t.domain, 'readChanges');

    expect(await t.apply(MAYA.id, { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: ALEX.id, member: true } })).toEqual({ ok: true });
    await alex.waitFor('snapshot', (f) => f.scope === 'inbox:inbox_sales' && f.done);
    const seq = await touchConversation(t, 'after-joining');
    await alex.until(hasSeq(alex, seq), `entry ${seq} on Alex`);
    await sam.until(hasSeq(sam, seq), `entry ${seq} on Sam`);
    // Only Alex's socket went back to the database, for the page holding the membership entry.
    expect(readChanges.mock.calls.map(([userId]) => userId)).toEqual([ALEX.id]);

    expect(await t.apply(MAYA.id, { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: ALEX.id, member: false } })).toEqual({ ok: true });
    await alex.waitFor('scopeLost', (f) => f.scope === 'inbox:inbox_sales');
    const later = await touchConversation(t, 'after-leaving');
    await sam.until(hasSeq(sam, later), `entry ${later} on Sam`);
    const from = alex.frames.length;
    alex.send({ type: 'ping', t: 2 });
    await alex.waitFor('pong', () => true, from);
    expect(alex.entries().some((e) => e.seq === later)).toBe(false);
    expect(readChanges.mock.calls.map(([userId]) => userId)).toEqual([ALEX.id, ALEX.id]);
    expect(hub.stats().pages.fromMemory).toBeGreaterThan(0);
  });

  it('a socket further behind than the reader keeps pages from the database, and gets every entry in order', async () => {
    const t = await domain();
    const { hub, url } = await hubOn(t, { logKeepEntries: 3, maxBatch: 2 });
    const maya = await connected(url, t, MAYA);
    const cursor = maya.lastCursor();
    const scopes = maya.find('welcome')!.scopes;
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push(await touchConversation(t, `missed-${i}`));
    await maya.until(hasSeq(maya, seqs[4]!), 'the last entry live');
    // The reader keeps 3 entries: a hello from before all 5 pages from the database, 2 at a time.
    const readChanges = vi.spyOn(t.domain, 'readChanges');
    const signedIn = await t.domain.sessions.signIn(MAYA.email, MAYA.password);
    const back = await SyncClient.connect(url);
    cleanup.push(() => back.close());
    await back.sync(signedIn!.token, { cursor, scopes });
    expect(back.entries().map((e) => e.seq)).toEqual(seqs);
    expect(readChanges.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(hub.stats().pages.fromDatabase).toBeGreaterThanOrEqual(2);
    expect(maya.entries().map((e) => e.seq)).toEqual(seqs);
  });

  it('a commit of another process the reader has not heard of yet reaches a socket saying hello at once', async () => {
    const t = await domain();
    const { url } = await hubOn(t);
    const maya = await connected(url, t, MAYA);
    const cursor = maya.lastCursor();
    const scopes = maya.find('welcome')!.scopes;
    maya.close();
    // Another process (an admin command, another instance) writes; no poke reaches this hub.
    const other = openSqliteStorage({ file: t.file });
    cleanup.push(() => other.close());
    const seq = await other.transaction(async (tx) => {
      const conversation = (await tx.get('conversation', 'conv_sales_0001'))!;
      return putRecord(tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, tags: ['from-elsewhere'] });
    });
    const signedIn = await t.domain.sessions.signIn(MAYA.email, MAYA.password);
    const back = await SyncClient.connect(url);
    cleanup.push(() => back.close());
    await back.sync(signedIn!.token, { cursor, scopes });
    expect(back.entries().map((e) => e.seq)).toContain(seq);
  });
});
