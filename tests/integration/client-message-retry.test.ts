import { afterEach, describe, expect, it } from 'vitest';
import type { MessagesPage, MessageView } from '../../protocol/ipc.ts';
import { inProcessClient, SAM, tempDir, waitFor } from './fixtures/client-harness.ts';
import { twilioChannelHarness } from './support/channel-harness.ts';
import { messagesByProviderId } from './support/server-records.ts';

const channel = twilioChannelHarness('ch_sales_sms');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Retry of a reply the provider refused, through the client core', () => {
  it('shows the carrier failure, queues the same reply again at once on Retry, and ends delivered', async () => {
    const { sim, t, smsUrl } = await channel.setup();
    await sim.postSigned(smsUrl, sim.inboundParams({ from: '+12065550105', to: '+14155550100', body: 'Where is my parcel?', messageSid: 'SMretry0001' }));
    const conversationId = messagesByProviderId(t, 'SMretry0001')[0]!.conversationId;

    const dir = tempDir('sb-client-');
    cleanups.push(dir.cleanup);
    const sam = await inProcessClient(dir.dir);
    cleanups.push(() => sam.close());
    await sam.call('session.signIn', { serverUrl: t.server.url, ...SAM });
    await waitFor('the conversation to sync', async () => (await sam.call('conversation.get', { id: conversationId })) !== null);

    const reply = async (id: string): Promise<MessageView | undefined> =>
      ((await sam.call('messages.list', { conversationId, before: null, limit: 50 })) as MessagesPage).items.find((m) => m.id === id);

    sim.autoStatuses = [{ status: 'sent' }, { status: 'undelivered', errorCode: '30005' }];
    const { messageId } = await sam.call('actions.sendMessage', { conversationId, body: 'It arrives tomorrow.' });
    const failed = await waitFor('the carrier failure', async () => ((await reply(messageId))?.displayStatus === 'failed' ? reply(messageId) : false));
    expect(failed?.statusReason).toBe('Carrier error 30005');
    // The outbox forgot it long ago (the server accepted it): Retry is a new action, not an outbox retry.
    expect(failed?.outbox).toBeNull();
    await expect(sam.call('actions.retryMessage', { conversationId, messageId: 'no-such-reply' })).rejects.toThrow(/no reply with this id/);

    sim.autoStatuses = [{ status: 'sent' }, { status: 'delivered' }];
    await sam.call('actions.retryMessage', { conversationId, messageId });
    // At once, before any server answer: no longer failed.
    const queued = await reply(messageId);
    expect(queued?.displayStatus).not.toBe('failed');
    expect(queued?.statusReason).toBeNull();
    const delivered = await waitFor('delivery after Retry', async () => ((await reply(messageId))?.displayStatus === 'delivered' ? reply(messageId) : false));
    expect(delivered?.outbox).toBeNull();
    expect(sim.sent.filter((s) => s.form.Body === 'It arrives tomorrow.')).toHaveLength(2);
    // A delivered reply is not sent again.
    await expect(sam.call('actions.retryMessage', { conversationId, messageId })).rejects.toThrow(/Only a reply that failed/);
  });
});
