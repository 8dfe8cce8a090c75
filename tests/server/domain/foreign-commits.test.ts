import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { Domain } from '../../../server/domain/domain.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

let t: TestDomain | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('commits made by another process', () => {
  it('are noticed once and passed to the feed; commits of this process are not noticed again', async () => {
    t = await openTestDomain();
    const heads: number[] = [];
    const origins: string[] = [];
    t.domain.feed.on('committed', (head, origin) => {
      heads.push(head);
      origins.push(origin);
    });
    expect(await t.domain.noticeForeignCommits()).toBe(false);

    // A second connection to the same file, as an admin command in its own process has.
    const other = openSqliteStorage({ file: t.file });
    try {
      const admin = await Domain.open({ storage: other });
      await admin.providers.setWhatsAppTemplates('ch_sales_wa', []);
      admin.close();
    } finally {
      await other.close();
    }
    expect(heads).toEqual([]);
    expect(await t.domain.noticeForeignCommits()).toBe(true);
    expect(heads).toEqual([await t.domain.head()]);
    expect(origins).toEqual(['elsewhere']);
    expect(await t.domain.noticeForeignCommits()).toBe(false);

    await t.domain.providers.setWhatsAppTemplates('ch_sales_wa', []);
    expect(heads).toHaveLength(2);
    expect(await t.domain.noticeForeignCommits()).toBe(false);
  });

  it('a poke for a head already passed on does not ask the database; a newer one does, and is told as noticed', async () => {
    const d = await openTestDomain();
    const heads: Array<[number, string]> = [];
    d.domain.feed.on('committed', (head, origin) => heads.push([head, origin]));
    await d.domain.providers.setWhatsAppTemplates('ch_sales_wa', []);
    const head = await d.domain.head();
    expect(heads).toEqual([[head, 'here']]);
    await d.storage.close();
    expect(await d.domain.noticeForeignCommits(head)).toBe(false);
    expect(d.logs.filter((l) => l.startsWith('could not read'))).toEqual([]);
    // A newer head than any passed on: the database is asked (here it is closed, so that is reported).
    expect(await d.domain.noticeForeignCommits(head + 1)).toBe(false);
    expect(d.logs).toContainEqual(expect.stringMatching(/^could not read the change log head: /));
    d.domain.close();
  });

  it('reports a database it cannot read instead of throwing (it runs on a timer)', async () => {
    const d = await openTestDomain();
    await d.storage.close();
    expect(await d.domain.noticeForeignCommits()).toBe(false);
    expect(d.logs).toContainEqual(expect.stringMatching(/^could not read the change log head: /));
    d.domain.close();
  });
});
