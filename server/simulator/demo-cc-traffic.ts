import { randomBytes } from 'node:crypto';
import { HTTP_PATHS } from '../../protocol/http.ts';
import { removeChannelProvider } from '../channels/channel-cli.ts';
import { TWILIO_WEBHOOK_PATHS } from '../channels/twilio-adapter.ts';
import { configureTwilioChannel } from '../channels/twilio-cli.ts';
import type { TwilioSimulator } from './twilio-simulator.ts';

/**
 * Customers of the demo Contact Center (server/domain/demo-contact-center.ts: Northwind Contact Center) for
 * `npm start`: a few write in at once and then one every 15–30 s, on both queues' SMS (signed Twilio webhooks
 * through the simulator) and web chat (the demo injection endpoint), so routing and a busy supervisor view show
 * within a minute. SMS customers answer the agents' replies.
 */

export const DEFAULT_CC_TRAFFIC_MS = 22_000;

export const DEMO_CC_SMS_CHANNELS = [
  { id: 'ch_billing_sms', name: 'Billing SMS', number: '+14155550120' },
  { id: 'ch_tech_sms', name: 'Technical support SMS', number: '+14155550130' },
] as const;
/** Web chat customers come in through the demo injection endpoint (no widget to simulate). */
type CcChannelId = (typeof DEMO_CC_SMS_CHANNELS)[number]['id'] | 'ch_billing_web' | 'ch_tech_web';

interface CcCustomer {
  name: string;
  /** E.164 for SMS (the +1312555010x ones are seeded contacts); a visitor handle for web chat. */
  from: string;
  channelId: CcChannelId;
  opening: string;
  followUps: readonly string[];
}

export const DEMO_CC_CAST: readonly CcCustomer[] = [
  { name: 'Hannah Brooks', from: '+13125550100', channelId: 'ch_billing_sms', opening: 'Hi, my bill doubled this month and I don’t know why.', followUps: ['Ah, the roaming pack. Can you remove it?', 'Thanks a lot!'] },
  { name: 'Omar Haddad', from: '+13125550101', channelId: 'ch_tech_sms', opening: 'My internet drops every evening around 8pm.', followUps: ['Yes, the light blinks orange when it happens.', 'OK, I’ll try that tonight. Thanks!'] },
  { name: 'Visitor on the billing page', from: 'visitor-cc-billing-1', channelId: 'ch_billing_web', opening: 'Can I pay my invoice by bank transfer?', followUps: [] },
  { name: 'Chloe Martin', from: '+13125550102', channelId: 'ch_tech_sms', opening: 'The app says “session expired” every time I open it.', followUps: ['Version 4.1.', 'Updating now, thanks.'] },
  { name: 'Diego Alvarez', from: '+13125550103', channelId: 'ch_billing_sms', opening: 'I want to cancel my add-on but keep the main plan.', followUps: ['The sports package.', 'Great, thank you!'] },
  { name: 'Visitor on the help centre', from: 'visitor-cc-tech-1', channelId: 'ch_tech_web', opening: 'How do I reset my voicemail PIN?', followUps: [] },
  { name: 'Yuki Sato', from: '+13125550104', channelId: 'ch_tech_sms', opening: 'My new router won’t show up on my laptop’s Wi-Fi list.', followUps: ['It’s a 2015 MacBook.', 'That worked!'] },
  { name: 'Unknown number', from: '+17735550188', channelId: 'ch_billing_sms', opening: 'Hello, I got a payment reminder but I paid last week?', followUps: ['Reference 88213.', 'Thanks for checking.'] },
  { name: 'Fatima Khan', from: '+13125550105', channelId: 'ch_billing_sms', opening: 'Can you send me a copy of my last three invoices?', followUps: ['Email is fine.', 'Got them, thanks!'] },
  { name: 'Visitor on the status page', from: 'visitor-cc-tech-2', channelId: 'ch_tech_web', opening: 'Is there an outage in the north district right now?', followUps: [] },
];

const GENERIC = ['Thanks!', 'OK, thank you.', 'Perfect 👍'];

export interface CcTrafficOptions {
  serverUrl: string;
  twilio: TwilioSimulator;
  /** Where the SMS channels' provider configuration is stored (the server's data dir, or its PostgreSQL). */
  target: { dataDir: string; databaseUrl?: string; databaseSchema?: string };
  log: (line: string) => void;
  /** Mean time between new customers (jittered −30 %…+35 %); 0 = none. */
  intervalMs?: number;
  /** How many write in at once, a second apart (default 3). */
  initialCustomers?: number;
  random?: () => number;
  timers?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
  answerAfterMs?: { min: number; spread: number };
}

