import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { startServerForTest } from './support/test-server.ts';
import { createClientCore } from '../../main/core/client-core.ts';
import { memoryTokenVault } from '../../main/core/token-vault.ts';
import { memoryCacheKeyVault } from '../../main/core/cache-key-vault.ts';
import { createIpcRouter } from '../../main/ipc-router.ts';
import type { ConversationDetail, ConversationListPage, IpcOutput, MessagesPage, SessionState } from '../../protocol/ipc.ts';
import { inProcessClient, injectInbound, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function demoServer(): Promise<RunningServer> {
  const dir = tempDir('sb-server-');
  const srv = await startServerForTest({ dataDir: dir.dir, port: 0, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  cleanups.push(dir.cleanup, () => srv.close());
  return srv;
}

describe('client session lifecycle against the real server', () => {
  it('refuses work while signed out, signs in, and signing out deletes the cache', async () => {
    const srv = await demoServer();
    const dir = tempDir('sb-client-');
    cleanups.push(dir.cleanup);
    const vault = memoryTokenVault();
    const core = await createClientCore({ dataDir: dir.dir, defaultServerUrl: srv.url, tokenVault: vault });
    cleanups.push(() => core.close());
    const router = createIpcRouter(core.handlers);
    const sessions: SessionState[] = [];
    core.events.on('session', (s) => sessions.push(s));

    expect(await router.call('sidebar.get', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await router.call('server.probe', { serverUrl: srv.url })).toMatchObject({
      ok: true,
      value: { organisation: 'Northwind Outfitters', demoAccounts: expect.arrayContaining([expect.objectContaining({ email: SAM.email })]) },
    });
    expect(await router.call('server.probe', { serverUrl: 'http://127.0.0.1:9' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await router.call('session.signIn', { serverUrl: srv.url, email: SAM.email, password: 'wrong' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });

    const signIn = await router.call('session.signIn', { serverUrl: srv.url, ...SAM });
    expect(signIn).toMatchObject({ ok: true, value: { user: { id: 'user_sam' } } });
    expect(sessions.at(-1)).toMatchObject({ status: 'signedIn', user: { id: 'user_sam' } });
    expect((await vault.load())?.userId).toBe('user_sam');
    await waitFor('online', async () => {
      const r = await router.call('app.state', {});
      return r.ok && (r.value as IpcOutput<'app.state'>).connection.status === 'online';
    });
    const caches = join(dir.dir, 'caches');
    expect(readdirSync(caches).some((f) => f.endsWith('.sqlite'))).toBe(true);

    expect(await router.call('session.signOut', {})).toEqual({ ok: true, value: {} });
    expect(readdirSync(caches)).toEqual([]);
    expect(await vault.load()).toBeNull();
    expect(sessions.at(-1)).toMatchObject({ status: 'signedOut' });
    expect(await router.call('conversations.list', { query: {}, offset: 0, limit: 10 })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('resumes the stored session on start, and stops (no retry loop) when the session is revoked elsewhere', async () => {
    const srv = await demoServer();
    const dir = tempDir('sb-client-');
    cleanups.push(dir.cleanup);
    const vault = memoryTokenVault();
    // One vault for both cores: a restart on a personal machine, where the OS keychain keeps the cache key.
    const cacheKeyVault = memoryCacheKeyVault({ persistent: true });
    const first = await createClientCore({ dataDir: dir.dir, defaultServerUrl: srv.url, tokenVault: vault, cacheKeyVault });
    const r1 = createIpcRouter(first.handlers);
    await r1.call('session.signIn', { serverUrl: srv.url, ...SAM });
    await first.close();

    const second = await createClientCore({ dataDir: dir.dir, defaultServerUrl: srv.url, tokenVault: vault, cacheKeyVault });
    cleanups.push(() => second.close());
    const r2 = createIpcRouter(second.handlers);
    const states: string[] = [];
    second.events.on('connection', (c) => states.push(c.status));
    const sessions: SessionState[] = [];
    second.events.on('session', (s) => sessions.push(s));
    await waitFor('the resumed session online', async () => {
      const r = await r2.call('app.state', {});
      const v = r.ok ? (r.value as IpcOutput<'app.state'>) : null;
      return v?.session.status === 'signedIn' && v.connection.status === 'online';
    });

    const token = (await vault.load())?.token as string;
    await fetch(`${srv.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    await waitFor('signed out', () => sessions.at(-1)?.status === 'signedOut');
    expect(states.at(-1)).toBe('signedOut');
    expect(await vault.load()).toBeNull();
    // The cache stays, encrypted (unsent work survives until the same person signs in again).
    expect(existsSync(join(dir.dir, 'caches'))).toBe(true);
    expect(readdirSync(join(dir.dir, 'caches')).length).toBeGreaterThan(0);
    const after = states.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(states.length).toBe(after);
  });

  it('a refused reply shows failed with the reason; Retry sends it under a new id; Discard removes it', async () => {
    const srv = await demoServer();
    const dir = tempDir('sb-client-');
    cleanups.push(dir.cleanup);
    const sam = await inProcessClient(dir.dir);
    cleanups.push(() => sam.close());
    await sam.call('session.signIn', { serverUrl: srv.url, ...SAM });
    // An SMS conversation with a linked contact; the contact texts STOP.
    const detail = await waitFor('an SMS conversation with a contact', async () => {
      const page: ConversationListPage = await sam.call('conversations.list', { query: { channelId: 'ch_sales_sms' }, offset: 0, limit: 200 });
      for (const item of page.items) {
        const d: ConversationDetail | null = await sam.call('conversation.get', { id: item.id });
        if (d?.contact && d.contact.phones.includes(d.conversation.customerAddress)) return d;
      }
      return undefined;
    });
    const conversationId = detail.conversation.id;
    const phone = detail.conversation.customerAddress;
    await injectInbound(srv.url, { channelId: 'ch_sales_sms', from: phone, body: 'STOP' });

    const { messageId } = await sam.call('actions.sendMessage', { conversationId, body: 'Are you still there?' });
    const failed = await waitFor('the refusal', async () => {
      const p: MessagesPage = await sam.call('messages.list', { conversationId, limit: 200 });
      const m = p.items.find((x) => x.id === messageId);
      return m?.displayStatus === 'failed' ? m : undefined;
    });
    expect(failed.outbox).toMatchObject({ state: 'failed', error: { code: 'opted_out' } });
    expect(failed.outbox?.error?.message).toMatch(/opted out/);
    expect((await sam.call('app.state', {})).connection.pendingCount).toBe(1);

    // The contact opts back in; Retry goes out under a new mutation id and succeeds.
    await injectInbound(srv.url, { channelId: 'ch_sales_sms', from: phone, body: 'START' });
    const oldId = failed.outbox?.mutationId as number;
    await sam.call('outbox.retry', { mutationId: oldId });
    const delivered = await waitFor('the retried reply sent', async () => {
      const p: MessagesPage = await sam.call('messages.list', { conversationId, limit: 200 });
      const m = p.items.find((x) => x.id === messageId);
      return m && m.outbox === null && (m.displayStatus === 'sent' || m.displayStatus === 'delivered') ? m : undefined;
    });
    expect(delivered.body).toBe('Are you still there?');

    // Opted out again: a second refused reply is discarded and disappears.
    await injectInbound(srv.url, { channelId: 'ch_sales_sms', from: phone, body: 'STOP' });
    const second = await sam.call('actions.sendMessage', { conversationId, body: 'One more thing' });
    const refused = await waitFor('the second refusal', async () => {
      const p: MessagesPage = await sam.call('messages.list', { conversationId, limit: 200 });
      const m = p.items.find((x) => x.id === second.messageId);
      return m?.displayStatus === 'failed' ? m : undefined;
    });
    expect(refused.outbox?.mutationId).toBeGreaterThan(oldId);
    await sam.call('outbox.discard', { mutationId: refused.outbox?.mutationId as number });
    const p: MessagesPage = await sam.call('messages.list', { conversationId, limit: 200 });
    expect(p.items.some((m) => m.id === second.messageId)).toBe(false);
    expect((await sam.call('app.state', {})).connection.pendingCount).toBe(0);
  });
});
