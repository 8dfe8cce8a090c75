import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import { StorageSendQueue } from '../../../server/domain/send-queue.ts';
import type { SendOutcome } from '../../../server/domain/send-retry.ts';
import { resolveSendWorkerPolicy, SendWorker } from '../../../server/domain/send-worker.ts';
import { TwilioSimulator } from '../../../server/simulator/twilio-simulator.ts';
import type { SendJobRow } from '../../../server/storage/storage.ts';
import { openTestDomain, type TestDomain } from '../support/fixtures.ts';

const CHANNEL = 'ch_sales_sms';
const CUSTOMER = '+12065550105';
const fast = { baseMs: 5, capMs: 20, maxRetryAfterMs: 20, maxAttempts: 4 };

let open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

async function domain(options: Parameters<typeof openTestDomain>[0] = {}): Promise<TestDomain> {
  const t = await openTestDomain({ sendWorker: { retry: fast, inDoubtMs: 0 }, ...options });
  open.push(t);
  return t;
}

async function twilio(t: TestDomain): Promise<TwilioSimulator> {
  const sim = await TwilioSimulator.start();
  open.push(sim);
  sim.autoStatuses = [];
  await t.domain.providers.configureTwilioChannel(CHANNEL, { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, publicUrl: 'http://127.0.0.1:9' });
  return sim;
}

/** A reply from Sam in the open conversation with the customer (started if there is none); returns its message id. */
async function reply(t: TestDomain, messageId: string, body = 'On it', from = CUSTOMER): Promise<string> {
  const { conversationId } = await t.domain.receiveInbound({ channelId: CHANNEL, from, body: 'hello' });
  expect(await t.apply('user_sam', { name: 'message.send', args: { conversationId, messageId, body, attachments: [] } })).toEqual({ ok: true });
  return messageId;
}

const job = async (t: TestDomain, id: string): Promise<SendJobRow | null> => await t.storage.transaction(async (tx) => await tx.getSendJob(id));
const message = async (t: TestDomain, id: string): Promise<EntityOf<'message'>> => (await t.get('message', id)) as EntityOf<'message'>;
const settled = (t: TestDomain, id: string) => vi.waitFor(async () => expect((await message(t, id)).status).not.toBe('queued'), { timeout: 5000, interval: 10 });

