import { afterEach, describe, expect, it } from 'vitest';
import type { EntityOf } from '../../protocol/domain.ts';
import type { DatabaseLocation } from '../../server/storage/server-database.ts';
import { configureTwilioChannel } from '../../server/channels/twilio-cli.ts';
import { configureWhatsAppChannel } from '../../server/channels/whatsapp-cli.ts';
import { DEFAULT_SEND_WORKER_POLICY } from '../../server/domain/send-worker.ts';
import { TwilioSimulator } from '../../server/simulator/twilio-simulator.ts';
import { WhatsAppSimulator } from '../../server/simulator/whatsapp-simulator.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { SAM, signIn } from '../server/support/sync-client.ts';
import { ReplyDriver } from './support/reply-driver.ts';
import { freePort, ServerProcess } from './support/server-process.ts';
import { until } from './support/server-records.ts';
import { json, serverQuery } from './support/server-sql.ts';
import { databaseFor } from './support/test-server.ts';

/**
 * Issue 9 §1: replies acked to the client are never lost, whatever happens to the server process.
 * The real server runs as a child process (so kill -9 is a real crash) against a provider simulator in
 * this process; replies are sent as a client outbox sends them, and the server is killed (or stopped
 * with SIGTERM) at random points while the replies are being handed to the provider.
 */

/** SWITCHBOARD_CRASH_REPLIES / SWITCHBOARD_CRASH_STOPS / SWITCHBOARD_CRASH_SEED change the run (the seed is printed). */
const REPLIES = Number(process.env.SWITCHBOARD_CRASH_REPLIES ?? 500);
const STOPS = Number(process.env.SWITCHBOARD_CRASH_STOPS ?? 3);
const SEED = Number(process.env.SWITCHBOARD_CRASH_SEED ?? Date.now() % 100_000);
const CUSTOMER = '+12065550105';

interface ProviderSend {
  messageId: string | null;
  providerId: string;
  accepted: boolean;
}

interface Provider<S extends TwilioSimulator | WhatsAppSimulator> {
  name: string;
  start(): Promise<S>;
  configure(where: DatabaseLocation, sim: S, url: string): Promise<void>;
  /** Posts a customer message so there is a conversation (and an open WhatsApp window) to reply in. */
  inbound(sim: S, url: string): Promise<string>;
  sends(sim: S): ProviderSend[];
}

const twilio: Provider<TwilioSimulator> = {
  name: 'Twilio',
  start: () => TwilioSimulator.start(),
  configure: (where, sim, url) =>
    configureTwilioChannel(where, 'ch_sales_sms', { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, publicUrl: url }),
  async inbound(sim, url) {
    const params = sim.inboundParams({ from: CUSTOMER, to: '+14155550100', body: 'Where is my order?', messageSid: 'SMcrashinbound' });
    expect((await sim.postSigned(`${url}/webhooks/twilio/sms`, params)).status).toBe(200);
    return 'SMcrashinbound';
  },
  sends: (sim) =>
    sim.sent.map((s) => ({
      messageId: s.form.StatusCallback ? new URL(s.form.StatusCallback).searchParams.get('message') : null,
      providerId: s.sid,
      accepted: s.answered === 201,
    })),
};

const whatsApp: Provider<WhatsAppSimulator> = {
  name: 'WhatsApp',
  start: () => WhatsAppSimulator.start(),
  async configure(where, sim, url) {
    await configureWhatsAppChannel(where, 'ch_sales_wa', {
      phoneNumberId: sim.phoneNumberId,
      accessToken: sim.accessToken,
      appSecret: sim.appSecret,
      verifyToken: sim.verifyToken,
      graphBaseUrl: sim.url,
    });
    sim.webhookUrl = `${url}/webhooks/whatsapp`;
  },
  async inbound(sim, url) {
    expect((await sim.postSigned(`${url}/webhooks/whatsapp`, sim.inboundText({ from: CUSTOMER, body: 'Where is my order?', id: 'wamid.crashinbound' }))).status).toBe(200);
    return 'wamid.crashinbound';
  },
  sends: (sim) => sim.sends.map((s) => ({ messageId: s.body.biz_opaque_callback_data ?? null, providerId: s.wamid, accepted: s.answered === 200 })),
};

