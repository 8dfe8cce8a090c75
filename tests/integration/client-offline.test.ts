import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { startServerForTest } from './support/test-server.ts';
import { openClientCache } from './fixtures/client-cache.ts';
import type { ConnectionState, ConversationListPage, MessagesPage } from '../../protocol/ipc.ts';
import { childClient, inProcessClient, MAYA, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startDemo = (dataDir: string, port = 0): Promise<RunningServer> =>
  startServerForTest({ dataDir, port, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });

async function readCache(at: Parameters<typeof openClientCache>[0]): Promise<{ clientId: string; outbox: { mutation_id: number; state: string }[] }> {
  const db = await openClientCache(at);
  try {
    return {
      clientId: db.prepare("SELECT value FROM meta WHERE key = 'clientId'").pluck().get() as string,
      outbox: db.prepare('SELECT mutation_id, state FROM outbox ORDER BY mutation_id').all() as { mutation_id: number; state: string }[],
    };
  } finally {
    db.close();
  }
}

describe('offline replies survive a killed client', () => {
  it('three replies queued offline, process killed, restarted: the server gets exactly those three, in order', async () => {
    const serverDir = tempDir('sb-server-');
    const clientDir = tempDir('sb-client-');
    cleanups.push(serverDir.cleanup, clientDir.cleanup);
    let srv = await startDemo(serverDir.dir);
    const { port, url } = srv;
    cleanups.push(() => srv.close());

    // 1. Sam signs in and syncs.
    const first = await childClient(clientDir.dir);
    cleanups.push(() => first.close());
    await first.call('session.signIn', { serverUrl: url, ...SAM });
    const list = await waitFor('the first sync', async () => {
      const page: ConversationListPage = await first.call('conversations.list', { query: {}, offset: 0, limit: 1 });
      return page.items.length > 0 && (await first.call('app.state', {})).syncProgress === null ? page : undefined;
    });
    const conversationId = list.items[0]?.id as string;
    const before: MessagesPage = await first.call('messages.list', { conversationId, limit: 200 });

    // 2. The server goes away; three replies are queued.
    await srv.close();
    await waitFor('the client to go offline', async () => (await first.call('app.state', {})).connection.status !== 'online');
    const bodies = ['Offline reply one', 'Offline reply two', 'Offline reply three'];
    const ids: string[] = [];
    for (const body of bodies) ids.push((await first.call('actions.sendMessage', { conversationId, body })).messageId);
    const queued: MessagesPage = await first.call('messages.list', { conversationId, limit: 200 });
    expect(queued.items.slice(-3).map((m) => [m.id, m.displayStatus])).toEqual(ids.map((id) => [id, 'pending']));
    expect(((await first.call('app.state', {})).connection as ConnectionState).pendingCount).toBe(3);

    // 3. kill -9, mid-everything.
    await first.kill();
    const cacheAt = { serverDir: serverDir.dir, clientDir: clientDir.dir, serverUrl: url, userId: 'user_sam' };
    const onDisk = await readCache(cacheAt);
    expect(onDisk.outbox).toEqual([
      { mutation_id: 1, state: 'pending' },
      { mutation_id: 2, state: 'pending' },
      { mutation_id: 3, state: 'pending' },
    ]);

    // 4. The server comes back; Sam starts the app again and signs in: same cache, same clientId.
    srv = await startDemo(serverDir.dir, port);
    const second = await childClient(clientDir.dir);
    cleanups.push(() => second.close());
    await second.call('session.signIn', { serverUrl: url, ...SAM });
    const sent = await waitFor('the replies to be sent', async () => {
      const page: MessagesPage = await second.call('messages.list', { conversationId, limit: 200 });
      const mine = page.items.filter((m) => ids.includes(m.id));
      return mine.length === 3 && mine.every((m) => m.displayStatus === 'sent' || m.displayStatus === 'delivered') ? mine : undefined;
    }, 30_000);
    expect(sent.map((m) => m.body)).toEqual(bodies);
    expect(sent.every((m) => m.outbox === null)).toBe(true);
    await waitFor('an empty outbox', async () => (await second.call('app.state', {})).connection.pendingCount === 0);
    expect((await readCache(cacheAt)).clientId).toBe(onDisk.clientId);

    // 5. What the server holds, seen by another person: exactly three new messages, in order.
    const mayaDir = tempDir('sb-client-');
    cleanups.push(mayaDir.cleanup);
    const maya = await inProcessClient(mayaDir.dir);
    cleanups.push(() => maya.close());
    await maya.call('session.signIn', { serverUrl: url, ...MAYA });
    const seen = await waitFor('Maya to see the conversation', async () => {
      const page: MessagesPage = await maya.call('messages.list', { conversationId, limit: 200 });
      return page.items.length >= before.items.length + 3 ? page : undefined;
    });
    expect(seen.items.length).toBe(before.items.length + 3);
    const added = seen.items.filter((m) => !before.items.some((b) => b.id === m.id));
    expect(added.map((m) => [m.id, m.body, m.direction, m.authorId])).toEqual(ids.map((id, i) => [id, bodies[i], 'out', 'user_sam']));
    expect(added.map((m) => m.createdAt)).toEqual([...added.map((m) => m.createdAt)].sort((a, b) => a - b));
  });
});
