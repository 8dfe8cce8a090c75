import Database from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPasswordSync, verifyPassword } from '../../server/domain/passwords.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain | null = null;
afterEach(() => {
  t?.close();
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
    t = openTestDomain();
    const session = await t.domain.signIn('maya@demo.switchboard.test', 'demo-manager');
    expect(session?.user.id).toBe('user_maya');
    const token = session?.token ?? '';
    expect(token.length).toBeGreaterThanOrEqual(40);
    const db = new Database(t.file, { readonly: true });
    const rows = db.prepare('SELECT * FROM sessions').all() as Array<Record<string, unknown>>;
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(t.domain.authenticate(token)?.user.id).toBe('user_maya');
  });

  it('refuses wrong passwords, unknown emails and disabled users', async () => {
    t = openTestDomain();
    expect(await t.domain.signIn('maya@demo.switchboard.test', 'demo-agent')).toBeNull();
    expect(await t.domain.signIn('nobody@demo.switchboard.test', 'demo-agent')).toBeNull();
    t.storage.transaction((tx) => {
      const sam = tx.get('user', 'user_sam');
      if (sam) tx.put('user', { ...sam, status: 'disabled' });
    });
    expect(await t.domain.signIn('sam@demo.switchboard.test', 'demo-agent')).toBeNull();
  });

  it('signing out revokes the token and announces the session', async () => {
    t = openTestDomain();
    const session = await t.domain.signIn('alex@demo.switchboard.test', 'demo-agent');
    const token = session?.token ?? '';
    const revoked: string[] = [];
    t.domain.feed.on('sessionRevoked', (id) => revoked.push(id));
    const sessionId = t.domain.authenticate(token)?.sessionId;
    expect(t.domain.signOut(token)).toBe(true);
    expect(revoked).toEqual([sessionId]);
    expect(t.domain.authenticate(token)).toBeNull();
    expect(t.domain.signOut(token)).toBe(false);
    expect(t.domain.authenticate('made-up')).toBeNull();
  });
});
