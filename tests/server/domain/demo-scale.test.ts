import { fc, test as propertyTest } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeEntry } from '../../../protocol/sync.ts';
import { scope } from '../../../protocol/scope.ts';
import { DEMO_BASE_CONVERSATIONS, DEMO_SCALE_PROGRESS, growDemoWorkspace, parseDemoSize } from '../../../server/domain/demo-scale.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

let t: TestDomain | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function countOf(td: TestDomain, kind: 'conversation' | 'message', inboxId: string): Promise<number> {
  let n = 0;
  let after = '';
  for (;;) {
    const page = await td.storage.transaction((tx) => tx.list(kind, { inboxId }, after, 5_000), { kind: 'read' });
    n += page.length;
    if (page.length < 5_000) return n;
    after = (page[page.length - 1] as { id: string }).id;
  }
}

describe('SWITCHBOARD_DEMO_SIZE: the large demo workspace', () => {
  it('grows the demo to the asked number of conversations with about ten valid messages each, resuming from its mark', async () => {
    t = await openTestDomain({ startDelivery: false });
    const write = <T>(fn: Parameters<TestDomain['storage']['transaction']>[0]) => t!.domain.write(fn as never) as Promise<T>;
    const before = (await countOf(t, 'conversation', 'inbox_sales')) + (await countOf(t, 'conversation', 'inbox_support'));
    expect(before).toBe(DEMO_BASE_CONVERSATIONS);
    const DEMO_BASE_MESSAGES = (await countOf(t, 'message', 'inbox_sales')) + (await countOf(t, 'message', 'inbox_support'));

    // An interrupted first start: the first 700 are written, then the start is repeated with the full size.
    const seen: number[] = [];
    expect(await growDemoWorkspace(write, DEMO_BASE_CONVERSATIONS + 700, 1_800_000_000_000, (done) => seen.push(done))).toBe(700);
    expect(await growDemoWorkspace(write, DEMO_BASE_CONVERSATIONS + 2_500, 1_800_000_000_000, (done) => seen.push(done))).toBe(1_800);
    expect(seen).toEqual([700, 1_700, 2_500]);
    expect(await growDemoWorkspace(write, DEMO_BASE_CONVERSATIONS + 2_500, 1_800_000_000_000)).toBe(0);
    expect(await t.storage.transaction((tx) => tx.getMeta(DEMO_SCALE_PROGRESS))).toBe('2500');

    const conversations = (await countOf(t, 'conversation', 'inbox_sales')) + (await countOf(t, 'conversation', 'inbox_support'));
    expect(conversations).toBe(DEMO_BASE_CONVERSATIONS + 2_500);
    const messages = (await countOf(t, 'message', 'inbox_sales')) + (await countOf(t, 'message', 'inbox_support'));
    const generatedPerConversation = (messages - DEMO_BASE_MESSAGES) / 2_500;
    expect(generatedPerConversation).toBeGreaterThan(8);
    expect(generatedPerConversation).toBeLessThan(12);

    // Every generated record is one a client accepts, and travels in the change log with it.
    const entries = await t.storage.transaction((tx) => tx.readChanges(0, [scope.org('org_demo'), scope.inbox('inbox_sales'), scope.inbox('inbox_support'), scope.user('user_maya')], 10_000_000));
    const big = entries.filter((e) => e.op === 'put' && e.record.id.includes('big_'));
    expect(big.length).toBeGreaterThan(2_500 * 9);
    for (const e of big) expect(ChangeEntry.safeParse(e).success, JSON.stringify(e)).toBe(true);
  });

  it('is the same workspace on every machine (deterministic ids and content)', async () => {
    const bodies: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const td = await openTestDomain({ startDelivery: false });
      await growDemoWorkspace((fn) => td.domain.write(fn), DEMO_BASE_CONVERSATIONS + 50, 1_800_000_000_000);
      bodies.push((await td.storage.transaction((tx) => tx.recentMessagesOfConversation('conv_big_17', 100))).map((m) => `${m.id}:${m.body}:${m.createdAt}`));
      await td.close();
    }
    expect(bodies[0]?.length).toBeGreaterThanOrEqual(4);
    expect(bodies[0]).toEqual(bodies[1]);
  });
});

describe('parseDemoSize', () => {
  it('reads unset and empty as no large demo', () => {
    expect(parseDemoSize(undefined)).toBeNull();
    expect(parseDemoSize('  ')).toBeNull();
    expect(parseDemoSize('100_000')).toBe(100_000);
  });
  propertyTest.prop([fc.string()])('refuses anything but a whole number in range, naming the variable', (raw) => {
    let value: number | null = null;
    try {
      value = parseDemoSize(raw);
    } catch (err) {
      expect(String(err)).toContain('SWITCHBOARD_DEMO_SIZE');
      return;
    }
    if (value !== null) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(DEMO_BASE_CONVERSATIONS);
    }
  });
});
