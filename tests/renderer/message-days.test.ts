import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { GROUP_GAP_MS, historyEntries } from '../../renderer/message-days.ts';

const DAY = 24 * 60 * 60 * 1000;
/** Days named by their UTC date so the test does not depend on the machine's zone. */
const utcDay = (ts: number): string => new Date(ts).toISOString().slice(0, 10);
const msg = (sender: string, createdAt: number) => ({ sender, createdAt });
const entries = (ms: { sender: string; createdAt: number }[]) => historyEntries(ms, (m) => m.sender, utcDay);

describe('message history: day headings and sender groups', () => {
  const t0 = Date.UTC(2026, 0, 5, 9, 0);

  it('heads each day once and shows a sender once per run of messages', () => {
    const result = entries([msg('maya', t0), msg('maya', t0 + 60_000), msg('sam', t0 + 120_000), msg('sam', t0 + DAY)]);
    expect(result.map((e) => e.day)).toEqual(['2026-01-05', null, null, '2026-01-06']);
    expect(result.map((e) => e.startsGroup)).toEqual([true, false, true, true]);
  });

  it('starts a new group after a long pause from the same sender', () => {
    const result = entries([msg('maya', t0), msg('maya', t0 + GROUP_GAP_MS + 1)]);
    expect(result.map((e) => e.startsGroup)).toEqual([true, true]);
  });

  test.prop([fc.array(fc.record({ sender: fc.constantFrom('a', 'b'), gap: fc.nat(2 * DAY) }), { maxLength: 40 })])(
    'every new day and every change of sender starts a group; the first message always does',
    (steps) => {
      let at = t0;
      const ms = steps.map((s) => msg(s.sender, (at += s.gap)));
      const result = entries(ms);
      result.forEach((e, i) => {
        const prev = ms[i - 1];
        if (!prev || e.day !== null || prev.sender !== ms[i]!.sender) expect(e.startsGroup).toBe(true);
        expect(e.day !== null).toBe(!prev || utcDay(prev.createdAt) !== utcDay(ms[i]!.createdAt));
      });
    },
  );
});
