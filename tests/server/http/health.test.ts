import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadinessResponse } from '../../../protocol/http.ts';
import { healthRoutes, type ReadinessProbes } from '../../../server/http/health.ts';
import { startTestServer, type TestServer } from '../support/sync-client.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function ready(url: string): Promise<{ status: number; body: ReadinessResponse }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: ReadinessResponse.parse(await res.json()) };
}

async function server(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer({ demo: false, ...overrides });
  cleanup.push(() => t.close());
  return t;
}

describe('GET /healthz and /readyz', () => {
  it('without Redis: alive, and ready when the database answers (no redis check listed)', async () => {
    const t = await server();
    expect(await (await fetch(`${t.server.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await ready(t.server.url)).toEqual({ status: 200, body: { ok: true, checks: { database: 'ok' } } });
  });

  it('with Redis: not ready (503, saying Redis) while Redis is unreachable, ready again when it is back; alive throughout', async () => {
    const proxy = await new TcpProxy({ host: new URL(TEST_REDIS_URL).hostname, port: Number(new URL(TEST_REDIS_URL).port || 6379) }).start();
    cleanup.push(() => proxy.cut());
    const prefix = uniqueRedisPrefix();
    cleanup.push(() => dropRedisPrefix(prefix));
    const t = await server({ redisUrl: `redis://127.0.0.1:${proxy.port}`, redisKeyPrefix: prefix });
    expect(await ready(t.server.url)).toEqual({ status: 200, body: { ok: true, checks: { database: 'ok', redis: 'ok' } } });

    await proxy.cut();
    const down = await ready(t.server.url);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ok: false, checks: { database: 'ok', redis: { failed: expect.any(String) } } });
    expect((await fetch(`${t.server.url}/healthz`)).status).toBe(200);
    // A sign-in needs the shared throttle: refused as 503 in words, logged in one line without a stack.
    const signIn = await fetch(`${t.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.test', password: 'x' }),
    });
    expect(signIn.status).toBe(503);
    expect(((await signIn.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect(t.logs.filter((line) => /\n\s+at /.test(line))).toEqual([]);

    await proxy.start();
    // The client reconnects on its own (capped backoff); wait for it rather than for a time.
    for (let answer = await ready(t.server.url); answer.status !== 200; answer = await ready(t.server.url)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(t.logs).toContainEqual(expect.stringMatching(/^redis \(commands\) redis:\/\/127\.0\.0\.1:\d+: .*; reconnecting$/));
  });

  it('a probe that fails or hangs makes the answer 503 naming that check and its reason', async () => {
    const probes: ReadinessProbes = {
      database: () => Promise.reject(new Error('SQLITE_BUSY: database is locked')),
      redis: () => new Promise(() => {}),
    };
    const routes = healthRoutes(probes);
    const http: Server = createServer((req, res) => void routes[req.url ?? '']?.GET?.(req, res, undefined as never));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => http.close(() => resolve())));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    expect(await ready(url)).toEqual({
      status: 503,
      body: { ok: false, checks: { database: { failed: 'SQLITE_BUSY: database is locked' }, redis: { failed: 'no answer within 1000 ms' } } },
    });
  });
});
