import { afterEach, describe, expect, it } from 'vitest';
import type { Scope } from '../../protocol/scope.ts';
import type { ChangeEntry } from '../../protocol/sync.ts';
import { WEBCHAT_PATHS } from '../../protocol/webchat.ts';
import { Domain } from '../../server/domain/domain.ts';
import { TwilioSimulator } from '../../server/simulator/twilio-simulator.ts';
import { openPostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { createTestDatabase } from '../server/support/postgres.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../server/support/redis.ts';
import { MAYA, SAM, signIn, SyncClient } from '../server/support/sync-client.ts';
import { Visitor } from '../server/support/webchat-client.ts';
import { freePort, ServerProcess } from './support/server-process.ts';

/**
 * Two real server processes (server/cli.ts) on one fresh PostgreSQL database and one Redis (a random key
 * prefix), as a load balancer would have them: clients and providers reach either. Twilio signs for the
 * public address (the balancer's), whichever instance the webhook lands on.
 */
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const PUBLIC_URL = 'https://switchboard.example';
const OUR_NUMBER = '+14155550100';

async function cluster() {
  const db = await createTestDatabase();
  cleanup.push(() => db.drop());
  const prefix = uniqueRedisPrefix();
  cleanup.push(() => dropRedisPrefix(prefix));
  const env = { SWITCHBOARD_DATABASE_URL: db.url, SWITCHBOARD_REDIS_URL: TEST_REDIS_URL, SWITCHBOARD_REDIS_KEY_PREFIX: prefix };
  const start = async () => {
    const dir = tempDir('switchboard-cluster-');
    cleanup.push(() => dir.remove());
    const server = await ServerProcess.start(dir.path, await freePort(), env);
    cleanup.push(async () => void (await server.stop('SIGKILL')));
    return server;
  };
  // A migrates and seeds the demo workspace; B then starts on the same database.
  const a = await start();
  const b = await start();
  const sim = await TwilioSimulator.start();
  sim.autoStatuses = [];
  cleanup.push(() => sim.close());
  // The admin command's work, against the shared database: the running instances read it from there.
  const storage = await openPostgresStorage({ url: db.url });
  const admin = await Domain.open({ storage });
  await admin.providers.configureTwilioChannel('ch_sales_sms', { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, publicUrl: PUBLIC_URL });
  admin.close();
  await storage.close();

  const inbound = async (to: ServerProcess, from: string, body: string) => {
    const res = await sim.postSigned(`${to.url}/webhooks/twilio/sms`, sim.inboundParams({ from, to: OUR_NUMBER, body }), {
      signedUrl: `${PUBLIC_URL}/webhooks/twilio/sms`,
    });
    expect(res.status).toBe(200);
  };
  const client = async (on: ServerProcess, who: { email: string; password: string }, hello: Parameters<SyncClient['sync']>[1] = {}) => {
    const c = await SyncClient.connect(on.url);
    cleanup.push(() => c.close());
    await c.sync(await signIn(on.url, who), hello);
    return c;
  };
  return { a, b, inbound, client };
}

type MessagePut = Extract<ChangeEntry, { entity: 'message'; op: 'put' }>;
const messagePuts = (entries: ChangeEntry[]): MessagePut[] => entries.filter((e): e is MessagePut => e.entity === 'message' && e.op === 'put');
const bodiesOf = (c: SyncClient, prefix: string, from = 0) =>
  messagePuts(c.entries(from))
    .filter((e) => e.record.direction === 'in' && e.record.body.startsWith(prefix))
    .map((e) => e.record.body);
const customer = (i: number) => `+1206${String(5_500_000 + i).padStart(7, '0')}`;
const seqsIncrease = (entries: ChangeEntry[]) => entries.every((e, i) => i === 0 || e.seq > entries[i - 1]!.seq);

describe('two server processes on one PostgreSQL and Redis', () => {
  it('webhooks posted to either instance reach every client of both, once, in order', async () => {
    const { a, b, inbound, client } = await cluster();
    const clients = [await client(a, MAYA), await client(a, SAM), await client(b, MAYA), await client(b, SAM)];
    const sent: string[] = [];
    for (let i = 0; i < 24; i++) {
      sent.push(`Cluster ${i}`);
      await inbound(i % 2 === 0 ? a : b, customer(i % 6), `Cluster ${i}`);
    }
    for (const c of clients) await c.until(() => bodiesOf(c, 'Cluster ').length >= sent.length, 'every webhook');
    const reference = messagePuts(clients[0]!.entries()).map((e) => [e.seq, e.record.id]);
    for (const c of clients) {
      expect(bodiesOf(c, 'Cluster ')).toEqual(sent);
      expect(seqsIncrease(c.entries())).toBe(true);
      expect(messagePuts(c.entries()).map((e) => [e.seq, e.record.id])).toEqual(reference);
    }
  });

  it('a conversation assigned from both at once ends with one assignee and one refusal', async () => {
    const { a, b, client } = await cluster();
    const maya = await client(a, MAYA, { clientId: 'maya-a' });
    const sam = await client(b, SAM, { clientId: 'sam-b' });
    const conversations = ['conv_sales_0001', 'conv_sales_0003', 'conv_sales_0005', 'conv_sales_0007'];
    // Everyone starts unassigned (a manager clears them, without a precondition).
    maya.send({ type: 'mutate', mutations: conversations.map((conversationId, i) => ({ id: i + 1, mutation: { name: 'conversation.assign', args: { conversationId, assigneeId: null } } })) });
    for (let i = 1; i <= conversations.length; i++) expect((await maya.waitFor('mutationResult', (f) => f.id === i)).result).toEqual({ ok: true });

    // Both take every conversation for themselves at once, each having seen it unassigned.
    const take = (who: SyncClient, userId: string, firstId: number) =>
      who.send({
        type: 'mutate',
        mutations: conversations.map((conversationId, i) => ({
          id: firstId + i,
          mutation: { name: 'conversation.assign', args: { conversationId, assigneeId: userId, expectedAssigneeId: null } },
        })),
      });
    take(maya, MAYA.id, 10);
    take(sam, SAM.id, 10);
    for (const [i, conversationId] of conversations.entries()) {
      const byMaya = (await maya.waitFor('mutationResult', (f) => f.id === 10 + i)).result;
      const bySam = (await sam.waitFor('mutationResult', (f) => f.id === 10 + i)).result;
      expect([byMaya.ok, bySam.ok].filter(Boolean)).toHaveLength(1);
      const winner = byMaya.ok ? MAYA.id : SAM.id;
      const refusal = byMaya.ok ? bySam : byMaya;
      expect(refusal).toEqual({ ok: false, code: 'conflict', message: `${winner === MAYA.id ? 'Maya Patel' : 'Sam Rivera'} was assigned this conversation a moment ago.` });
      for (const c of [maya, sam]) await c.until(() => lastConversation(c, conversationId)?.assigneeId === winner, `${conversationId} assigned to the winner`);
    }
  });

  it('a web chat visitor on one instance and an agent on the other talk both ways', async () => {
    const { a, b, client } = await cluster();
    const sam = await client(b, SAM);
    const visitor = await Visitor.open(`${a.url.replace(/^http/, 'ws')}${WEBCHAT_PATHS.socket}`);
    cleanup.push(() => visitor.close());
    visitor.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null });
    await visitor.next('welcome');
    visitor.send({ type: 'send', clientMessageId: 'c1', body: 'Is anyone there?' });
    await visitor.next('message', (f) => f.clientMessageId === 'c1');
    const question = await sam.until(() => messagePuts(sam.entries()).find((e) => e.record.body === 'Is anyone there?'), 'the visitor message on B', 10_000);

    const reply = 'm-cluster-reply';
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId: question.record.conversationId, messageId: reply, body: 'Sam here, on the other instance', attachments: [] } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    const pushed = await visitor.next('message', (f) => f.message.id === reply, 10_000);
    expect(pushed.message).toMatchObject({ from: 'agent', body: 'Sam here, on the other instance' });
    visitor.send({ type: 'ack', messageIds: [reply] });
    await sam.until(() => messagePuts(sam.entries()).some((e) => e.record.id === reply && e.record.status === 'delivered'), 'delivered on B', 10_000);
  });

  it('kill -9 of one instance: its clients reconnect to the survivor and catch up with nothing lost', async () => {
    const { a, b, inbound, client } = await cluster();
    const onB = [await client(b, MAYA, { clientId: 'maya-b' }), await client(b, SAM, { clientId: 'sam-b' })];
    const sent: string[] = [];
    for (let i = 0; i < 8; i++) {
      sent.push(`Before ${i}`);
      await inbound(i % 2 === 0 ? a : b, customer(i % 4), `Before ${i}`);
    }
    for (const c of onB) await c.until(() => bodiesOf(c, 'Before ').length === 8, 'the first webhooks on B');
    expect((await b.stop('SIGKILL')).signal).toBe('SIGKILL');
    for (const c of onB) await c.waitClosed();

    for (let i = 0; i < 8; i++) {
      sent.push(`After ${i}`);
      await inbound(a, customer(i % 4), `After ${i}`);
    }
    for (const [i, c] of onB.entries()) {
      const welcome = c.find('welcome')!;
      const again = await client(a, i === 0 ? MAYA : SAM, { clientId: i === 0 ? 'maya-b' : 'sam-b', cursor: c.lastCursor(), scopes: welcome.scopes as Scope[] });
      expect(again.find('snapshot')).toBeUndefined(); // caught up from the log, not started over
      const all = [...c.entries(), ...again.entries()];
      expect(seqsIncrease(all)).toBe(true);
      const bodies = messagePuts(all)
        .filter((e) => e.record.direction === 'in' && /^(Before|After) /.test(e.record.body))
        .map((e) => e.record.body);
      expect(bodies).toEqual(sent);
    }
  });
});

function lastConversation(c: SyncClient, id: string) {
  const puts = c.entries().filter((e): e is Extract<ChangeEntry, { entity: 'conversation'; op: 'put' }> => e.entity === 'conversation' && e.op === 'put' && e.record.id === id);
  return puts.at(-1)?.record;
}
