import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSessionPolicy } from '../../../server/domain/sessions.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';
import { MAYA, SAM } from '../support/sync-client.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let t: TestDomain | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

function sessionRows(file: string): Array<{ id: string; user_id: string; created_at: number; last_used_at: number; revoked_at: number | null }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, user_id, created_at, last_used_at, revoked_at FROM sessions ORDER BY created_at, id').all() as never;
  } finally {
    db.close();
  }
}

async function signedIn(who: { email: string; password: string }): Promise<string> {
  const session = await t?.domain.sessions.signIn(who.email, who.password);
  if (!session) throw new Error('sign-in failed');
  return session.token;
}

describe('session expiry', () => {
  it('defaults to 30 days idle and 90 days absolute, and rejects nonsense', () => {
    expect(resolveSessionPolicy()).toMatchObject({ idleTimeoutMs: 30 * DAY, maxAgeMs: 90 * DAY });
    expect(() => resolveSessionPolicy({ idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/);
  });

  it('expires a session left idle, but not one in use', async () => {
    const time = { now: Date.now() };
    t = await openTestDomain({ clock: () => time.now });
    const idle = await signedIn(MAYA);
    const busy = await signedIn(SAM);
    for (let day = 0; day < 40; day++) {
      time.now += DAY;
      expect(await t.domain.sessions.checkToken(busy)).toMatchObject({ ok: true });
    }
    expect(await t.domain.sessions.checkToken(idle)).toEqual({ ok: false, reason: 'expired' });
    expect(await t.domain.sessions.authenticate(idle)).toBeNull();
    expect((await t.domain.sessions.authenticate(busy))?.user.id).toBe(SAM.id);
  });

  it('expires a session at its absolute age however busy it is', async () => {
    const time = { now: Date.now() };
    t = await openTestDomain({ clock: () => time.now, sessions: { idleTimeoutMs: 10 * DAY, maxAgeMs: 20 * DAY } });
    const token = await signedIn(MAYA);
    // Use every few days keeps it fresh until the absolute limit.
    for (let day = 0; day < 19; day++) {
      time.now += DAY;
      expect((await t.domain.sessions.authenticate(token))?.user.id).toBe(MAYA.id);
    }
    time.now += DAY - MINUTE;
    expect((await t.domain.sessions.authenticate(token))?.user.id).toBe(MAYA.id);
    time.now += MINUTE;
    expect(await t.domain.sessions.checkToken(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('writes last-used at most once per touch interval', async () => {
    const time = { now: Date.now() };
    t = await openTestDomain({ clock: () => time.now, sessions: { touchIntervalMs: 5 * MINUTE } });
    const token = await signedIn(MAYA);
    const signedInAt = time.now;
    for (let i = 0; i < 20; i++) {
      time.now += 10_000;
      expect(await t.domain.sessions.authenticate(token)).not.toBeNull();
    }
    // 200 s of requests: still the sign-in time.
    expect(sessionRows(t.file)[0]?.last_used_at).toBe(signedInAt);
    time.now = signedInAt + 5 * MINUTE;
    await t.domain.sessions.authenticate(token);
    expect(sessionRows(t.file)[0]?.last_used_at).toBe(signedInAt + 5 * MINUTE);
    time.now += MINUTE;
    await t.domain.sessions.authenticate(token);
    expect(sessionRows(t.file)[0]?.last_used_at).toBe(signedInAt + 5 * MINUTE);
  });

  it('deletes expired and signed-out sessions on sign-in, once per sweep interval', async () => {
    const time = { now: Date.now() };
    t = await openTestDomain({ clock: () => time.now, sessions: { idleTimeoutMs: DAY, maxAgeMs: 3 * DAY, sweepIntervalMs: 60 * MINUTE } });
    const stale = await signedIn(MAYA);
    const signedOut = await signedIn(SAM);
    const kept = await signedIn(SAM);
    await t.domain.sessions.signOut(signedOut);
    time.now += DAY - MINUTE;
    await t.domain.sessions.authenticate(kept);
    expect(sessionRows(t.file)).toHaveLength(3);

    time.now += 2 * MINUTE; // `stale` is now idle for a day; `kept` was used a minute ago
    await signedIn(MAYA);
    const rows = sessionRows(t.file);
    expect(rows).toHaveLength(2);
    expect((await t.domain.sessions.authenticate(kept))?.user.id).toBe(SAM.id);
    expect(await t.domain.sessions.checkToken(stale)).toEqual({ ok: false, reason: 'unknown' });
    expect(t.logs.some((l) => l.includes('deleted 2 expired or signed-out sessions'))).toBe(true);

    // Within the sweep interval, sign-ins do not sweep again.
    time.now += 10 * MINUTE;
    await t.domain.sessions.signOut(kept);
    await signedIn(SAM);
    expect(sessionRows(t.file)).toHaveLength(3);
    expect(await t.domain.sessions.sweepExpiredSessions(time.now, true)).toBe(1);
  });

  it('refuses sessions of disabled users with a reason of their own', async () => {
    t = await openTestDomain();
    const token = await signedIn(SAM);
    await t.storage.transaction(async (tx) => {
      const sam = await tx.get('user', SAM.id);
      if (sam) await tx.put('user', { ...sam, status: 'disabled' });
    });
    expect(await t.domain.sessions.checkToken(token)).toEqual({ ok: false, reason: 'disabled' });
  });
});
