import { afterEach, describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../protocol/domain.ts';
import { FIRST_LIST_QUERY, HISTORY_PATHS, OPEN_FIRST_CONVERSATIONS, type TotalsAnswer } from '../../protocol/history.ts';
import type { ConversationListPage, ListCounts, SyncProgress } from '../../protocol/ipc.ts';
import { inProcessClient, MAYA, tempDir, waitFor } from './fixtures/client-harness.ts';
import { startSyncGate } from './support/sync-gate.ts';
import { startServerForTest } from './support/test-server.ts';

/**
 * A client core signing in to a real server through a gate that holds the sync stream right after the `openFirst`
 * phase (issue 13): the inbox is usable — sidebar, the default list's first page, the server's counts — and the
 * IPC answers while the rest of the window waits; once it is let through, the window is whole.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function api<T>(url: string, path: string, token: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const ids = (page: ConversationListPage): string[] => page.items.map((i) => i.id).sort();
const countsOf = (c: ListCounts) => ({ open: c.open, closed: c.closed, me: c.me, others: c.others, unassigned: c.unassigned, withMe: c.withMe });

describe('a client core usable after the openFirst phase (issue 13)', () => {
  it('shows the first page with the server counts and answers IPC while the rest is held, then holds the whole window', async () => {
    const serverDir = tempDir('sb-first-page-server-');
    cleanups.push(() => serverDir.cleanup());
    const srv = await startServerForTest({ dataDir: serverDir.dir, port: 0, demo: true, demoSize: 160, log: () => {} });
    cleanups.push(() => srv.close());
    const gate = await startSyncGate(srv.url, (f) => f.type === 'phaseDone' && f.phase === 'openFirst');
    cleanups.push(() => gate.close());
    const clientDir = tempDir('sb-first-page-client-');
    cleanups.push(() => clientDir.cleanup());
    const client = await inProcessClient(clientDir.dir);
    cleanups.push(() => client.close());
    const progress: SyncProgress[] = [];
    client.core.events.on('syncProgress', (p) => progress.push(p));

    // What the server answers for the list shown first (over everything Maya may see).
    const { token } = (await (await fetch(new URL('/api/session', srv.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MAYA) })).json()) as { token: string };
    const page = await api<{ records: EntityRecord[] }>(srv.url, HISTORY_PATHS.conversations, token, { query: FIRST_LIST_QUERY, after: null, limit: OPEN_FIRST_CONVERSATIONS });
    const firstPage = page.records.filter((r) => r.entity === 'conversation').map((r) => r.record.id).sort();
    const totals = await api<TotalsAnswer>(srv.url, HISTORY_PATHS.totals, token, { query: FIRST_LIST_QUERY });
    expect(firstPage.length).toBe(OPEN_FIRST_CONVERSATIONS);
    expect(totals.total).toBeGreaterThan(OPEN_FIRST_CONVERSATIONS);

    await client.call('session.signIn', { serverUrl: gate.url, ...MAYA });
    const usable = await waitFor('a usable inbox', () => progress.findLast((p) => p.usable));
    expect(usable).toMatchObject({ syncing: true, usable: true, phase: 'openFirst' });
    // The rest of the window is on its way and held.
    await waitFor('frames held after openFirst', () => gate.held() > 0);

    const sidebar = await client.call('sidebar.get', {});
    expect(sidebar.inboxes.length).toBeGreaterThan(0);
    const shown = await client.call('conversations.list', { query: {}, offset: 0, limit: OPEN_FIRST_CONVERSATIONS });
    expect(ids(shown)).toEqual(firstPage);
    expect(shown).toMatchObject({ total: totals.total, totalSource: 'server' });
    const counts = await client.call('conversations.counts', {});
    expect(counts.source).toBe('server');
    expect(countsOf(counts)).toEqual(countsOf(totals.counts));
    // Nothing past the first page is cached yet, and paging does not fetch what the stream will bring.
    expect((await client.call('conversations.list', { query: {}, offset: OPEN_FIRST_CONVERSATIONS, limit: 50 })).items).toEqual([]);
    expect(gate.holding()).toBe(true);
    expect((await client.call('app.state', {})).syncProgress).toMatchObject({ syncing: true, usable: true, phase: 'openFirst' });

    gate.release();
    await waitFor('the whole window', async () => (await client.call('app.state', {})).syncProgress === null, 60_000);
    expect(progress.at(-1)).toMatchObject({ syncing: false, usable: true, phase: 'done' });
    // Phases never went back, and once usable the inbox stayed usable.
    const order = ['sidebar', 'openFirst', 'open', 'recent', 'contacts', 'done'];
    const seen = progress.map((p) => order.indexOf(p.phase ?? 'sidebar'));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(progress.slice(progress.findIndex((p) => p.usable)).every((p) => p.usable)).toBe(true);

    const all: string[] = [];
    for (let offset = 0; ; offset += 200) {
      const rows = await client.call('conversations.list', { query: {}, offset, limit: 200 });
      all.push(...rows.items.map((i) => i.id));
      if (rows.items.length < 200) break;
    }
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(totals.total);
    expect(ids(await client.call('conversations.list', { query: {}, offset: 0, limit: OPEN_FIRST_CONVERSATIONS }))).toEqual(firstPage);
    expect(countsOf(await client.call('conversations.counts', {}))).toEqual(countsOf(totals.counts));
  });
});