async function readMessages(where: DatabaseLocation, sql: string, ...args: unknown[]): Promise<EntityOf<'message'>[]> {
  return (await serverQuery<{ data: unknown }>(where, sql, ...args)).map((r) => json<EntityOf<'message'>>(r.data));
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** One run: REPLIES replies, STOPS stops with `signal` at random points, then every reply accounted for. */
async function run<S extends TwilioSimulator | WhatsAppSimulator>(provider: Provider<S>, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const seed = SEED + (signal === 'SIGKILL' ? 0 : 1) + (provider.name === 'Twilio' ? 0 : 2);
  console.log(`durable delivery (${provider.name}, ${signal}): ${REPLIES} replies, ${STOPS} stops, seed ${seed}`);
  const random = seededRandom(seed);
  const dir = tempDir('switchboard-crash-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sim = await provider.start();
  // Status callbacks that hit a stopped server are posted again, as Meta does (and Twilio with connection overrides).
  sim.webhookRetries = 200;
  let server = await ServerProcess.start(dir.path, port);
  cleanup.push(() => dir.remove(), () => sim.close(), async () => void (await server.stop('SIGKILL')));

  const where = await databaseFor(dir.path);
  await provider.configure(where, sim, url);
  const inboundId = await provider.inbound(sim, url);
  const conversationId = (await readMessages(where, 'SELECT data FROM messages WHERE provider_id = ?', inboundId))[0]?.conversationId ?? '';
  expect(conversationId).not.toBe('');
  const driver = new ReplyDriver(await signIn(url, SAM), conversationId, REPLIES);
  cleanup.push(() => driver.close());

  // Stop points: how many provider calls the simulator has seen (0 = while the replies are still being applied).
  const stopAt = Array.from({ length: STOPS }, () => Math.floor(random() * REPLIES * 0.8)).sort((a, b) => a - b);
  /** Index into the simulator's sends where each server lifetime ended, and how. */
  const lifetimes: Array<{ endsAt: number; signal: 'SIGKILL' | 'SIGTERM' }> = [];
  await driver.connect(url);
  for (const threshold of stopAt) {
    await until(() => (driver.collect(), provider.sends(sim).length >= threshold), `${threshold} provider calls`, 60_000);
    await server.stop(signal);
    driver.close();
    // Requests the dead process had written are read by the simulator within a few turns of the event loop.
    await new Promise((r) => setTimeout(r, 100));
    lifetimes.push({ endsAt: provider.sends(sim).length, signal });
    server = await ServerProcess.start(dir.path, port);
    await driver.connect(url);
  }
  await until(() => (driver.collect(), driver.allAcked), 'every reply acked', 60_000);

  const ids = Array.from({ length: REPLIES }, (_, i) => ReplyDriver.messageId(i + 1));
  const final = () => readMessages(where, "SELECT data FROM messages WHERE id LIKE 'msg_crash_%'");
  const settled = (m: EntityOf<'message'>) => m.status === 'sent' || m.status === 'delivered' || (m.status === 'failed' && Boolean(m.statusReason));
  await until(async () => {
    const messages = await final();
    return messages.length === REPLIES && messages.every(settled);
  }, 'every reply sent, delivered or failed with a reason', 60_000);
  await server.stop('SIGTERM');
  const window = server.output.find((l) => l.includes('provider answer → committed'));
  if (window) console.log(`${provider.name}: ${window}`);

  expect(driver.refused).toEqual([]);
  const messages = new Map((await final()).map((m) => [m.id, m]));
  expect([...messages.keys()].sort()).toEqual(ids);
  expect([...messages.values()].filter((m) => !settled(m))).toEqual([]);

  // Every acked reply reached the provider, and the id it answered is the one recorded.
  const sends = provider.sends(sim);
  const byMessage = new Map<string, number[]>();
  sends.forEach((s, i) => s.messageId && byMessage.set(s.messageId, [...(byMessage.get(s.messageId) ?? []), i]));
  expect(ids.filter((id) => !byMessage.has(id))).toEqual([]);
  for (const [id, message] of messages) {
    if (message.providerId !== null) expect(byMessage.get(id)?.map((i) => sends[i]?.providerId)).toContain(message.providerId);
  }

  // A second send only ever follows a crash: both sends on either side of a kill -9, and no more of them per
  // kill than calls can be in flight at once. A graceful stop never sends anything twice.
  const lifetimeOf = (index: number) => lifetimes.filter((l) => l.endsAt <= index).length;
  const duplicatesPerLifetime = new Map<number, number>();
  for (const [id, indices] of byMessage) {
    for (let k = 1; k < indices.length; k++) {
      const before = lifetimeOf(indices[k - 1]!);
      const after = lifetimeOf(indices[k]!);
      expect(after, `${id} sent twice by one server process`).toBeGreaterThan(before);
      expect(lifetimes[before]?.signal, `${id} sent again after a graceful stop`).toBe('SIGKILL');
      duplicatesPerLifetime.set(before, (duplicatesPerLifetime.get(before) ?? 0) + 1);
    }
  }
  for (const count of duplicatesPerLifetime.values()) expect(count).toBeLessThanOrEqual(DEFAULT_SEND_WORKER_POLICY.concurrency);
  const duplicates = [...duplicatesPerLifetime.values()].reduce((a, b) => a + b, 0);
  console.log(`${provider.name} ${signal}: ${sends.length} provider calls for ${REPLIES} replies, ${duplicates} sent twice across ${lifetimes.length} stops`);
}

describe('durable outbound delivery across server crashes', () => {
  it(`Twilio: ${REPLIES} replies with kill -9 at random points: every acked reply is sent, none twice outside a crash`, () => run(twilio, 'SIGKILL'), 120_000);
  it(`Twilio: ${REPLIES} replies with SIGTERM at random points: every acked reply is sent exactly once`, () => run(twilio, 'SIGTERM'), 120_000);
  it(`WhatsApp: ${REPLIES} replies with kill -9 at random points: every acked reply is sent, none twice outside a crash`, () => run(whatsApp, 'SIGKILL'), 120_000);
  it(`WhatsApp: ${REPLIES} replies with SIGTERM at random points: every acked reply is sent exactly once`, () => run(whatsApp, 'SIGTERM'), 120_000);
});
