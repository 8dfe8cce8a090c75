import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../../protocol/sync.ts';
import { MAYA, SAM, SyncClient, signIn, startTestServer, type TestServer } from '../support/sync-client.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let t: TestServer | null = null;
const clients: SyncClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.close();
  t = null;
});

/** A server whose clock tests move forward instead of waiting. */
async function serverWithClock(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const time = { offset: 0 };
  t = await startTestServer({ clock: () => Date.now() + time.offset, ...overrides });
  return { t, time };
}

const attempt = (url: string, email: string, password: string, forwardedFor?: string) =>
  fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ email, password }),
  });

describe('POST /api/session throttling', () => {
  it('answers 429 with Retry-After after 5 failures, refuses the right password too, and unlocks after the window', async () => {
    const { t, time } = await serverWithClock();
    for (let i = 0; i < 5; i++) expect((await attempt(t.server.url, MAYA.email, 'wrong')).status).toBe(401);
    for (const password of ['wrong', MAYA.password]) {
      const res = await attempt(t.server.url, MAYA.email, password);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(await res.json()).toEqual({
        error: { code: 'rate_limited', message: 'Too many failed sign-ins for this account; try again in 1 minute.' },
      });
    }
    // Another account from the same address is not locked.
    expect(await signIn(t.server.url, SAM)).toBeTruthy();
    time.offset += MINUTE;
    expect((await attempt(t.server.url, MAYA.email, MAYA.password)).status).toBe(200);
    // Success reset the count.
    for (let i = 0; i < 4; i++) expect((await attempt(t.server.url, MAYA.email, 'wrong')).status).toBe(401);
    expect((await attempt(t.server.url, MAYA.email, MAYA.password)).status).toBe(200);
  });

  it('keys on the client address (X-Forwarded-For when trusted) as well as the account', async () => {
    // A frozen clock: the token bucket's Retry-After must not depend on how long a loaded machine takes.
    const frozen = Date.now();
    const { t } = await serverWithClock({ clock: () => frozen, signInThrottle: { trustProxy: true, addressBurst: 8 } });
    for (let i = 0; i < 5; i++) await attempt(t.server.url, MAYA.email, 'wrong', '198.51.100.1');
    expect((await attempt(t.server.url, MAYA.email, MAYA.password, '198.51.100.1')).status).toBe(429);
    // Maya at another workstation is not locked out by someone hammering her account elsewhere.
    expect((await attempt(t.server.url, MAYA.email, MAYA.password, '198.51.100.2')).status).toBe(200);
    // One address spraying many accounts runs into the per-address limit.
    for (let i = 0; i < 3; i++) expect((await attempt(t.server.url, `guess${i}@demo.switchboard.test`, 'x', '198.51.100.1')).status).toBe(401);
    const sprayed = await attempt(t.server.url, SAM.email, SAM.password, '198.51.100.1');
    expect(sprayed.status).toBe(429);
    expect(sprayed.headers.get('retry-after')).toBe('30');
    expect(((await sprayed.json()) as { error: { message: string } }).error.message).toContain('from this network address');
  });
});

describe('session expiry over HTTP and sync', () => {
  it('refuses an idle-expired token on the sync socket with the auth close code and a readable reason', async () => {
    const { t, time } = await serverWithClock({ sessions: { idleTimeoutMs: DAY, maxAgeMs: 10 * DAY } });
    const token = await signIn(t.server.url, SAM);
    time.offset += DAY;
    const late = await SyncClient.connect(t.server.url);
    clients.push(late);
    late.hello(token);
    expect((await late.waitFor('error')).message).toBe('Your session has expired; sign in again.');
    expect(await late.waitClosed()).toEqual({ code: CloseCode.unauthenticated, reason: 'Your session has expired; sign in again.' });
    const signOut = await fetch(`${t.server.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(signOut.status).toBe(204); // signing out an expired session is harmless
  });

  it('closes a connected socket once its session passes the absolute age', async () => {
    const { t, time } = await serverWithClock({ sync: { heartbeatIntervalMs: 30, heartbeatTimeoutMs: 60_000 }, sessions: { maxAgeMs: 2 * DAY } });
    const token = await signIn(t.server.url, SAM);
    const live = await SyncClient.connect(t.server.url);
    clients.push(live);
    await live.sync(token);
    await live.waitFor('ping');
    expect(live.closed).toBeNull();
    time.offset += 2 * DAY;
    expect((await live.waitClosed()).code).toBe(CloseCode.unauthenticated);
  });

  it('keeps a session in use alive past the idle timeout', async () => {
    const { t, time } = await serverWithClock({ sessions: { idleTimeoutMs: DAY, touchIntervalMs: MINUTE } });
    const token = await signIn(t.server.url, MAYA);
    for (let day = 0; day < 3; day++) {
      time.offset += DAY - MINUTE;
      const c = await SyncClient.connect(t.server.url);
      clients.push(c);
      expect((await c.sync(token)).user.id).toBe(MAYA.id);
      c.close();
    }
  });
});
