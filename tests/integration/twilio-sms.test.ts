import { describe, expect, it } from 'vitest';
import { ALEX, SAM, type TestServer } from '../server/support/sync-client.ts';
import { twilioChannelHarness } from './support/channel-harness.ts';
import { messagesByProviderId, storedRecord, until } from './support/server-records.ts';

const CHANNEL = 'ch_sales_sms';
const OUR_NUMBER = '+14155550100';
// contact_006 of the demo seed (shared contact).
const CUSTOMER = '+12065550105';
const HELP_TEXT = 'Acme Sales: reply STOP to opt out. Help: acme.example/help';

const channel = twilioChannelHarness(CHANNEL, { helpText: HELP_TEXT });
const setup = channel.setup;

const messagesBySid = messagesByProviderId;
const message = (s: TestServer, id: string) => storedRecord(s, 'message', id);
const contact = (s: TestServer, id: string) => storedRecord(s, 'contact', id);


describe('Twilio SMS channel', () => {
  it('stores a signed inbound once, refuses unsigned or tampered webhooks, and never logs the token', async () => {
    const { sim, t, smsUrl } = await setup();
    const params = sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'Hello from Twilio', messageSid: 'SMinbound0001' });
    const first = await sim.postSigned(smsUrl, params);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('<Response/>');
    expect((await sim.postSigned(smsUrl, params)).status).toBe(200); // Twilio retry
    const stored = messagesBySid(t, 'SMinbound0001');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ direction: 'in', body: 'Hello from Twilio', authorId: 'contact_006' });

    const other = sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'evil', messageSid: 'SMforged0001' });
    expect((await sim.postSigned(smsUrl, other, { signature: null })).status).toBe(403);
    expect((await sim.postSigned(smsUrl, other, { token: 'not-the-token' })).status).toBe(403);
    expect((await sim.postSigned(smsUrl, other, { signedUrl: `${smsUrl}?x=1` })).status).toBe(403);
    const signedForOther = sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'harmless', messageSid: 'SMforged0001' });
    const { computeTwilioSignature } = await import('../../server/channels/twilio-signature.ts');
    expect((await sim.postSigned(smsUrl, other, { signature: computeTwilioSignature(sim.authToken, smsUrl, signedForOther) })).status).toBe(403);
    // Unknown number: no token to verify with.
    expect((await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: '+19995550000', body: 'x' }))).status).toBe(403);
    expect(messagesBySid(t, 'SMforged0001')).toHaveLength(0);
    expect(t.logs.join('\n')).not.toContain(sim.authToken);
  });

  it('sends replies through the Messages API and follows status callbacks to delivered or failed', async () => {
    const { sim, t, smsUrl } = await setup();
    await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'Need help with my order', messageSid: 'SMinbound0002' }));
    const conversationId = messagesBySid(t, 'SMinbound0002')[0]!.conversationId;

    const { client: sam } = await channel.signedIn(t, SAM, 'sam-twilio');
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_reply_1', body: 'On it!' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });

    const sent = await until(() => sim.sent[0], 'the simulator to receive the reply');
    expect(sent.authorized).toBe(true);
    expect(sent.form).toMatchObject({ To: CUSTOMER, From: OUR_NUMBER, Body: 'On it!' });
    expect(sent.form.StatusCallback).toBe(`${t.server.url}/webhooks/twilio/status?channel=${CHANNEL}&message=msg_reply_1`);
    const delivered = await until(() => (message(t, 'msg_reply_1')?.status === 'delivered' ? message(t, 'msg_reply_1') : null), 'delivered');
    expect(delivered.providerId).toBe(sent.sid);

    sim.autoStatuses = [{ status: 'sent' }, { status: 'undelivered', errorCode: '30007' }];
    sam.send({ type: 'mutate', mutations: [{ id: 2, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_reply_2', body: 'Are you there?' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 2)).result).toEqual({ ok: true });
    const failed = await until(() => (message(t, 'msg_reply_2')?.status === 'failed' ? message(t, 'msg_reply_2') : null), 'failed');
    expect(failed.statusReason).toBe('Carrier error 30007');
    // Status callbacks are signed too.
    const forged = await sim.postSigned(`${t.server.url}/webhooks/twilio/status?channel=${CHANNEL}&message=msg_reply_1`, [
      ['MessageSid', sent.sid],
      ['MessageStatus', 'failed'],
    ], { token: 'wrong' });
    expect(forged.status).toBe(403);
    expect(message(t, 'msg_reply_1')?.status).toBe('delivered');
  });

  it('a reply the carrier refused is sent again by Retry (message.retry): a new provider message, delivered this time', async () => {
    const { sim, t, smsUrl } = await setup();
    await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'Is my order ready?', messageSid: 'SMinbound0003' }));
    const conversationId = messagesBySid(t, 'SMinbound0003')[0]!.conversationId;
    const { client: sam } = await channel.signedIn(t, SAM, 'sam-twilio-retry');

    sim.autoStatuses = [{ status: 'sent' }, { status: 'undelivered', errorCode: '30003' }];
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_retry_1', body: 'Yes, ready for pickup.' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });
    const failed = await until(() => (message(t, 'msg_retry_1')?.status === 'failed' ? message(t, 'msg_retry_1') : null), 'failed');
    const firstSid = failed.providerId;
    expect(firstSid).toBeTruthy();

    sim.autoStatuses = [{ status: 'sent' }, { status: 'delivered' }];
    sam.send({ type: 'mutate', mutations: [{ id: 2, mutation: { name: 'message.retry', args: { conversationId, messageId: 'msg_retry_1' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 2)).result).toEqual({ ok: true });
    const delivered = await until(() => (message(t, 'msg_retry_1')?.status === 'delivered' ? message(t, 'msg_retry_1') : null), 'delivered after Retry');
    expect(delivered.statusReason).toBeNull();
    expect(delivered.providerId).not.toBe(firstSid);
    const sends = sim.sent.filter((x) => x.form.Body === 'Yes, ready for pickup.');
    expect(sends).toHaveLength(2);
    expect(delivered.providerId).toBe(sends[1]!.sid);

    // Nothing left to retry once it went out; and a teammate outside the inbox learns nothing about it.
    sam.send({ type: 'mutate', mutations: [{ id: 3, mutation: { name: 'message.retry', args: { conversationId, messageId: 'msg_retry_1' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 3)).result).toMatchObject({ ok: false, code: 'conflict' });
    const { client: alex } = await channel.signedIn(t, ALEX, 'alex-twilio-retry');
    alex.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.retry', args: { conversationId, messageId: 'msg_retry_1' } } }] });
    expect((await alex.waitFor('mutationResult', (f) => f.id === 1)).result).toMatchObject({ ok: false, code: 'not_found' });
    expect(sim.sent.filter((x) => x.form.Body === 'Yes, ready for pickup.')).toHaveLength(2);
  });

  it('STOP opts the contact out and a reply is refused before any provider call; HELP gets the help text', async () => {
    const { sim, t, smsUrl } = await setup();
    await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: '  stop ', messageSid: 'SMstop0001' }));
    expect(contact(t, 'contact_006')?.smsOptOut).toBe(true);
    const conversationId = messagesBySid(t, 'SMstop0001')[0]!.conversationId;

    const { client: sam } = await channel.signedIn(t, SAM, 'sam-twilio');
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_after_stop', body: 'hello?' } } }] });
    const refused = await sam.waitFor('mutationResult', (f) => f.id === 1);
    expect(refused.result).toMatchObject({ ok: false, code: 'opted_out' });
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.sent).toHaveLength(0);

    await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'Help', messageSid: 'SMhelp0001' }));
    const help = await until(() => sim.sent[0], 'the help reply');
    expect(help.form).toMatchObject({ To: CUSTOMER, From: OUR_NUMBER, Body: HELP_TEXT });
    // The reply is part of the conversation (agents see what the customer was told) and is tracked like any reply.
    const stored = await until(() => messagesBySid(t, help.sid).find((m) => m.status === 'delivered'), 'the help reply delivered');
    expect(stored).toMatchObject({ conversationId, direction: 'out', authorType: 'system', authorId: null, body: HELP_TEXT });

    await sim.postSigned(smsUrl, sim.inboundParams({ from: CUSTOMER, to: OUR_NUMBER, body: 'UNSTOP', messageSid: 'SMstart0001' }));
    expect(contact(t, 'contact_006')?.smsOptOut).toBe(false);
  });

  it('STOP from a number that is no contact opts that number out organisation-wide', async () => {
    const { sim, t, smsUrl } = await setup();
    const stranger = '+13125550199';
    await sim.postSigned(smsUrl, sim.inboundParams({ from: stranger, to: OUR_NUMBER, body: 'STOP', messageSid: 'SMstop0002' }));
    const stop = messagesBySid(t, 'SMstop0002')[0]!;
    const optedOut = contact(t, stop.authorId!);
    expect(optedOut).toMatchObject({ ownerId: null, name: stranger, phones: [stranger], smsOptOut: true });

    const { client: sam } = await channel.signedIn(t, SAM, 'sam-twilio-2');
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId: stop.conversationId, messageId: 'msg_stranger', body: 'hi' } } }] });
    expect((await sam.waitFor('mutationResult', (f) => f.id === 1)).result).toMatchObject({ ok: false, code: 'opted_out' });
    expect(sim.sent).toHaveLength(0);
  });
});
