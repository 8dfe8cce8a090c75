import { afterEach, describe, expect, it } from 'vitest';
import type { Mutation } from '../../../protocol/mutations.ts';
import { DEFAULT_LOG_RETENTION, resolveLogRetention } from '../../../server/domain/log-retention.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let t: TestDomain | null = null;
afterEach(() => {
  t?.close();
  t = null;
});

const tag = (conversationId: string, name: string): Mutation => ({ name: 'conversation.addTag', args: { conversationId, tag: name } });

describe('log retention policy', () => {
  it('defaults to 30 days, hourly; SWITCHBOARD_LOG_RETENTION_DAYS sets the days; nonsense is refused', () => {
    expect(resolveLogRetention({}, {})).toEqual(DEFAULT_LOG_RETENTION);
    expect(DEFAULT_LOG_RETENTION).toEqual({ keepMs: 30 * DAY, intervalMs: HOUR });
    expect(resolveLogRetention({}, { SWITCHBOARD_LOG_RETENTION_DAYS: '7' }).keepMs).toBe(7 * DAY);
    expect(resolveLogRetention({ keepMs: 5 }, { SWITCHBOARD_LOG_RETENTION_DAYS: '7' }).keepMs).toBe(5);
    expect(() => resolveLogRetention({}, { SWITCHBOARD_LOG_RETENTION_DAYS: 'a week' })).toThrow(/at least 1/);
    expect(() => resolveLogRetention({}, { SWITCHBOARD_LOG_RETENTION_DAYS: '0' })).toThrow(/at least 1/);
    expect(() => resolveLogRetention({ intervalMs: 0 }, {})).toThrow(/logRetention.intervalMs/);
  });
});

describe('log retention', () => {
  it('compacts the change log through the head noted at least keepMs ago, and keeps what is newer', () => {
    let now = 1_000 * DAY;
    t = openTestDomain({ clock: () => now, logRetention: { keepMs: 30 * DAY } });
    const { domain } = t;
    expect(domain.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 0 });
    const headThen = domain.head();

    now += 10 * DAY;
    expect(t.apply('user_sam', tag('conv_sales_0001', 'vip'))).toEqual({ ok: true });
    const headLater = domain.head();
    expect(headLater).toBeGreaterThan(headThen);
    expect(domain.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 0 });
    expect(domain.servableFloor()).toBe(0);

    now += 20 * DAY; // the first note is now 30 days old, the second 20
    expect(domain.applyLogRetention()?.compactedThrough).toBe(headThen);
    expect(domain.servableFloor()).toBe(headThen);
    const left = t.storage.transaction((tx) => tx.readChanges(0, ['inbox:inbox_sales'], 10_000));
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((e) => e.seq > headThen)).toBe(true);
    expect(t.logs).toContainEqual(expect.stringMatching(new RegExp(`^log retention: change log compacted through #${headThen}, 0 old mutation answers deleted$`)));

    now += 10 * DAY; // now the tag's entries are 30 days old too
    expect(domain.applyLogRetention()?.compactedThrough).toBe(headLater);
    expect(t.storage.transaction((tx) => tx.readChanges(0, ['inbox:inbox_sales'], 10))).toEqual([]);
    expect(domain.head()).toBe(headLater); // the seq counter survives: new entries never reuse a served seq
    expect(domain.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 0 });
  });

  it("deletes old mutation answers but each client's latest, so an old id is never taken for a new one", () => {
    let now = 1_000 * DAY;
    t = openTestDomain({ clock: () => now, logRetention: { keepMs: 30 * DAY } });
    const { domain } = t;
    const sam = t.user('user_sam');
    const apply = (clientId: string, id: number, name: string) => domain.applyMutation(sam, clientId, id, tag('conv_sales_0001', name));
    expect(apply('desk', 1, 'one').result).toEqual({ ok: true });
    expect(apply('desk', 2, 'two').result).toEqual({ ok: true });
    expect(apply('laptop', 1, 'three').result).toEqual({ ok: true });
    now += 31 * DAY;
    expect(apply('desk', 3, 'four').result).toEqual({ ok: true });

    expect(domain.applyLogRetention()?.prunedAnswers).toBe(2); // desk #1 and #2; laptop #1 is its latest
    // Replays: the pruned answer cannot be replayed, so the old id is refused rather than applied twice.
    expect(apply('desk', 2, 'two')).toMatchObject({ replayed: true, result: { ok: false, code: 'conflict' } });
    expect(apply('desk', 3, 'four')).toEqual({ replayed: true, result: { ok: true } });
    expect(apply('laptop', 1, 'three')).toEqual({ replayed: true, result: { ok: true } });
    expect(apply('laptop', 2, 'five')).toEqual({ replayed: false, result: { ok: true } });
  });
});
