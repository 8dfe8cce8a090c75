import { afterEach, describe, expect, it } from 'vitest';
import type { EntityOf } from '../../protocol/domain.ts';
import { DEMO_CC_CAST } from '../../server/simulator/demo-cc-traffic.ts';
import { startDemoTraffic, type DemoTraffic } from '../../server/simulator/demo-traffic.ts';
import { SyncClient, signIn, startTestServer, type TestServer } from '../server/support/sync-client.ts';
import { storedRecord, storedRecords, until } from './support/server-records.ts';

/**
 * Customers of the demo Contact Center (issue 10 §5): `npm start` has them write in on both queues' SMS (signed
 * Twilio webhooks through the simulator) and web chat, a few at once and then every 15–30 s, so routing has
 * work within a minute; an SMS customer answers an agent's reply.
 */
let t: TestServer | null = null;
let traffic: DemoTraffic | null = null;
const clients: SyncClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await traffic?.stop();
  await t?.close();
  traffic = null;
  t = null;
});

describe('demo Contact Center customers', () => {
  it('write in at once on the queues’ channels and land waiting in their queue', async () => {
    t = await startTestServer();
    // Every customer of the cast at once (initialCustomers), then nobody more for the test's length.
    traffic = await startDemoTraffic({ server: t.server, dataDir: t.dataDir, database: t.options, log: () => {}, intervalMs: 0, contactCenterIntervalMs: 600_000, random: () => 0 });
    const cc = traffic.contactCenter!;
    expect(cc).not.toBeNull();
    await until(() => new Set(cc.posted.filter((p) => p.status === 200).map((p) => p.channelId)).size >= 2, 'the first customers', 10_000);
    expect(cc.posted.every((p) => p.status === 200)).toBe(true);
    const first = DEMO_CC_CAST[0]!;
    const waiting = await until(
      async () => (await storedRecords<EntityOf<'conversation'>>(t!, "SELECT data FROM conversations WHERE inbox_id IN ('queue_billing', 'queue_tech')")).find((c) => c.customerAddress === first.from && c.status === 'open'),
      'the first customer’s conversation',
    );
    // Nobody is logged in to the queues yet: it waits, first in first out.
    expect(waiting.routing?.waitingSince).toEqual(expect.any(Number));
  });

  it('an SMS customer answers an agent’s reply', async () => {
    t = await startTestServer();
    traffic = await startDemoTraffic({ server: t.server, dataDir: t.dataDir, database: t.options, log: () => {}, intervalMs: 0, contactCenterIntervalMs: 600_000, random: () => 0, watchMs: 20 });
    const cc = traffic.contactCenter!;
    // random 0: the cast in order; the first one (Billing SMS) writes first.
    const opening = await until(() => cc.posted.find((p) => p.status === 200 && p.channelId === 'ch_billing_sms'), 'the Billing SMS customer');
    const row = await until(async () => (await storedRecords<EntityOf<'conversation'>>(t!, 'SELECT data FROM conversations WHERE inbox_id = ? AND customer_address = ?', 'queue_billing', opening.from))[0], 'their conversation');
    const jordan = await SyncClient.connect(t.server.url);
    clients.push(jordan);
    await jordan.sync(await signIn(t.server.url, { email: 'jordan@cc.demo.switchboard.test', password: 'demo-agent' }), { clientId: 'jordan-cc' });
    jordan.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId: row.id, messageId: 'msg_cc_reply_1', body: 'Let me check your bill.' } } }] });
    expect((await jordan.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    await until(async () => (await storedRecord(t!, 'message', 'msg_cc_reply_1'))?.status === 'delivered', 'delivered through the simulator');
    const answer = await until(() => cc.posted.find((p) => p.from === opening.from && p.body === DEMO_CC_CAST[0]!.followUps[0]), 'the customer to answer', 20_000);
    expect(answer.status).toBe(200);
  });
});
