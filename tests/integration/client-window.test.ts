import { afterEach, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../protocol/ipc.ts';
import { HISTORY_PATHS } from '../../protocol/history.ts';
import type { RunningServer } from '../../server/app.ts';
import { inProcessClient, injectInbound, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';
import { serverQuery } from './support/server-sql.ts';
import { databaseFor, startServerForTest } from './support/test-server.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function demo(): Promise<{ srv: RunningServer; dataDir: string }> {
  const dir = tempDir('sb-window-server-');
  cleanups.push(() => dir.cleanup());
  const srv = await startServerForTest({ dataDir: dir.dir, port: 0, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  cleanups.push(() => srv.close());
  return { srv, dataDir: dir.dir };
}

/** A client core with a small window: one message per open conversation, no closed conversation at all. */
async function windowedClient(serverUrl: string) {
  const dir = tempDir('sb-window-client-');
  cleanups.push(() => dir.cleanup());
  const client = await inProcessClient(dir.dir, { syncWindow: { messagesPerConversation: 1, closedDays: 0 } });
  cleanups.push(() => client.close());
  const progress: SyncProgress[] = [];
  client.core.events.on('syncProgress', (p) => progress.push(p));
  await client.call('session.signIn', { serverUrl, ...SAM });
  await waitFor('the window', async () => (await client.call('app.state', {})).syncProgress === null && progress.length > 0);
  return { client, progress };
}

describe('a client core on a windowed cache (issue 13)', () => {
  it('reports the phases, usable once the open conversations are in', async () => {
    const { srv } = await demo();
    const { client, progress } = await windowedClient(srv.url);
    // Events follow applied batches (several frames each), so a fast phase may pass unseen; they never go back.
    const order = ['sidebar', 'open', 'recent', 'contacts', 'done'];
    const phases = progress.map((p) => p.phase).filter((p) => p !== null && p !== undefined);
    expect(phases.map((p) => order.indexOf(p))).toEqual(phases.map((p) => order.indexOf(p)).sort((a, b) => a - b));
    expect(phases.at(-1)).toBe('done');
    for (const p of progress) if (p.syncing && p.usable) expect(['recent', 'contacts', 'done']).toContain(p.phase);
    expect(progress.some((p) => p.syncing && !p.usable)).toBe(true);
    // What the window holds is checked frame by frame in sync-window.test.ts; through IPC the history layer
    // (main/core/history/) may already answer from the server what the cache lacks.
    expect((await client.call('conversations.list', { query: { folder: 'open' }, offset: 0, limit: 1 })).total).toBeGreaterThan(0);
  });

  it('replies exactly once to a conversation whose history is not cached', async () => {
    const { srv, dataDir } = await demo();
    const { client } = await windowedClient(srv.url);
    const open = await client.call('conversations.list', { query: { folder: 'open', inboxId: 'inbox_sales' }, offset: 0, limit: 200 });
    const rows = await serverQuery<{ conversation_id: string; n: number }>(
      { ...(await databaseFor(dataDir)), dataDir },
      'SELECT conversation_id, count(*) AS n FROM messages GROUP BY conversation_id HAVING count(*) > 1',
    );
    const many = new Set(rows.map((r) => r.conversation_id));
    const target = open.items.find((i) => many.has(i.id) && i.channelKind === 'sms');
    expect(target).toBeDefined();
    const { messageId } = await client.call('actions.sendMessage', { conversationId: target!.id, body: 'Following up on this.' });
    await waitFor('the reply confirmed', async () => (await client.call('app.state', {})).connection.pendingCount === 0);
    const cached = await client.call('messages.list', { conversationId: target!.id, before: null, limit: 50 });
    expect(cached.items.map((m) => m.id)).toContain(messageId);
    expect(cached.items.filter((m) => m.id === messageId)).toHaveLength(1);
    const onServer = await serverQuery<{ n: number }>({ ...(await databaseFor(dataDir)), dataDir }, 'SELECT count(*) AS n FROM messages WHERE id = ?', messageId);
    expect(Number(onServer[0]?.n)).toBe(1);
  });

  it('lists a conversation outside the window once a customer writes in it again; the server tells its full history', async () => {
    const { srv } = await demo();
    const { client } = await windowedClient(srv.url);
    const token = ((await (await fetch(`${srv.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SAM) })).json()) as { token: string }).token;
    const closed = await fetch(`${srv.url}${HISTORY_PATHS.conversations}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: { folder: 'closed', inboxId: 'inbox_sales' }, after: null, limit: 50 }),
    });
    const records = ((await closed.json()) as { records: Array<{ entity: string; record: { id: string; customerAddress: string; channelId: string } }> }).records;
    const old = records.find((r) => r.entity === 'conversation' && r.record.channelId === 'ch_sales_sms')?.record;
    expect(old).toBeDefined();
    const { conversationId } = await injectInbound(srv.url, { channelId: 'ch_sales_sms', from: old!.customerAddress, body: 'Me again, years later' });
    await waitFor('the conversation listed', async () => {
      const list = await client.call('conversations.list', { query: { folder: 'open', inboxId: 'inbox_sales' }, offset: 0, limit: 200 });
      return list.items.some((i) => i.id === conversationId);
    });
  });
});
