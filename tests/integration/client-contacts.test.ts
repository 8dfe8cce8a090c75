import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { startServerForTest } from './support/test-server.ts';
import type { ContactDetail, ContactSummary, ConversationDetail, ConversationListPage, SearchResults } from '../../protocol/ipc.ts';
import { inProcessClient, MAYA, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startDemo = (dataDir: string, port = 0): Promise<RunningServer> =>
  startServerForTest({ dataDir, port, demo: true, log: () => {}, delivery: { sentAfterMs: 10, deliveredAfterMs: 20 } });

describe('contact actions through the outbox against a real server', () => {
  it('creates, links, favourites and edits while offline; all reach the server once it is back', async () => {
    const serverDir = tempDir('sb-server-');
    const samDir = tempDir('sb-sam-');
    const mayaDir = tempDir('sb-maya-');
    cleanups.push(serverDir.cleanup, samDir.cleanup, mayaDir.cleanup);
    let srv = await startDemo(serverDir.dir);
    const { port, url } = srv;
    cleanups.push(() => srv.close());
    const inbound = async (from: string, body: string): Promise<string> => {
      const res = await fetch(`${url}/api/demo/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channelId: 'ch_sales_sms', from, body }),
      });
      return ((await res.json()) as { conversationId: string }).conversationId;
    };

    const sam = await inProcessClient(samDir.dir);
    cleanups.push(() => sam.close());
    await sam.call('session.signIn', { serverUrl: url, ...SAM });
    const conversationId = await inbound('+12125557319', 'Do you sell waterproof maps?');
    const unlinked = await waitFor('the inbound to sync', async () => ((await sam.call('conversation.get', { id: conversationId })) as ConversationDetail | null) ?? undefined);
    expect(unlinked.title).toBe('+1 212 555 7319');
    // The conversation can arrive in a snapshot page before its message comes as a change: wait for both.
    // Search also asks the server while online: wait for a hit from this device's own copy.
    await waitFor('the inbound message to sync', async () => ((await sam.call('search.query', { text: 'waterproof', limit: 10 })) as SearchResults).messages.some((m) => !m.fromServer));

    await srv.close();
    await waitFor('Sam to go offline', async () => (await sam.call('app.state', {})).connection.status !== 'online');

    // Typed as people type numbers; main parses to E.164.
    const { contactId } = await sam.call('actions.createContact', {
      fields: { name: 'Morgan Hale', phones: ['(212) 555-7319'], company: 'Hale Maps' },
      linkConversationId: conversationId,
    });
    await sam.call('actions.setFavourite', { contactId, favourite: true });
    await sam.call('actions.updateContact', { contactId, fields: { name: 'Morgan Hale', phones: ['+1 212 555 7319'], notes: 'Wants waterproof maps' } });
    await expect(sam.call('actions.updateContact', { contactId, fields: { name: 'Morgan Hale', phones: ['555'] } })).rejects.toThrow(
      /invalid: “555” is not a valid phone number/,
    );

    // Shown at once, offline, as pending.
    expect(((await sam.call('conversation.get', { id: conversationId })) as ConversationDetail).title).toBe('Morgan Hale');
    expect(((await sam.call('contacts.favourites', {})) as ContactSummary[]).map((c) => c.name)).toEqual(['Morgan Hale']);
    const offline = (await sam.call('contact.get', { id: contactId })) as ContactDetail;
    expect(offline.contact).toMatchObject({ phones: ['+12125557319'], notes: 'Wants waterproof maps', company: null });
    expect(offline.pendingActions.map((a) => a.state)).toEqual(['pending', 'pending', 'pending']);
    const found = (await sam.call('search.query', { text: 'waterproof', limit: 10 })) as SearchResults;
    expect(found.messages.map((m) => m.conversationId)).toEqual([conversationId]);
    expect(found.contacts.map((c) => c.id)).toEqual([contactId]);

    // Back on the same port: everything is applied, once.
    srv = await startDemo(serverDir.dir, port);
    await waitFor('the outbox to drain', async () => (await sam.call('app.state', {})).connection.pendingCount === 0);
    const settled = (await sam.call('contact.get', { id: contactId })) as ContactDetail;
    expect(settled).toMatchObject({ favourite: true, pendingActions: [], contact: { ownerId: null, notes: 'Wants waterproof maps' } });
    expect(settled.history.map((h) => h.conversationId)).toEqual([conversationId]);

    // Another person sees the shared contact and the link, but not Sam's favourite.
    const maya = await inProcessClient(mayaDir.dir);
    cleanups.push(() => maya.close());
    await maya.call('session.signIn', { serverUrl: url, ...MAYA });
    const seen = await waitFor('Maya to sync the contact', async () => ((await maya.call('contact.get', { id: contactId })) as ContactDetail | null) ?? undefined);
    expect(seen).toMatchObject({ favourite: false, editable: true, contact: { name: 'Morgan Hale', phones: ['+12125557319'] } });
    // The directory (org scope) and the inbox arrive as separate snapshots: wait for the conversation too.
    // On the windowed sync the conversation's row may come before the contact it now uses: wait for both.
    const linked = await waitFor('Maya to sync the conversation and its contact', async () => {
      const c = (await maya.call('conversation.get', { id: conversationId })) as ConversationDetail | null;
      return c?.title === 'Morgan Hale' ? c : undefined;
    });
    expect(linked.title).toBe('Morgan Hale');
    expect(await maya.call('contacts.favourites', {})).toEqual([]);
    const list = (await maya.call('conversations.list', { query: {}, offset: 0, limit: 200 })) as ConversationListPage;
    expect(list.items.find((i) => i.id === conversationId)?.title).toBe('Morgan Hale');
  });
});
