import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { readServerFrame } from '../../../main/core/frame-reading.ts';
import { ServerFrame } from '../../../protocol/sync.ts';
import { message, user } from './fixtures.ts';

const goodEntry = (seq: number) => ({ seq, scope: 'inbox:i1', op: 'put', entity: 'message', record: message(`m${seq}`, 'c1') });

/** Frames that claim a real type, with fields of the right names and any values. */
const frameLike = fc
  .tuple(
    fc.constantFrom('welcome', 'changes', 'snapshot', 'scopeLost', 'mutationResult', 'error', 'ping', 'pong', 'mystery'),
    fc.dictionary(
      fc.constantFrom('entries', 'records', 'scopes', 'cursor', 'caughtUp', 'scope', 'reset', 'done', 'user', 'protocol', 'head', 'serverTime', 't', 'id', 'result'),
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant([goodEntry(1)]), fc.constant(user('u1'))),
    ),
  )
  .map(([type, rest]) => JSON.stringify({ ...rest, type }));

describe('reading a server frame part by part', () => {
  test.prop([fc.oneof(frameLike, fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))), fc.string()])(
    'never throws, and whatever it keeps passes the protocol schema',
    (json, raw) => {
      for (const text of [json, raw]) {
        const reading = readServerFrame(text);
        if (reading.frame) expect(ServerFrame.safeParse(reading.frame).success).toBe(true);
        if (!reading.frame && reading.type !== 'welcome') expect(reading.problems.length).toBeGreaterThan(0);
      }
    },
  );

  test.prop([fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), fc.constantFrom('a b', 'x:0969eb', '', 'é', 'z'.repeat(65))])(
    'a changes frame keeps its readable entries and its cursor, and names the scopes of the rest',
    (good, badId) => {
      const entries = good.map((ok, i) => (ok ? goodEntry(i + 1) : { ...goodEntry(i + 1), scope: `chat:c${i}`, record: message(badId, 'c1') }));
      const reading = readServerFrame(JSON.stringify({ type: 'changes', cursor: 99, caughtUp: true, entries }));
      expect(reading.frame).toMatchObject({ type: 'changes', cursor: 99, caughtUp: true });
      expect(reading.frame?.type === 'changes' && reading.frame.entries.map((e) => e.seq)).toEqual(good.flatMap((ok, i) => (ok ? [i + 1] : [])));
      const stale = good.flatMap((ok, i) => (ok ? [] : [`chat:c${i}`]));
      expect(reading.resync).toEqual(stale.length > 0 ? stale : null);
      expect(reading.problems).toHaveLength(stale.length);
    },
  );

  it('a welcome keeps its readable scopes; a wholly unreadable frame asks for everything', () => {
    const welcome = { type: 'welcome', protocol: 1, user: user('u1'), scopes: ['org:o1', 'chat:x:0969eb', 7], head: 3, serverTime: 0 };
    const reading = readServerFrame(JSON.stringify(welcome));
    expect(reading.frame).toMatchObject({ type: 'welcome', scopes: ['org:o1'] });
    expect(reading.problems).toHaveLength(2);
    expect(reading.resync).toBeNull();
    expect(readServerFrame('{"type":"changes","entries":"x"}')).toMatchObject({ frame: null, type: 'changes', resync: 'all' });
    expect(readServerFrame('<html>')).toMatchObject({ frame: null, type: null, resync: 'all' });
    expect(readServerFrame('{"type":"snapshot","scope":"inbox:i1","records":3}')).toMatchObject({ frame: null, resync: ['inbox:i1'] });
  });
});
