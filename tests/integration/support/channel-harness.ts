import { afterEach } from 'vitest';
import type { TwilioConfigInput } from '../../../server/domain/domain.ts';
import { configureTwilioChannel } from '../../../server/channels/twilio-cli.ts';
import { configureWhatsAppChannel } from '../../../server/channels/whatsapp-cli.ts';
import { TwilioSimulator } from '../../../server/simulator/twilio-simulator.ts';
import { WhatsAppSimulator } from '../../../server/simulator/whatsapp-simulator.ts';
import { SyncClient, signIn, startTestServer, type TestServer } from '../../server/support/sync-client.ts';

/**
 * A real server on a loopback port with one channel pointed at a provider simulator (real HTTP both
 * ways), torn down after each test together with the sync clients the test opened.
 */
function channelHarness<S extends { close(): Promise<void> }>(start: () => Promise<S>, configure: (t: TestServer, sim: S) => Promise<void>) {
  let running: { t: TestServer; sim: S } | null = null;
  let clients: SyncClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.close();
    clients = [];
    await running?.t.close();
    await running?.sim.close();
    running = null;
  });
  return {
    async start(): Promise<{ t: TestServer; sim: S }> {
      const sim = await start();
      const t = await startTestServer();
      running = { t, sim };
      await configure(t, sim);
      return running;
    },
    /** A synced sync client of `account`, closed after the test. */
    async signedIn(t: TestServer, account: { email: string; password: string }, clientId: string): Promise<{ client: SyncClient; token: string }> {
      const token = await signIn(t.server.url, account);
      const client = await SyncClient.connect(t.server.url);
      clients.push(client);
      await client.sync(token, { clientId });
      return { client, token };
    },
  };
}

export function twilioChannelHarness(channelId: string, extra: Partial<TwilioConfigInput> = {}) {
  const harness = channelHarness(
    () => TwilioSimulator.start(),
    async (t, sim) =>
      await configureTwilioChannel(t.options, channelId, { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, publicUrl: t.server.url, ...extra }),
  );
  return {
    ...harness,
    async setup() {
      const { t, sim } = await harness.start();
      return { t, sim, smsUrl: `${t.server.url}/webhooks/twilio/sms` };
    },
  };
}

export function whatsAppChannelHarness(channelId: string) {
  const harness = channelHarness(
    () => WhatsAppSimulator.start(),
    async (t, sim) => {
      await configureWhatsAppChannel(t.options, channelId, {
        phoneNumberId: sim.phoneNumberId,
        accessToken: sim.accessToken,
        appSecret: sim.appSecret,
        verifyToken: sim.verifyToken,
        graphBaseUrl: sim.url,
      });
      sim.webhookUrl = `${t.server.url}/webhooks/whatsapp`;
    },
  );
  return {
    ...harness,
    async setup() {
      const { t, sim } = await harness.start();
      return { t, sim, hookUrl: `${t.server.url}/webhooks/whatsapp` };
    },
  };
}
