import { afterEach, describe, expect, it } from 'vitest';
import type { Mutation } from '../../../protocol/mutations.ts';
import { DEFAULT_LOG_RETENTION, resolveLogRetention } from '../../../server/domain/log-retention.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let t: TestDomain | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const tag = (conversationId: string, name: string): Mutation => ({ name: 'conversation.addTag', args: { conversationId, tag: name } });

describe('log retention policy', () => {
  it('keeps the change log forever and answers 30 days by default; SWITCHBOARD_CHANGE_LOG_DAYS bounds the log; nonsense is refused', () => {
    expect(resolveLogRetention({}, {})).toEqual(DEFAULT_LOG_RETENTION);
    expect(DEFAULT_LOG_RETENTION).toEqual({ changeLogKeepMs: null, answersKeepMs: 30 * DAY, intervalMs: HOUR });
    expect(resolveLogRetention({}, { SWITCHBOARD_CHANGE_LOG_DAYS: '90' }).changeLogKeepMs).toBe(90 * DAY);
    expect(resolveLogRetention({ changeLogKeepMs: 5 }, { SWITCHBOARD_CHANGE_LOG_DAYS: '90' }).changeLogKeepMs).toBe(5);
    expect(() => resolveLogRetention({}, { SWITCHBOARD_CHANGE_LOG_DAYS: 'a quarter' })).toThrow(/at least 1/);
    expect(() => resolveLogRetention({}, { SWITCHBOARD_CHANGE_LOG_DAYS: '0' })).toThrow(/at least 1/);
    expect(() => resolveLogRetention({ intervalMs: 0 }, {})).toThrow(/logRetention.intervalMs/);
  });
});

describe('log retention', () => {
  it('by default never compacts the change log: it is the audit trail', async () => {
    let now = 1_000 * DAY;
    t = await openTestDomain({ clock: () => now });
    const before = (await t.storage.transaction(async (tx) => await tx.readChanges(0, ['inbox:inbox_sales'], 100_000))).length;
    await t.domain.applyLogRetention();
    now += 400 * DAY;
    expect((await t.domain.applyLogRetention())?.compactedThrough).toBeNull();
    expect(await t.domain.servableFloor()).toBe(0);
    expect(await t.storage.transaction(async (tx) => await tx.readChanges(0, ['inbox:inbox_sales'], 100_000))).toHaveLength(before);
  });

  it('bounded, compacts through the head noted at least that long ago, and keeps what is newer', async () => {
    let now = 1_000 * DAY;
    t = await openTestDomain({ clock: () => now, logRetention: { changeLogKeepMs: 30 * DAY } });
    const { domain } = t;
    expect(await domain.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 0 });
    const headThen = await domain.head();

    now += 10 * DAY;
    expect(await t.apply('user_sam', tag('conv_sales_0001', 'vip'))).toEqual({ ok: true });
    const headLater = await domain.head();
    expect(headLater).toBeGreaterThan(headThen);
    expect(await domain.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 0 });
    expect(await domain.servableFloor()).toBe(0);

    now += 20 * DAY; // the first note is now 30 days old, the second 20
    expect((await domain.applyLogRetention())?.compactedThrough).toBe(headThen);
    expect(await domain.servableFloor()).toBe(headThen);
    const left = await t.storage.transaction(async (tx) => await tx.readChanges(0, ['inbox:inbox_sales'], 10_000));
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((e) => e.seq > headThen)).toBe(true);
    expect(t.logs).toContain(`log retention: change log compacted through #${headThen} (entries older than 30 days)`);

    now += 10 * DAY; // now the tag's entries are 30 days old too
    expect((await domain.applyLogRetention())?.compactedThrough).toBe(headLater);
    expect(await t.storage.transaction(async (tx) => await tx.readChanges(0, ['inbox:inbox_sales'], 10))).toEqual([]);
    expect(await domain.head()).toBe(headLater); // the seq counter survives: new entries never reuse a served seq
    expect(await domain.applyLogRetention()).toEqual({ compactedThrough: null, prunedAnswers: 0 });
  });

  it("deletes mutation answers older than 30 days but each client's latest, so an old id is never taken for a new one", async () => {
    let now = 1_000 * DAY;
    t = await openTestDomain({ clock: () => now });
    const { domain } = t;
    const sam = await t.user('user_sam');
    const apply = async (clientId: string, id: number, name: string) => await domain.applyMutation(sam, clientId, id, tag('conv_sales_0001', name));
    expect((await apply('desk', 1, 'one')).result).toEqual({ ok: true });
    expect((await apply('desk', 2, 'two')).result).toEqual({ ok: true });
    expect((await apply('laptop', 1, 'three')).result).toEqual({ ok: true });
    now += 29 * DAY;
    expect((await domain.applyLogRetention())?.prunedAnswers).toBe(0);
    now += 2 * DAY;
    expect((await apply('desk', 3, 'four')).result).toEqual({ ok: true });

    expect((await domain.applyLogRetention())?.prunedAnswers).toBe(2); // desk #1 and #2; laptop #1 is its latest
    expect(t.logs).toContain('log retention: deleted 2 mutation answers older than 30 days');
    // Replays: the pruned answer cannot be replayed, so the old id is refused rather than applied twice.
    expect(await apply('desk', 2, 'two')).toMatchObject({ replayed: true, result: { ok: false, code: 'conflict' } });
    expect(await apply('desk', 3, 'four')).toEqual({ replayed: true, result: { ok: true } });
    expect(await apply('laptop', 1, 'three')).toEqual({ replayed: true, result: { ok: true } });
    expect(await apply('laptop', 2, 'five')).toEqual({ replayed: false, result: { ok: true } });
  });
});