describe('send jobs', () => {
  it('are written with their message, in the same transaction: a refused reply leaves neither', async () => {
    const t = await domain({ startDelivery: false });
    const id = await reply(t, 'msg_job_1');
    expect(await job(t, id)).toMatchObject({ messageId: id, attempt: 0, leaseOwner: null });
    await t.storage.transaction(async (tx) => await tx.put('contact', { ...(await tx.get('contact', 'contact_006'))!, smsOptOut: true }));
    const conversationId = (await message(t, id)).conversationId;
    expect(await t.apply('user_sam', { name: 'message.send', args: { conversationId, messageId: 'msg_job_2', body: 'x', attachments: [] } })).toMatchObject({ ok: false, code: 'opted_out' });
    expect(await job(t, 'msg_job_2')).toBeNull();
    // The client's Retry sends the refused mutation again under a new id (main/core/outbox.ts): a new job.
    await t.storage.transaction(async (tx) => await tx.put('contact', { ...(await tx.get('contact', 'contact_006'))!, smsOptOut: false }));
    expect(await t.apply('user_sam', { name: 'message.send', args: { conversationId, messageId: 'msg_job_2', body: 'x', attachments: [] } })).toEqual({ ok: true });
    expect(await job(t, 'msg_job_2')).toMatchObject({ messageId: 'msg_job_2', attempt: 0 });
  });

  it('a 503 and a 429 are retried; the provider id of the accepted attempt is recorded and the job ends', async () => {
    const t = await domain();
    const sim = await twilio(t);
    sim.refuseNext.push({ status: 503 }, { status: 429, code: 20429, retryAfter: '0' });
    const id = await reply(t, 'msg_retry_1');
    await settled(t, id);
    expect(sim.sent.map((s) => s.answered)).toEqual([503, 429, 201]);
    expect(await message(t, id)).toMatchObject({ status: 'sending', providerId: sim.sent[2]!.sid });
    expect(await job(t, id)).toBeNull();
  });

  it('keeps a conversation’s replies in order: a later reply waits while an earlier one is retried', async () => {
    const t = await domain({ startDelivery: false });
    const sim = await twilio(t);
    sim.refuseNext.push({ status: 503 }, { status: 503 });
    const first = await reply(t, 'msg_order_1', 'first');
    const second = await reply(t, 'msg_order_2', 'second');
    const elsewhere = await reply(t, 'msg_order_3', 'elsewhere', '+12065550198');
    await t.domain.startDelivery();
    for (const id of [first, second, elsewhere]) await settled(t, id);
    const bodies = sim.sent.filter((s) => s.form.To === CUSTOMER).map((s) => `${s.form.Body}:${s.answered}`);
    // The refusals are shared by both conversations' first calls, so the first reply meets one or two of them.
    expect(bodies[0]).toBe('first:503');
    expect(bodies.slice(-2)).toEqual(['first:201', 'second:201']);
    expect(bodies.slice(0, -2).every((b) => b === 'first:503')).toBe(true);
    expect((await message(t, elsewhere)).status).toBe('sending');
  });

  it('a 4xx fails the message with the provider’s reason, after one call', async () => {
    const t = await domain();
    const sim = await twilio(t);
    sim.refuseNext.push({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const id = await reply(t, 'msg_bad_1');
    await settled(t, id);
    expect(await message(t, id)).toMatchObject({ status: 'failed', statusReason: "Twilio refused the message (21211): The 'To' number is not a valid phone number." });
    expect(sim.sent).toHaveLength(1);
    expect(await job(t, id)).toBeNull();
  });

  it('gives up after the last attempt with the reason, and an unreachable provider counts as transient', async () => {
    const t = await domain();
    await t.domain.providers.configureTwilioChannel(CHANNEL, { accountSid: 'AC1', authToken: 'x', apiBaseUrl: 'http://127.0.0.1:9', publicUrl: 'http://127.0.0.1:9' });
    const id = await reply(t, 'msg_gone_1');
    await settled(t, id);
    expect(await message(t, id)).toMatchObject({ status: 'failed', statusReason: `Not sent after ${fast.maxAttempts} attempts: Twilio could not be reached` });
  });

  it('re-checks the rules when the job runs: a customer who opted out meanwhile is not texted', async () => {
    const t = await domain({ startDelivery: false });
    const sim = await twilio(t);
    const id = await reply(t, 'msg_stop_1');
    await t.domain.receiveInbound({ channelId: CHANNEL, from: CUSTOMER, body: 'STOP' });
    await t.domain.startDelivery();
    await settled(t, id);
    expect(await message(t, id)).toMatchObject({ status: 'failed', statusReason: expect.stringContaining('opted out') });
    expect(sim.sent).toHaveLength(0);
  });

  it('a job whose worker died is taken by another worker once its lease expires, and only then', async () => {
    const t = await domain({ startDelivery: false });
    const id = await reply(t, 'msg_lease_1');
    let now = Date.now();
    const queue = new StorageSendQueue(async (fn) => await t.domain.write(fn), false);
    const policy = resolveSendWorkerPolicy({ leaseMs: 60_000, callTimeoutMs: 30_000, inDoubtMs: 0 });
    const calls: string[] = [];
    const hang = (who: string) => (m: EntityOf<'message'>, signal: AbortSignal) =>
      new Promise<SendOutcome>((resolve) => {
        calls.push(`${who}:${m.id}`);
        signal.addEventListener('abort', () => resolve({ kind: 'transient', reason: 'aborted', retryAfterMs: null }));
      });
    const accept = (who: string) => async (m: EntityOf<'message'>): Promise<SendOutcome> => {
      calls.push(`${who}:${m.id}`);
      return { kind: 'accepted', providerId: 'SMsecond', status: 'sending' };
    };
    const dead = new SendWorker(queue, hang('A'), policy, 'worker-a', () => now, () => {});
    const other = new SendWorker(queue, accept('B'), policy, 'worker-b', () => now, () => {});
    open.push({ close: () => dead.stop(0) }, { close: () => other.stop(0) });
    await dead.start();
    await vi.waitFor(() => expect(calls).toEqual(['A:msg_lease_1']));
    expect(await job(t, id)).toMatchObject({ leaseOwner: 'worker-a', attempt: 1 });

    await other.start(); // not exclusive: a live lease of another worker is left alone
    other.poke();
    await vi.waitFor(() => expect(other.busy).toBe(0));
    expect(calls).toEqual(['A:msg_lease_1']);

    now += 60_001;
    other.poke();
    await vi.waitFor(async () => expect(await message(t, id)).toMatchObject({ status: 'sending', providerId: 'SMsecond' }));
    expect(calls).toEqual(['A:msg_lease_1', 'B:msg_lease_1']);
    expect(await job(t, id)).toBeNull();
  });

  it('graceful stop waits for calls in flight and records their answers; a call past the grace is given back', async () => {
    const t = await domain({ startDelivery: false });
    const quick = await reply(t, 'msg_stop_q');
    const slow = await reply(t, 'msg_stop_s', 'On it', '+12065550199'); // another conversation: both are in flight at once
    const release: Array<() => void> = [];
    const sender = (m: EntityOf<'message'>, signal: AbortSignal) =>
      new Promise<SendOutcome>((resolve) => {
        const accept = () => resolve({ kind: 'accepted', providerId: `SM_${m.id}`, status: 'sending' });
        if (m.id === quick) release.push(accept);
        signal.addEventListener('abort', () => resolve({ kind: 'transient', reason: 'aborted', retryAfterMs: null }));
      });
    const worker = new SendWorker(new StorageSendQueue(async (fn) => await t.domain.write(fn), true), sender, resolveSendWorkerPolicy(), 'worker-g', Date.now, () => {});
    await worker.start();
    await vi.waitFor(() => expect(worker.busy).toBe(2));
    const stopping = worker.stop(300);
    release.forEach((r) => r());
    await stopping;
    expect(await message(t, quick)).toMatchObject({ status: 'sending', providerId: 'SM_msg_stop_q' });
    expect(await job(t, quick)).toBeNull();
    expect((await message(t, slow)).status).toBe('queued');
    expect(await job(t, slow)).toMatchObject({ leaseOwner: null, attempt: 1 });
  });
});
