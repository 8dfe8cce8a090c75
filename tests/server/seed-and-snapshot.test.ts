import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../protocol/domain.ts';
import type { Scope } from '../../protocol/scope.ts';
import { readSnapshotPage, type SnapshotCursor } from '../../server/domain/snapshot.ts';
import { DEMO_ACCOUNTS, seedDemoWorkspace } from '../../server/domain/demo-seed.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain();
});
afterEach(() => t.close());

async function allPages(target: Scope, limit: number): Promise<EntityRecord[][]> {
  const pages: EntityRecord[][] = [];
  let from: SnapshotCursor | null = null;
  do {
    const page = await t.storage.transaction(async (tx) => await readSnapshotPage(tx, target, from, limit));
    pages.push(page.records);
    from = page.next;
  } while (from);
  return pages;
}

describe('demo workspace', () => {
  it('has the agreed org, people, inboxes, channels, contacts, conversations and chats', async () => {
    const data = await t.storage.transaction(async (tx) => ({
      org: await tx.getOrg('org_demo'),
      users: await tx.list('user', { orgId: 'org_demo' }, '', 100),
      sales: await tx.list('channel', { inboxId: 'inbox_sales' }, '', 10),
      support: await tx.list('channel', { inboxId: 'inbox_support' }, '', 10),
      inboxes: [await tx.get('inbox', 'inbox_sales'), await tx.get('inbox', 'inbox_support')],
      contacts: await tx.list('contact', { orgId: 'org_demo', ownerId: null }, '', 1000),
      conversations: [...(await tx.list('conversation', { inboxId: 'inbox_sales' }, '', 1000)), ...(await tx.list('conversation', { inboxId: 'inbox_support' }, '', 1000))],
      chats: [await tx.get('chat', 'chat_maya_sam'), await tx.get('chat', 'chat_floor_leads')],
    }));
    expect(data.org?.name).toBe('Northwind Outfitters');
    expect(data.users.map((u) => [u.email, u.role])).toEqual(
      expect.arrayContaining(DEMO_ACCOUNTS.map((a) => [a.email, a.role])),
    );
    expect(data.inboxes.map((i) => [i?.name, i?.assignmentMode])).toEqual([['Sales', true], ['Support', true]]);
    expect(data.sales.map((c) => c.id).sort()).toEqual(['ch_sales_sms', 'ch_sales_wa', 'ch_sales_web']);
    expect(data.support.map((c) => c.id).sort()).toEqual(['ch_support_sms', 'ch_support_wa', 'ch_support_web']);
    expect(data.sales.find((c) => c.kind === 'sms')?.registration).toBe('approved');
    expect(data.contacts).toHaveLength(50);
    expect(data.conversations).toHaveLength(200);
    const oldest = Math.min(...data.conversations.map((c) => c.createdAt));
    expect(Date.now() - oldest).toBeLessThanOrEqual(31 * 24 * 3600 * 1000);
    expect(data.chats.map((c) => c?.memberIds.length)).toEqual([2, 3]);
    expect(data.chats[1]?.name).toBe('Floor leads');
    // inbox:private_user_maya: her private texting number (SPEC (3)).
    expect((await t.domain.scopesOf('user_maya')).sort()).toEqual(['chat:chat_floor_leads', 'chat:chat_maya_sam', 'inbox:inbox_sales', 'inbox:inbox_support', 'inbox:private_user_maya', 'org:org_demo', 'user:user_maya']);
    expect((await t.domain.scopesOf('user_alex')).sort()).toEqual(['chat:chat_floor_leads', 'inbox:inbox_support', 'org:org_demo', 'user:user_alex']);
  });

  it('is deterministic', async () => {
    const other = await openTestDomain({ seed: false });
    try {
      const now = 1_800_000_000_000;
      const dump = async (d: TestDomain) => {
        await d.storage.transaction(async (tx) => await seedDemoWorkspace(tx, now));
        return await d.storage.transaction(async (tx) => await tx.readChanges(0, ['inbox:inbox_sales', 'inbox:inbox_support', 'org:org_demo', 'chat:chat_floor_leads'], 100_000));
      };
      const second = await openTestDomain({ seed: false });
      try {
        expect(await dump(other)).toEqual(await dump(second));
      } finally {
        await second.close();
      }
    } finally {
      await other.close();
    }
  });
});

describe('snapshots', () => {
  it('page a scope within the limit, each record once, and hold only that scope', async () => {
    const pages = await allPages('inbox:inbox_sales', 97);
    expect(pages.every((p) => p.length <= 97)).toBe(true);
    const records = pages.flat();
    const keys = records.map((r) => `${r.entity}:${r.record.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(records[0]).toMatchObject({ entity: 'inbox', record: { id: 'inbox_sales' } });
    for (const r of records) {
      if (r.entity === 'conversation' || r.entity === 'channel' || r.entity === 'inboxMember') expect(r.record.inboxId).toBe('inbox_sales');
      if (r.entity === 'message') expect(r.record.conversationId).toMatch(/^conv_sales_/);
    }
    expect(records.filter((r) => r.entity === 'conversation')).toHaveLength(100);
  });

  it('give a user their own read states and the org its shared directory', async () => {
    const user = (await allPages('user:user_sam', 500)).flat();
    expect(user.length).toBeGreaterThan(0);
    expect(user.every((r) => r.entity === 'conversationUserState' && r.record.userId === 'user_sam')).toBe(true);
    const org = (await allPages('org:org_demo', 500)).flat();
    expect(org.filter((r) => r.entity === 'user')).toHaveLength(4);
    expect(org.filter((r) => r.entity === 'contact')).toHaveLength(50);
  });
});
