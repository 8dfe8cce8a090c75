import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { adminArgsFor, startServerForTest } from './support/test-server.ts';
import { runSharedWorkstationCli } from '../../server/admin/shared-workstation-cli.ts';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { cacheFilePath } from '../../main/core/cache/cache-file.ts';
import { memoryTokenVault } from '../../main/core/token-vault.ts';
import { createIpcRouter } from '../../main/ipc-router.ts';
import { SafeStorageCacheKeyVault } from '../../main/shell/cache-key-vault.ts';
import { SafeStorageTokenVault } from '../../main/shell/token-vault.ts';
import type { ContactSummary, ConversationListPage, MessagesPage } from '../../protocol/ipc.ts';
import { FakeSafeStorage } from '../main/shell/fake-electron.ts';
import { filesContaining, openClientCache } from './fixtures/client-cache.ts';
import { childClient, inProcessClient, injectInbound, MAYA, SAM, tempDir, waitFor, type CoreClient } from './fixtures/client-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A core built by the test (its own vaults), driven like the harness's clients. */
function asClient(core: ClientCore): CoreClient {
  const router = createIpcRouter(core.handlers);
  return {
    events: {},
    close: () => core.close(),
    call: async (method, input) => {
      const result = await router.call(method, input);
      if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
      return result.value as never;
    },
  };
}

interface Rig {
  srv: RunningServer;
  serverDir: string;
  clientDir: string;
}

