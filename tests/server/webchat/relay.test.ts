import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WEBCHAT_PATHS } from '../../../protocol/webchat.ts';
import { Domain } from '../../../server/domain/domain.ts';
import { SharedRedis } from '../../../server/shared-state/redis-connection.ts';
import { RedisVisitorRelay } from '../../../server/shared-state/redis-visitor-relay.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { WebchatHub } from '../../../server/webchat/hub.ts';
import { visitorHandle, isWidgetVisitor } from '../../../server/webchat/visitors.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.ts';
import { Visitor } from '../support/webchat-client.ts';

/**
 * Two instances' web chat hubs on one database (one SQLite file, two connections) and the real Redis: only
 * instance A runs a send worker, so every agent reply is sent from A, while the visitor's socket is on B.
 */
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function hubOn(domain: Domain, prefix: string): Promise<{ url: string; hub: WebchatHub }> {
  const redis = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
  const relay = new RedisVisitorRelay(redis, () => {});
  await relay.start();
  const hub = new WebchatHub(domain, () => {}, {}, undefined, undefined, relay);
  domain.useDeliveryFor('webchat', hub.delivery, (c) => isWidgetVisitor(c.customerAddress));
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => void hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    hub.close();
    await relay.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await redis.close();
  });
  return { hub, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}${WEBCHAT_PATHS.socket}` };
}

async function twoInstances() {
  const prefix = uniqueRedisPrefix();
  cleanup.push(() => dropRedisPrefix(prefix));
  const a: TestDomain = await openTestDomain({ startDelivery: false });
  cleanup.push(() => a.close());
  const storageB = openSqliteStorage({ file: a.file });
  const b = await Domain.open({ storage: storageB, delivery: { sentAfterMs: 5, deliveredAfterMs: 5 } });
  cleanup.push(async () => {
    b.close();
    await storageB.close();
  });
  const onA = await hubOn(a.domain, prefix);
  const onB = await hubOn(b, prefix);
  await a.domain.startDelivery();
  return { a, onA, onB };
}

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('web chat visitor delivery across instances', () => {
  it('a reply sent by instance A reaches the visitor on instance B (sent), and the visitor’s ack makes it delivered', async () => {
    const { a, onA, onB } = await twoInstances();
    const v = await Visitor.open(onB.url);
    cleanup.push(() => v.close());
    v.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null });
    const { visitorToken } = await v.next('welcome');
    v.send({ type: 'send', clientMessageId: 'c1', body: 'Anyone there?' });
    await v.next('message', (f) => f.clientMessageId === 'c1');
    const handle = visitorHandle('ch_sales_web', visitorToken);
    const conversation = (await a.storage.transaction((tx) => tx.findLatestConversation('ch_sales_web', handle)))!;
    expect(onA.hub.isLive('ch_sales_web', handle)).toBe(false);

    const messageId = `msg_${randomUUID()}`;
    expect(await a.apply('user_sam', { name: 'message.send', args: { conversationId: conversation.id, messageId, body: 'Hi from A', attachments: [] } })).toEqual({ ok: true });
    const pushed = await v.next('message', (f) => f.message.id === messageId);
    expect(pushed.message).toMatchObject({ from: 'agent', body: 'Hi from A' });
    await until(async () => (await a.get('message', messageId))?.status === 'sent', 'sent');
    expect(await a.storage.transaction((tx) => tx.getSendJob(messageId))).toBeNull();
    v.send({ type: 'ack', messageIds: [messageId] });
    await until(async () => (await a.get('message', messageId))?.status === 'delivered', 'delivered');

    // Gone from B: the next reply is parked (queued), and arrives with the history on the visitor's return.
    v.close();
    await until(() => !onB.hub.isLive('ch_sales_web', handle), 'the socket gone');
    const away = `msg_${randomUUID()}`;
    expect(await a.apply('user_sam', { name: 'message.send', args: { conversationId: conversation.id, messageId: away, body: 'While away', attachments: [] } })).toEqual({ ok: true });
    await until(async () => (await a.storage.transaction((tx) => tx.getSendJob(away)))?.dueAt === null, 'the job parked');
    expect((await a.get('message', away))?.status).toBe('queued');
    const back = await Visitor.open(onB.url);
    cleanup.push(() => back.close());
    back.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken });
    expect((await back.next('welcome')).history.map((m) => m.body)).toEqual(['Anyone there?', 'Hi from A', 'While away']);
  });

  it('a visitor’s message shows on their other tab on the other instance', async () => {
    const { onA, onB } = await twoInstances();
    const first = await Visitor.open(onA.url);
    cleanup.push(() => first.close());
    first.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null });
    const { visitorToken } = await first.next('welcome');
    const second = await Visitor.open(onB.url);
    cleanup.push(() => second.close());
    second.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken });
    await second.next('welcome');
    first.send({ type: 'send', clientMessageId: 'c2', body: 'Typed in tab one' });
    const echoed = await second.next('message', (f) => f.message.body === 'Typed in tab one');
    expect(echoed.clientMessageId).toBeUndefined();
  });
});