export interface CcTraffic {
  /** Every message posted: channel, from, and the server's HTTP status. */
  readonly posted: readonly { channelId: CcChannelId; from: string; body: string; status: number }[];
  /** Called with each recorded Twilio send (the demo traffic's watcher hands them over). */
  sawSend(send: { from: string | undefined; to: string | undefined; authorized: boolean }): void;
  stop(): Promise<void>;
}

export async function startContactCenterTraffic(options: CcTrafficOptions): Promise<CcTraffic> {
  const random = options.random ?? Math.random;
  const timers = options.timers ?? { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  const intervalMs = options.intervalMs ?? DEFAULT_CC_TRAFFIC_MS;
  const answerAfter = options.answerAfterMs ?? { min: 4000, spread: 6000 };
  for (const channel of DEMO_CC_SMS_CHANNELS) {
    await configureTwilioChannel(options.target, channel.id, {
      accountSid: options.twilio.accountSid,
      authToken: options.twilio.authToken,
      apiBaseUrl: options.twilio.url,
      publicUrl: options.serverUrl,
      helpText: 'Northwind Contact Center: text us about billing or technical problems. Reply STOP to opt out.',
    });
  }
  const posted: { channelId: CcChannelId; from: string; body: string; status: number }[] = [];
  const pending = new Set<unknown>();
  const inflight = new Set<Promise<void>>();
  const lines = new Map<string, { customer: CcCustomer; next: number; generic: number; answering: boolean }>();
  let stopped = false;
  let turn = Math.floor(random() * DEMO_CC_CAST.length);

  const after = (ms: number, fn: () => void) => {
    if (stopped) return;
    const handle = timers.set(() => {
      pending.delete(handle);
      if (!stopped) fn();
    }, ms);
    pending.add(handle);
  };

  async function post(customer: CcCustomer, body: string): Promise<void> {
    let status = 0;
    try {
      const sms = DEMO_CC_SMS_CHANNELS.find((c) => c.id === customer.channelId);
      if (sms) {
        const params = options.twilio.inboundParams({ from: customer.from, to: sms.number, body, messageSid: `SM${randomBytes(16).toString('hex')}` });
        status = (await options.twilio.postSigned(`${options.serverUrl}${TWILIO_WEBHOOK_PATHS.sms}`, params)).status;
      } else {
        const res = await fetch(`${options.serverUrl}${HTTP_PATHS.demoInbound}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channelId: customer.channelId, from: customer.from, body }),
        });
        status = res.status;
      }
    } catch (err) {
      if (!stopped) options.log(`a simulated Contact Center message could not be delivered: ${err instanceof Error ? err.message : String(err)}`);
    }
    posted.push({ channelId: customer.channelId, from: customer.from, body, status });
    if (status === 200) options.log(`${customer.name} → ${customer.channelId}: ${body}`);
    else if (status !== 0) options.log(`the server answered ${status} to a simulated ${customer.channelId} message`);
  }

  const send = (customer: CcCustomer, body: string) => {
    const done = post(customer, body).finally(() => inflight.delete(done));
    inflight.add(done);
  };

  function customerWritesIn(): void {
    const customer = DEMO_CC_CAST[turn % DEMO_CC_CAST.length] as CcCustomer;
    turn++;
    lines.set(customer.from, { customer, next: 0, generic: 1, answering: false });
    send(customer, customer.opening);
  }

  function schedule(ms: number): void {
    after(ms, () => {
      customerWritesIn();
      schedule(intervalMs * (0.7 + 0.65 * random()));
    });
  }

  if (intervalMs > 0) {
    const initial = options.initialCustomers ?? 3;
    for (let i = 0; i < initial; i++) after(500 + i * 1000, customerWritesIn);
    schedule(500 + initial * 1000 + intervalMs * (0.7 + 0.65 * random()));
  }

  return {
    posted,
    sawSend(sent) {
      if (!sent.authorized || !sent.to || !DEMO_CC_SMS_CHANNELS.some((c) => c.number === sent.from)) return;
      const state = lines.get(sent.to);
      if (!state || state.answering) return;
      const own = state.customer.followUps[state.next];
      if (!own && state.generic === 0) return;
      if (random() >= (own ? 0.85 : 0.5)) return;
      const line = own ?? (GENERIC[Math.floor(random() * GENERIC.length)] as string);
      if (own) state.next++;
      else state.generic--;
      state.answering = true;
      after(answerAfter.min + random() * answerAfter.spread, () => {
        state.answering = false;
        send(state.customer, line);
      });
    },
    async stop() {
      stopped = true;
      for (const handle of pending) timers.clear(handle);
      pending.clear();
      await Promise.allSettled([...inflight]);
      for (const channel of DEMO_CC_SMS_CHANNELS) {
        try {
          await removeChannelProvider(options.target, channel.id);
        } catch (err) {
          options.log(`the simulator configuration of ${channel.id} was not removed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    },
  };
}
