import Database from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPasswordSync, verifyPassword } from '../../server/domain/passwords.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('passwords', () => {
  it('hashes with scrypt and a per-hash salt, and verifies', async () => {
    const a = hashPasswordSync('correct horse');
    const b = hashPasswordSync('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse!', a)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });
});

describe('sessions', () => {
  it('signs in with the demo credentials and stores only the SHA-256 of the token', async () => {
    t = await openTestDomain();
    const session = await t.domain.sessions.signIn('maya@demo.switchboard.test', 'demo-manager');
    expect(session?.user.id).toBe('user_maya');
    const token = session?.token ?? '';
    expect(token.length).toBeGreaterThanOrEqual(40);
    const db = new Database(t.file, { readonly: true });
    const rows = db.prepare('SELECT * FROM sessions').all() as Array<Record<string, unknown>>;
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect((await t.domain.sessions.authenticate(token))?.user.id).toBe('user_maya');
  });

  it('refuses wrong passwords, unknown emails and disabled users', async () => {
    t = await openTestDomain();
    expect(await t.domain.sessions.signIn('maya@demo.switchboard.test', 'demo-agent')).toBeNull();
    expect(await t.domain.sessions.signIn('nobody@demo.switchboard.test', 'demo-agent')).toBeNull();
    await t.storage.transaction(async (tx) => {
      const sam = await tx.get('user', 'user_sam');
      if (sam) await tx.put('user', { ...sam, status: 'disabled' });
    });
    expect(await t.domain.sessions.signIn('sam@demo.switchboard.test', 'demo-agent')).toBeNull();
  });

  it('signing out revokes the token and announces the session', async () => {
    t = await openTestDomain();
    const session = await t.domain.sessions.signIn('alex@demo.switchboard.test', 'demo-agent');
    const token = session?.token ?? '';
    const revoked: string[] = [];
    t.domain.feed.on('sessionRevoked', (id) => revoked.push(id));
    const sessionId = (await t.domain.sessions.authenticate(token))?.sessionId;
    expect(await t.domain.sessions.signOut(token)).toBe(true);
    expect(revoked).toEqual([sessionId]);
    expect(await t.domain.sessions.authenticate(token)).toBeNull();
    expect(await t.domain.sessions.signOut(token)).toBe(false);
    expect(await t.domain.sessions.authenticate('made-up')).toBeNull();
  });
});
