import { fc } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { compareListPositions } from '../../protocol/conversation-views.ts';
import { HISTORY_PATHS, type ConversationCursor } from '../../protocol/history.ts';
import type { RunningServer } from '../../server/app.ts';
import { inProcessClient, MAYA, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';
import { listQueryArb } from '../support/list-query-arbitrary.ts';
import { startServerForTest } from './support/test-server.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function demoServer(): Promise<RunningServer> {
  const dir = tempDir('sb-history-');
  cleanups.push(() => dir.cleanup());
  const srv = await startServerForTest({ dataDir: dir.dir, port: 0, demo: true, log: () => {} });
  cleanups.push(() => srv.close());
  return srv;
}

async function tokenOf(url: string, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  return ((await res.json()) as { token: string }).token;
}

/** The parts of the answers these tests read (each answer is checked by status first). */
type Json = { records: Array<{ entity: string; scope: string; record: { id: string } }>; next: ConversationCursor | null; hits: Array<{ scope: string }>; head: number };

async function post(url: string, path: string, token: string | null, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

describe('history API over HTTP (issue 13)', () => {
  it('answers 401 without a token, 400 for a body it refuses, and 404 alike for a conversation one may not see and one that does not exist', async () => {
    const srv = await demoServer();
    const maya = await tokenOf(srv.url, MAYA);
    const sam = await tokenOf(srv.url, SAM);
    const list = await post(srv.url, HISTORY_PATHS.conversations, maya, { query: { inboxId: 'inbox_support' }, after: null, limit: 1 });
    const support = list.json.records.find((r) => r.entity === 'conversation')!.record.id;

    expect((await post(srv.url, HISTORY_PATHS.messages, null, { conversationId: support, before: null, limit: 10 })).status).toBe(401);
    expect((await post(srv.url, HISTORY_PATHS.messages, sam, { conversationId: support, before: null, limit: 0 })).status).toBe(400);
    const hidden = await post(srv.url, HISTORY_PATHS.messages, sam, { conversationId: support, before: null, limit: 10 });
    const missing = await post(srv.url, HISTORY_PATHS.messages, sam, { conversationId: 'conv_missing', before: null, limit: 10 });
    expect(hidden).toEqual(missing);
    expect(hidden.status).toBe(404);
    expect((await post(srv.url, HISTORY_PATHS.totals, sam, { query: { inboxId: 'inbox_support' } })).status).toBe(404);
    expect((await post(srv.url, HISTORY_PATHS.totals, sam, { query: { inboxId: 'inbox_nope' } })).status).toBe(404);

    const mine = await post(srv.url, HISTORY_PATHS.messages, maya, { conversationId: support, before: null, limit: 10 });
    expect(mine.status).toBe(200);
    expect(mine.json.records.length).toBeGreaterThan(0);
    expect(mine.json.records.every((r) => r.scope === 'inbox:inbox_support')).toBe(true);
    expect(mine.json.head).toBeGreaterThan(0);

    // messagesThrough: the same boundary, and a message must belong to the conversation named.
    const oneMessage = mine.json.records.find((r) => r.entity === 'message')!.record.id;
    const through = (token: string | null, body: unknown) => post(srv.url, HISTORY_PATHS.messagesThrough, token, body);
    expect((await through(null, { conversationId: support, before: null, messageId: oneMessage })).status).toBe(401);
    expect((await through(sam, { conversationId: support, before: null })).status).toBe(400);
    expect((await through(sam, { conversationId: support, before: null, messageId: oneMessage })).status).toBe(404);
    const sales = await post(srv.url, HISTORY_PATHS.conversations, maya, { query: { inboxId: 'inbox_sales' }, after: null, limit: 1 });
    const otherConversation = sales.json.records.find((r) => r.entity === 'conversation')!.record.id;
    expect((await through(maya, { conversationId: otherConversation, before: null, messageId: oneMessage })).status).toBe(404);
    const reached = await through(maya, { conversationId: support, before: null, messageId: oneMessage });
    expect(reached.status).toBe(200);
    expect(reached.json.records.some((r) => r.entity === 'message' && r.record.id === oneMessage)).toBe(true);

    const found = await post(srv.url, HISTORY_PATHS.search, sam, { text: 'order', limit: 50 });
    expect(found.status).toBe(200);
    expect(found.json.hits.length).toBeGreaterThan(0);
    expect(found.json.hits.every((h) => ['inbox:inbox_sales', 'inbox:private_user_sam', 'org:org_demo', 'user:user_sam'].includes(h.scope))).toBe(true);
  });

  it('the server’s lists and totals are what a fully synced cache lists and counts, for any view', async () => {
    const srv = await demoServer();
    const dir = tempDir('sb-history-client-');
    cleanups.push(() => dir.cleanup());
    const client = await inProcessClient(dir.dir, { syncWindow: null });
    cleanups.push(() => client.close());
    await client.call('session.signIn', { serverUrl: srv.url, ...MAYA });
    await waitFor('the full first sync', async () => ((await client.call('app.state', {})).syncProgress === null ? (await client.call('conversations.list', { query: {}, offset: 0, limit: 1 })).total > 0 : false));
    const token = await tokenOf(srv.url, MAYA);
    const views = listQueryArb({ inboxIds: ['inbox_sales', 'inbox_support'], channelIds: ['ch_sales_sms', 'ch_support_wa'], tags: ['vip', 'billing'] });
    await fc.assert(
      fc.asyncProperty(views, async (query) => {
        const cached = await client.call('conversations.list', { query, offset: 0, limit: 200 });
        // The client labels where its counts came from (`source`); the server's answer is the counts alone.
        const { open, closed, me, others, unassigned, withMe } = await client.call('conversations.counts', { inboxId: query.channelId === null ? query.inboxId : null, channelId: query.channelId });
        const counts = { open, closed, me, others, unassigned, withMe };
        const totals = await post(srv.url, HISTORY_PATHS.totals, token, { query });
        expect(totals.json).toMatchObject({ total: cached.total, counts });
        const ids: string[] = [];
        const keys: ConversationCursor[] = [];
        let after: ConversationCursor | null = null;
        for (let page = 0; page < 100; page++) {
          const a = await post(srv.url, HISTORY_PATHS.conversations, token, { query, after, limit: 50 });
          expect(a.status).toBe(200);
          ids.push(...a.json.records.filter((r) => r.entity === 'conversation').map((r) => r.record.id));
          if (a.json.next) keys.push(a.json.next);
          if (!a.json.next) break;
          after = a.json.next;
        }
        expect([...ids].sort()).toEqual(cached.items.map((i) => i.id).sort());
        for (let i = 1; i < keys.length; i++) expect(compareListPositions(query.sort, keys[i - 1]!, keys[i]!)).toBeLessThan(0);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
