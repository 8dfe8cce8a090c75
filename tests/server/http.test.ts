import { afterEach, describe, expect, it } from 'vitest';
import { ServerInfo } from '../../protocol/http.ts';
import { startTestServer, type TestServer } from './support/sync-client.ts';
import { TokenBucket } from '../../server/sync/rate-limit.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const post = (url: string, body: string, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

describe('HTTP API', () => {
  it('serves health and info with demo accounts only in demo mode', async () => {
    t = await startTestServer({ demo: false });
    expect(await (await fetch(`${t.server.url}/healthz`)).json()).toEqual({ ok: true });
    const info = ServerInfo.parse(await (await fetch(`${t.server.url}/api/info`)).json());
    expect(info.demoAccounts).toBeNull();
    const inbound = await post(`${t.server.url}/api/demo/inbound`, JSON.stringify({ channelId: 'x', from: 'y', body: 'z' }));
    expect(inbound.status).toBe(404);
  });

  it('answers clear JSON errors with proper status codes', async () => {
    t = await startTestServer({ demo: true, bodyLimitBytes: 1024 });
    const url = `${t.server.url}/api/session`;
    const info = ServerInfo.parse(await (await fetch(`${t.server.url}/api/info`)).json());
    expect(info.demoAccounts?.map((a) => a.email)).toContain('maya@demo.switchboard.test');
    const cases: Array<[Promise<Response>, number, string]> = [
      [post(url, '{bad'), 400, 'bad_json'],
      [post(url, JSON.stringify({ email: 'not-an-email', password: 'x' })), 400, 'invalid'],
      [post(url, 'email=a', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type'],
      [post(url, JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(2000) })), 413, 'too_large'],
      [post(url, JSON.stringify({ email: 'maya@demo.switchboard.test', password: 'wrong' })), 401, 'invalid_credentials'],
      [fetch(url, { method: 'DELETE' }), 401, 'unauthenticated'],
      [fetch(url, { method: 'PUT' }), 405, 'method_not_allowed'],
      [fetch(`${t.server.url}/api/nothing`), 404, 'not_found'],
      [post(`${t.server.url}/api/demo/inbound`, JSON.stringify({ channelId: 'nope', from: '+15005550006', body: 'hi' })), 404, 'not_found'],
    ];
    for (const [request, status, code] of cases) {
      const res = await request;
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    }
    const ok = await post(url, JSON.stringify({ email: ' MAYA@demo.switchboard.test ', password: 'demo-manager' }));
    expect(ok.status).toBe(200);
  });
});

describe('token bucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });
});
