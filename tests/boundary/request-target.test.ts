import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MalformedTarget, parseRequestTarget, pathAfter } from '../../boundary/request-target.ts';

describe('parseRequestTarget', () => {
  it.prop([fc.string({ unit: 'binary', maxLength: 64 })], { numRuns: 500 })('either parses a target or refuses it as malformed, never anything else', (raw) => {
    try {
      const target = parseRequestTarget(raw);
      expect(target.path).toBe(target.url.pathname);
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedTarget);
    }
  });

  const segment = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => s !== '.' && s !== '..');
  it.prop([fc.array(segment, { maxLength: 5 }), fc.string({ maxLength: 12 })])('hands routes each segment decoded, a "/" inside one included, and the query parsed', (segments, value) => {
    const target = parseRequestTarget(`/${segments.map(encodeURIComponent).join('/')}?v=${encodeURIComponent(value)}`);
    expect(target.segments).toEqual(segments.length ? segments : ['']);
    expect(target.url.searchParams.get('v')).toBe(value);
  });

  it('refuses the targets of the issue', () => {
    for (const raw of ['/api/attachments/%ff', '/media/%ff', '/webchat/attachments/%e0%80', 'http://[', '', '*', 'x', '/%']) {
      expect(() => parseRequestTarget(raw), raw).toThrow(MalformedTarget);
    }
  });

  it('keeps "//host/x" a path of this server and removes dot segments', () => {
    expect(parseRequestTarget('//evil.example/x').path).toBe('//evil.example/x');
    expect(parseRequestTarget('/a/../api/%2e%2e/health').path).toBe('/health');
    expect(parseRequestTarget('http://elsewhere/api/health?x=1').path).toBe('/api/health');
  });

  it('pathAfter gives the decoded rest under a prefix, or null elsewhere', () => {
    expect(pathAfter(parseRequestTarget('/api/attachments/att_1'), '/api/attachments/')).toBe('att_1');
    expect(pathAfter(parseRequestTarget('/api/attachments/a%2Fb'), '/api/attachments/')).toBe('a/b');
    expect(pathAfter(parseRequestTarget('/api/attachments/'), '/api/attachments/')).toBe('');
    expect(pathAfter(parseRequestTarget('/api/attachmentsx'), '/api/attachments/')).toBeNull();
  });
});
