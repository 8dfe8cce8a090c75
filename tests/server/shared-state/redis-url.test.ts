import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../../server/shared-state/redis-url.ts';

describe('parseRedisUrl', () => {
  it('accepts the forms an operator writes, and names the server without the password', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toMatchObject({ ok: true, display: 'redis://127.0.0.1:6379' });
    expect(parseRedisUrl(' redis://cache.internal ')).toMatchObject({ ok: true, display: 'redis://cache.internal:6379' });
    const withPassword = parseRedisUrl('rediss://app:s3cret@cache.example:6380/2');
    expect(withPassword).toMatchObject({ ok: true, display: 'rediss://cache.example:6380/2' });
    expect(JSON.stringify(withPassword).match(/s3cret/g)).toHaveLength(1); // only inside `url`, for the client
  });

  it.each([
    ['', /is empty/],
    ['localhost:6379', /scheme/],
    ['http://127.0.0.1:6379', /scheme "http:"/],
    ['redis://', /not a URL|names no host/],
    ['redis://127.0.0.1:99999', /not a URL/],
    ['redis://127.0.0.1:0', /port 0/],
    ['redis://127.0.0.1:6379/cache', /database number/],
    ['redis://127.0.0.1:6379/0?tls=1', /query or fragment/],
  ])('refuses %j with a sentence that says why', (raw, why) => {
    const checked = parseRedisUrl(raw);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.error).toMatch(why);
      expect(checked.error).toMatch(/^SWITCHBOARD_REDIS_URL .*; expected redis:\/\//);
    }
  });

  test.prop([fc.string({ maxLength: 200 })])('any text: an answer, never a throw, and no password echoed back', (raw) => {
    const checked = parseRedisUrl(raw);
    if (checked.ok) {
      expect(checked.url.startsWith('redis://') || checked.url.startsWith('rediss://')).toBe(true);
      expect(checked.display).not.toContain('@');
    } else {
      expect(checked.error.length).toBeGreaterThan(20);
    }
  });

  test.prop([
    fc.constantFrom('redis', 'rediss'),
    fc.option(fc.tuple(fc.stringMatching(/^[a-z]{0,8}$/), fc.stringMatching(/^PW[A-Z0-9]{1,14}$/)), { nil: null }),
    fc.oneof(fc.domain(), fc.ipV4()),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
    fc.option(fc.integer({ min: 0, max: 15 }), { nil: null }),
  ])('well-formed URLs pass and keep host, port and database', (scheme, auth, host, port, db) => {
    const raw = `${scheme}://${auth ? `${auth[0]}:${auth[1]}@` : ''}${host}${port === null ? '' : `:${port}`}${db === null ? '' : `/${db}`}`;
    const checked = parseRedisUrl(raw);
    expect(checked).toMatchObject({ ok: true });
    if (checked.ok) {
      expect(checked.display).toBe(`${scheme}://${new URL(raw).hostname}:${port ?? 6379}${db === null ? '' : `/${db}`}`);
      // Hostnames are lower case, so an upper-case password can only appear if it leaked.
      if (auth) expect(checked.display).not.toContain(auth[1]);
    }
  });
});
