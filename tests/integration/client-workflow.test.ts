import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { startServerForTest } from './support/test-server.ts';
import type { ConversationDetail, ConversationListPage, ManageView, MessagesPage } from '../../protocol/ipc.ts';
import { inProcessClient, MAYA, SAM, tempDir, waitFor, type CoreClient } from './fixtures/client-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ srv: RunningServer; restart(): Promise<void>; stop(): Promise<void> }> {
  const serverDir = tempDir('sb-server-');
  cleanups.push(serverDir.cleanup);
  let srv = await startServerForTest({ dataDir: serverDir.dir, port: 0, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
  const port = srv.port;
  cleanups.push(() => srv.close());
  return {
    get srv() {
      return srv;
    },
    async stop() {
      await srv.close();
    },
    async restart() {
      srv = await startServerForTest({ dataDir: serverDir.dir, port, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });
    },
  };
}

async function signedIn(url: string, who: { email: string; password: string }): Promise<CoreClient> {
  const dir = tempDir('sb-client-');
  cleanups.push(dir.cleanup);
  // The default windowed first sync: the workflow works against a partial cache (issue 13).
  const client = await inProcessClient(dir.dir);
  cleanups.push(() => client.close());
  await client.call('session.signIn', { serverUrl: url, ...who });
  await waitFor('the first sync', async () => {
    const page: ConversationListPage = await client.call('conversations.list', { query: {}, offset: 0, limit: 1 });
    const state = await client.call('app.state', {});
    return page.items.length > 0 && state.syncProgress === null && state.connection.status === 'online';
  });
  return client;
}

const list = (c: CoreClient, query: object): Promise<ConversationListPage> => c.call('conversations.list', { query, offset: 0, limit: 200 });
const settled = (c: CoreClient) => waitFor('the outbox to empty', async () => (await c.call('app.state', {})).connection.pendingCount === 0);

describe('conversation workflow through the client core', () => {
  it('starts a conversation from a typed national number, refuses invalid numbers and WhatsApp, and reuses the open one', async () => {
    const { srv } = await setup();
    const sam = await signedIn(srv.url, SAM);
    await expect(sam.call('actions.createConversation', { channelId: 'ch_sales_sms', number: '555-01', body: 'Hi' })).rejects.toThrow(/not a valid phone number/);
    await expect(sam.call('actions.createConversation', { channelId: 'ch_sales_wa', number: '+14155559001', body: 'Hi' })).rejects.toThrow(
      /WhatsApp.*customer has to write first.*SMS/,
    );

    const { conversationId, reused } = await sam.call('actions.createConversation', { channelId: 'ch_sales_sms', number: '(415) 555-9001', body: 'Your order is ready' });
    expect(reused).toBe(false);
    const local: ConversationDetail | null = await sam.call('conversation.get', { id: conversationId });
    expect(local?.conversation).toMatchObject({ customerAddress: '+14155559001', assigneeId: 'user_sam', status: 'open' });
    await settled(sam);
    const messages: MessagesPage = await waitFor('delivery', async () => {
      const page: MessagesPage = await sam.call('messages.list', { conversationId });
      return page.items[0]?.status === 'delivered' ? page : undefined;
    });
    expect(messages.items.map((m) => m.body)).toEqual(['Your order is ready']);

    const again = await sam.call('actions.createConversation', { channelId: 'ch_sales_sms', number: '+1 415 555 9001', body: 'One more thing' });
    expect(again).toEqual({ conversationId, reused: true });
  });

  it('a conversation the server merged into an existing one leaves no local copy behind', async () => {
    const { srv } = await setup();
    const sam = await signedIn(srv.url, SAM);
    const maya = await signedIn(srv.url, MAYA);
    // Maya starts it; Sam has not received it yet when he starts his own (simulated by starting both at once).
    const [a, b] = await Promise.all([
      maya.call('actions.createConversation', { channelId: 'ch_sales_sms', number: '+14155559002', body: 'From Maya' }),
      sam.call('actions.createConversation', { channelId: 'ch_sales_sms', number: '+14155559002', body: 'From Sam' }),
    ]);
    await settled(sam);
    await settled(maya);
    const open = await waitFor('one conversation with both messages', async () => {
      const page = await list(sam, { inboxId: 'inbox_sales', folder: 'open' });
      const mine = page.items.filter((i) => i.customerAddress === '+14155559002');
      if (mine.length !== 1) return undefined;
      const msgs: MessagesPage = await sam.call('messages.list', { conversationId: mine[0]?.id });
      return msgs.items.length === 2 ? mine : undefined;
    });
    expect([a.conversationId, b.conversationId]).toContain(open[0]?.id);
  });

  it('tags filter the list, archive and mark unread are per person, and everything queues offline', async () => {
    const env = await setup();
    const sam = await signedIn(env.srv.url, SAM);
    const maya = await signedIn(env.srv.url, MAYA);
    const first = (await list(sam, { inboxId: 'inbox_sales', folder: 'open' })).items[0];
    if (!first) throw new Error('no open conversation');

    await env.stop();
    await waitFor('offline', async () => (await sam.call('app.state', {})).connection.status !== 'online');
    await sam.call('actions.addTag', { conversationId: first.id, tag: 'Callback' });
    await sam.call('actions.setArchived', { conversationId: first.id, archived: true });
    await expect(sam.call('actions.addTag', { conversationId: first.id, tag: '<script>' })).rejects.toThrow(/tag cannot be used/);
    // Optimistic: the tag filter and the archive filter already show it, with the actions pending.
    expect((await list(sam, { inboxId: 'inbox_sales', read: 'archived', tag: 'callback' })).items.map((i) => i.id)).toEqual([first.id]);
    expect((await list(sam, { inboxId: 'inbox_sales', read: 'all' })).items.map((i) => i.id)).not.toContain(first.id);
    expect((await sam.call('app.state', {})).connection.pendingCount).toBe(2);
    expect(await sam.call('conversations.tags', { inboxId: 'inbox_sales' })).toContain('callback');

    await env.restart();
    await settled(sam);
    // The tag is shared; the archive is Sam's alone.
    await waitFor('Maya to see the tag', async () => (await list(maya, { inboxId: 'inbox_sales', tag: 'callback' })).items.some((i) => i.id === first.id));
    expect((await list(maya, { inboxId: 'inbox_sales', read: 'archived' })).items.map((i) => i.id)).not.toContain(first.id);

    await sam.call('actions.setArchived', { conversationId: first.id, archived: false });
    await sam.call('actions.markUnread', { conversationId: first.id });
    await settled(sam);
    const unread = await list(sam, { inboxId: 'inbox_sales', read: 'unread' });
    expect(unread.items.map((i) => i.id)).toContain(first.id);
    await sam.call('actions.removeTag', { conversationId: first.id, tag: 'callback' });
    expect((await list(sam, { inboxId: 'inbox_sales', tag: 'callback' })).total).toBe(0);
  });

  it('managers keep pre-written messages and inboxes; members may not, and see the result', async () => {
    const { srv } = await setup();
    const sam = await signedIn(srv.url, SAM);
    const maya = await signedIn(srv.url, MAYA);
    expect((await sam.call('cannedResponses.list', { inboxId: 'inbox_sales', text: '/hours' }))[0]).toMatchObject({ keyPhrase: 'hours' });
    await expect(
      sam.call('actions.saveCannedResponse', { inboxId: 'inbox_sales', draft: { title: 'X', keyPhrase: 'x', body: 'x' } }),
    ).rejects.toThrow(/Only managers/);
    expect(((await sam.call('manage.view', {})) as ManageView).canManage).toBe(false);

    const { id } = await maya.call('actions.saveCannedResponse', {
      inboxId: 'inbox_sales',
      draft: { title: 'Shipping', keyPhrase: '/Ship', body: 'Standard shipping takes 3–5 days.' },
    });
    await expect(
      maya.call('actions.saveCannedResponse', { inboxId: 'inbox_sales', draft: { title: 'Dup', keyPhrase: 'ship', body: 'x' } }),
    ).rejects.toThrow(/already used/);
    await maya.call('actions.updateInbox', { inboxId: 'inbox_sales', name: 'Sales', assignmentMode: false });
    const { inboxId } = await maya.call('actions.createInbox', { name: 'Returns', assignmentMode: true });
    await maya.call('actions.setInboxMember', { inboxId, userId: 'user_sam', member: true });
    await settled(maya);

    await waitFor('Sam to get the new pre-written message', async () =>
      (await sam.call('cannedResponses.list', { inboxId: 'inbox_sales', text: 'ship' })).some((c) => c.id === id && c.keyPhrase === 'ship'),
    );
    await waitFor('Sam to see assignment mode off and the new inbox', async () => {
      const sidebar = await sam.call('sidebar.get', {});
      return sidebar.inboxes.find((i) => i.id === 'inbox_sales')?.assignmentMode === false && sidebar.inboxes.some((i) => i.id === inboxId);
    });
    const view: ManageView = await maya.call('manage.view', {});
    expect(view.canManage).toBe(true);
    expect(view.inboxes.find((i) => i.id === inboxId)?.members.map((m) => m.id).sort()).toEqual(['user_maya', 'user_sam']);
    expect(view.failed).toEqual([]);
  });
});
