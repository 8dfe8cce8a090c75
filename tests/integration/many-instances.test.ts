import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WEBCHAT_PATHS, WebchatCloseCode } from '../../protocol/webchat.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server/app.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../server/support/postgres.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../server/support/redis.ts';
import { MAYA, postInbound, signIn, SyncClient } from '../server/support/sync-client.ts';
import { Visitor } from '../server/support/webchat-client.ts';

/**
 * Two server instances on one PostgreSQL database (a fresh schema per test; one SQLite data dir serves one
 * instance only) and one Redis (a fresh key prefix per test). The periodic check for foreign commits is an hour, so whatever reaches the other
 * instance's clients at once came through the Redis poke.
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

async function twoInstances(overrides: Partial<ServerOptions> = {}) {
  const dir = tempDir('switchboard-instances-');
  const prefix = uniqueRedisPrefix();
  const logs: string[] = [];
  const options: ServerOptions = {
    dataDir: dir.path,
    databaseUrl: db.url,
    databaseSchema: uniqueSchema(),
    port: 0,
    demo: true,
    log: (l) => logs.push(l),
    redisUrl: TEST_REDIS_URL,
    redisKeyPrefix: prefix,
    foreignCommitPollMs: 3_600_000,
    ...overrides,
  };
  const a: RunningServer = await startServer(options);
  const b: RunningServer = await startServer(options);
  cleanup.push(async () => {
    await b.close();
    await a.close();
    dir.remove();
    await dropRedisPrefix(prefix);
  });
  return { a, b, logs };
}

const signInAttempt = (url: string, password: string) =>
  fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
    body: JSON.stringify({ email: MAYA.email, password }),
  });

/** The status an upgrade to /webchat is answered with (101 = accepted). */
function webchatUpgrade(url: string): Promise<{ status: number; ws: WebSocket }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${WEBCHAT_PATHS.socket}`);
  cleanup.push(async () => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, ws }));
    ws.once('error', reject);
  });
}

describe('two server instances sharing Redis', () => {
  it('failed sign-ins counted on instance A refuse the right password on instance B, with the same 429', async () => {
    const { a, b } = await twoInstances({ signInThrottle: { accountFailures: 2, trustProxy: true } });
    expect((await signInAttempt(a.url, 'wrong')).status).toBe(401);
    expect((await signInAttempt(a.url, 'wrong')).status).toBe(401);
    const refused = await signInAttempt(b.url, MAYA.password);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({
      error: { code: 'rate_limited', message: 'Too many failed sign-ins for this account; try again in 1 minute.' },
    });
    // Another address is not locked, on either instance.
    const elsewhere = await fetch(`${b.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.8' },
      body: JSON.stringify({ email: MAYA.email, password: MAYA.password }),
    });
    expect(elsewhere.status).toBe(200);
  });

  it('web chat limits are one allowance per address over both instances', async () => {
    const { a, b } = await twoInstances({
      webchat: { perIp: { connections: { perMinute: 0.001, burst: 3 } } },
    });
    // Connections: two on A and one on B use the burst of three; the next, on either, is refused.
    expect((await webchatUpgrade(a.url)).status).toBe(101);
    expect((await webchatUpgrade(a.url)).status).toBe(101);
    const first = await Visitor.open(`${b.url.replace(/^http/, 'ws')}${WEBCHAT_PATHS.socket}`);
    cleanup.push(async () => first.close());
    expect((await webchatUpgrade(b.url)).status).toBe(429);
    expect((await webchatUpgrade(a.url)).status).toBe(429);
  });

  it('new visitors: a new chat started on one instance uses up the address’s allowance on the other', async () => {
    const { a, b } = await twoInstances({ webchat: { perIp: { newVisitors: { perMinute: 0.001, burst: 1 } } } });
    const onB = await Visitor.open(`${b.url.replace(/^http/, 'ws')}${WEBCHAT_PATHS.socket}`);
    const onA = await Visitor.open(`${a.url.replace(/^http/, 'ws')}${WEBCHAT_PATHS.socket}`);
    cleanup.push(async () => {
      onA.close();
      onB.close();
    });
    onB.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null });
    await onB.next('welcome');
    onA.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null });
    expect((await onA.next('error')).message).toMatch(/Too many new chats/);
    expect((await onA.waitClosed()).code).toBe(WebchatCloseCode.rateLimited);
  });

  it('a commit on instance A reaches the sync clients of instance B through the poke', async () => {
    const { a, b } = await twoInstances();
    const maya = await SyncClient.connect(b.url);
    cleanup.push(async () => maya.close());
    await maya.sync(await signIn(a.url, MAYA));
    const from = maya.frames.length;
    const { messageId } = await postInbound(a.url, { channelId: 'ch_sales_sms', from: '+15550001111', body: 'Written on A' });
    const frame = await maya.waitFor('changes', (f) => f.entries.some((e) => e.entity === 'message' && e.op === 'put' && e.record.id === messageId), from);
    expect(frame.entries.find((e) => e.entity === 'message' && e.op === 'put' && e.record.id === messageId)).toMatchObject({
      record: { body: 'Written on A' },
    });
  });
});