async function rig(options: { shared?: boolean } = {}): Promise<Rig> {
  const serverDir = tempDir('sb-server-');
  const clientDir = tempDir('sb-client-');
  cleanups.push(serverDir.cleanup, clientDir.cleanup);
  const srv = await startServerForTest({ dataDir: serverDir.dir, port: 0, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  cleanups.push(() => srv.close());
  if (options.shared) expect(await runSharedWorkstationCli(['on', ...(await adminArgsFor(serverDir.dir))], () => {})).toBe(0);
  return { srv, serverDir: serverDir.dir, clientDir: clientDir.dir };
}

/** What Sam leaves in his cache: a customer's message, a contact he made, and his reply (each text unique to this run). */
interface Traces {
  inbound: string;
  contactName: string;
  reply: string;
  conversationId: string;
  all: string[];
}

async function leaveTraces(client: CoreClient, serverUrl: string): Promise<Traces> {
  const tag = randomBytes(4).toString('hex');
  const inbound = `Where is parcel Quokka${tag}, please?`;
  const contactName = `Ottoline Brackenridge${tag}`;
  const reply = `Your parcel Wombat${tag} ships on Tuesday`;
  await waitFor('the first sync', async () => ((await client.call('conversations.list', { query: {}, offset: 0, limit: 1 })) as ConversationListPage).total > 0);
  const { conversationId } = await injectInbound(serverUrl, { channelId: 'ch_sales_sms', from: '+14155550142', body: inbound });
  await waitFor('the inbound message in the cache', async () =>
    ((await client.call('messages.list', { conversationId, limit: 200 })) as MessagesPage).items.some((m) => m.body === inbound),
  );
  await client.call('actions.createContact', { fields: { name: contactName, phones: ['+14155550142'] }, linkConversationId: conversationId });
  await waitFor('the contact in the cache', async () => ((await client.call('contacts.find', { text: contactName })) as ContactSummary[]).length > 0);
  await client.call('actions.sendMessage', { conversationId, body: reply });
  return { inbound, contactName, reply, conversationId, all: [inbound, contactName, reply] };
}

/** Sam's cache holds the traces (readable with the key the server holds) while no file under the data directory shows them. */
async function expectUnreadableButThere(r: Rig, traces: Traces): Promise<void> {
  expect(filesContaining(r.clientDir, traces.all)).toEqual([]);
  const db = await openClientCache({ serverDir: r.serverDir, clientDir: r.clientDir, serverUrl: r.srv.url, userId: 'user_sam' });
  try {
    expect(db.prepare('SELECT count(*) FROM messages WHERE body IN (?, ?)').pluck().get(traces.inbound, traces.reply)).toBe(2);
    expect(db.prepare('SELECT count(*) FROM contacts WHERE name = ?').pluck().get(traces.contactName)).toBe(1);
  } finally {
    db.close();
  }
}

describe('a shared workstation keeps nobody’s data readable', () => {
  it('(a) someone signs in over an open session: the previous cache is closed, and nothing of it is readable', async () => {
    const r = await rig();
    const client = await inProcessClient(r.clientDir);
    cleanups.push(() => client.close());
    await client.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    const traces = await leaveTraces(client, r.srv.url);
    await client.call('session.signIn', { serverUrl: r.srv.url, ...MAYA });
    await waitFor('Maya synced', async () => ((await client.call('conversations.list', { query: {}, offset: 0, limit: 1 })) as ConversationListPage).total > 0);
    expect(existsSync(cacheFilePath(r.clientDir, r.srv.url, 'user_sam'))).toBe(true);
    // Maya's cache holds the same shared inbox (the message and contact too): encrypted as well.
    expect(filesContaining(r.clientDir, traces.all)).toEqual([]);
    await client.close();
    await expectUnreadableButThere(r, traces);
  });

  it('(b) the app is killed while signed in, the next person signs in and out: nothing readable is left', async () => {
    const r = await rig();
    const first = await childClient(r.clientDir);
    cleanups.push(() => first.close());
    await first.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    const traces = await leaveTraces(first, r.srv.url);
    await first.kill();
    expect(existsSync(`${cacheFilePath(r.clientDir, r.srv.url, 'user_sam')}-wal`)).toBe(true);

    const next = await inProcessClient(r.clientDir);
    cleanups.push(() => next.close());
    expect((await next.call('app.state', {})).session.status).toBe('signedOut');
    await next.call('session.signIn', { serverUrl: r.srv.url, ...MAYA });
    await next.call('session.signOut', {});
    await next.close();
    await expectUnreadableButThere(r, traces);
  });

  it('(c) the session ends on the server while signed in: the cache is kept for its owner, unreadable to the next person', async () => {
    const r = await rig();
    const vault = memoryTokenVault();
    const core = await createClientCore({ dataDir: r.clientDir, defaultServerUrl: r.srv.url, tokenVault: vault });
    cleanups.push(() => core.close());
    const client = asClient(core);
    await client.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    const traces = await leaveTraces(client, r.srv.url);
    const token = (await vault.load())?.token as string;
    await fetch(`${r.srv.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    await waitFor('signed out by the server', async () => (await client.call('app.state', {})).session.status === 'signedOut');
    expect(filesContaining(r.clientDir, traces.all)).toEqual([]);

    await client.call('session.signIn', { serverUrl: r.srv.url, ...MAYA });
    await client.call('session.signOut', {});
    await core.close();
    await expectUnreadableButThere(r, traces);
  });

  it('shared-workstation mode: after a crash the same person signs in again and their unsent reply goes out', async () => {
    const r = await rig({ shared: true });
    const port = r.srv.port;
    const first = await childClient(r.clientDir);
    cleanups.push(() => first.close());
    await first.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    const traces = await leaveTraces(first, r.srv.url);
    await waitFor('the first reply sent', async () => (await first.call('app.state', {})).connection.pendingCount === 0);
    // The server goes away; a second reply waits in the outbox; the power goes.
    await r.srv.close();
    await waitFor('offline', async () => (await first.call('app.state', {})).connection.status !== 'online');
    const unsent = `Sorry for the wait Numbat${randomBytes(4).toString('hex')}`;
    const { messageId } = (await first.call('actions.sendMessage', { conversationId: traces.conversationId, body: unsent })) as { messageId: string };
    await first.kill();
    expect(filesContaining(r.clientDir, [...traces.all, unsent])).toEqual([]);

    r.srv = await startServerForTest({ dataDir: r.serverDir, port, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
    cleanups.push(() => r.srv.close());
    // Someone else uses the machine first: nothing of Sam's is opened or resumed.
    const next = await inProcessClient(r.clientDir);
    cleanups.push(() => next.close());
    expect((await next.call('app.state', {})).session.status).toBe('signedOut');
    await next.call('session.signIn', { serverUrl: r.srv.url, ...MAYA });
    await next.call('session.signOut', {});
    // Sam returns: the server hands back his key, his cache opens and the reply goes out.
    await next.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    const sent = await waitFor('the unsent reply delivered', async () => {
      const page = (await next.call('messages.list', { conversationId: traces.conversationId, limit: 200 })) as MessagesPage;
      const m = page.items.find((x) => x.id === messageId);
      return m && m.outbox === null && (m.displayStatus === 'sent' || m.displayStatus === 'delivered') ? m : undefined;
    }, 30_000);
    expect(sent.body).toBe(unsent);
    await next.close();
    expect(filesContaining(r.clientDir, [...traces.all, unsent])).toEqual([]);
  });
});

describe('cache keys on a personal machine and in shared-workstation mode (Electron vaults, fake safeStorage)', () => {
  const electronCore = async (r: Rig): Promise<CoreClient> =>
    asClient(
      await createClientCore({
      dataDir: r.clientDir,
      defaultServerUrl: r.srv.url,
      tokenVault: new SafeStorageTokenVault(new FakeSafeStorage(), join(r.clientDir, 'session.bin'), () => {}, 'darwin'),
      cacheKeyVault: new SafeStorageCacheKeyVault(new FakeSafeStorage(), join(r.clientDir, 'cache-keys.bin'), () => {}, 'darwin'),
      }),
    );

  it('personal mode: the key is kept with safeStorage, so an offline restart opens the cache as before', async () => {
    const r = await rig();
    const first = await electronCore(r);
    cleanups.push(() => first.close());
    await first.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    const traces = await leaveTraces(first, r.srv.url);
    await waitFor('the reply sent', async () => (await first.call('app.state', {})).connection.pendingCount === 0);
    await first.close();
    await r.srv.close();
    expect(existsSync(join(r.clientDir, 'cache-keys.bin'))).toBe(true);
    expect(filesContaining(r.clientDir, traces.all)).toEqual([]);

    // Offline restart: resumed from the vaults, the cache opens and shows what it held.
    const second = await electronCore(r);
    cleanups.push(() => second.close());
    expect((await second.call('app.state', {})).session.status).toBe('signedIn');
    const page = (await second.call('messages.list', { conversationId: traces.conversationId, limit: 200 })) as MessagesPage;
    expect(page.items.map((m) => m.body)).toEqual(expect.arrayContaining([traces.inbound, traces.reply]));
    await second.close();
    expect(filesContaining(r.clientDir, traces.all)).toEqual([]);
  });

  it('shared mode: neither the session nor the key is written on the machine; a restart leaves nobody signed in', async () => {
    const r = await rig({ shared: true });
    const first = await electronCore(r);
    cleanups.push(() => first.close());
    await first.call('session.signIn', { serverUrl: r.srv.url, ...SAM });
    await waitFor('the first sync', async () => ((await first.call('conversations.list', { query: {}, offset: 0, limit: 1 })) as ConversationListPage).total > 0);
    expect(existsSync(join(r.clientDir, 'session.bin'))).toBe(false);
    expect(existsSync(join(r.clientDir, 'cache-keys.bin'))).toBe(false);
    await first.close();
    const second = await electronCore(r);
    cleanups.push(() => second.close());
    expect((await second.call('app.state', {})).session.status).toBe('signedOut');
  });
});
