import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../../protocol/domain.ts';
import { APPLY_BATCH, isDataFrame, recordsOf, takeBatch, type QueuedFrame } from '../../../main/core/take-batch.ts';
import { conversation, user } from './fixtures.ts';

const records = (n: number, tag: number): EntityRecord[] =>
  Array.from({ length: n }, (_, i) => ({ entity: 'conversation', record: conversation(`conv_${tag}_${i}`) }));

/** One queued frame of each kind the session sees, `n` records where a kind carries any; `tag` tells frames apart. */
function frame(kind: QueuedFrame['type'], n: number, tag: number): QueuedFrame {
  switch (kind) {
    case 'snapshot':
      return { type: 'snapshot', scope: 'inbox:inbox_a', reset: false, done: false, records: records(n, tag), cursor: tag, phase: 'open' };
    case 'changes':
      return { type: 'changes', entries: records(n, tag).map((r, i) => ({ seq: i + 1, scope: 'inbox:inbox_a', op: 'put', ...r }) as never), cursor: tag, caughtUp: false };
    case 'windowDone':
      return { type: 'windowDone', cursor: tag };
    case 'phaseDone':
      return { type: 'phaseDone', phase: 'openFirst' };
    case 'scopeLost':
      return { type: 'scopeLost', scope: 'inbox:inbox_a' };
    case 'welcome':
      return { type: 'welcome', protocol: 1, user: user('u1'), scopes: [], head: tag, serverTime: 0 };
    case 'mutationResult':
      return { type: 'mutationResult', id: tag + 1, result: { ok: true } } as QueuedFrame;
  }
}

const kinds: QueuedFrame['type'][] = ['snapshot', 'changes', 'windowDone', 'phaseDone', 'scopeLost', 'welcome', 'mutationResult'];
const queueArb = fc
  .array(fc.record({ kind: fc.constantFrom(...kinds), n: fc.nat(500) }), { maxLength: 60 })
  .map((specs) => specs.map((s, i) => frame(s.kind, s.n, i)));
const limitsArb = fc.record({ frames: fc.integer({ min: 1, max: 12 }), records: fc.integer({ min: 1, max: 1_500 }) });

describe('takeBatch (issue 13: small transactions while a window streams)', () => {
  test.prop([queueArb, limitsArb])('batches respect both limits, keep the order, lose and repeat nothing, and stop at a welcome or result', (queue, limits) => {
    const original = [...queue];
    const seen: QueuedFrame[] = [];
    for (let guard = 0; queue.length > 0; guard++) {
      expect(guard).toBeLessThan(original.length + 1);
      const front = queue[0]!;
      const batch = takeBatch(queue, limits);
      if (!isDataFrame(front)) {
        expect(batch).toEqual([]);
        seen.push(queue.shift()!);
        continue;
      }
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(limits.frames);
      expect(batch.every(isDataFrame)).toBe(true);
      const n = batch.reduce((sum, f) => sum + recordsOf(f), 0);
      // Only a frame alone may exceed the record limit (a frame is never split).
      if (batch.length > 1) expect(n).toBeLessThanOrEqual(limits.records);
      // Greedy: the next data frame would not have fit.
      const next = queue[0];
      if (next && isDataFrame(next) && batch.length < limits.frames) expect(n + recordsOf(next)).toBeGreaterThan(limits.records);
      seen.push(...batch);
    }
    expect(seen).toEqual(original);
    for (let i = 0; i < seen.length; i++) expect(seen[i]).toBe(original[i]);
  });

  it('by default: at most 10 frames and 1,000 records per transaction', () => {
    expect(APPLY_BATCH).toEqual({ frames: 10, records: 1_000 });
    const queue = Array.from({ length: 30 }, (_, i) => frame('snapshot', 300, i));
    expect(takeBatch(queue).length).toBe(3);
    const small = Array.from({ length: 30 }, (_, i) => frame('phaseDone', 0, i));
    expect(takeBatch(small).length).toBe(10);
    expect(takeBatch([])).toEqual([]);
  });
});
