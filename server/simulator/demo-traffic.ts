import { randomBytes } from 'node:crypto';
import type { RunningServer } from '../app.ts';
import { removeChannelProvider } from '../channels/channel-cli.ts';
import { configureTwilioChannel } from '../channels/twilio-cli.ts';
import { TWILIO_WEBHOOK_PATHS } from '../channels/twilio-adapter.ts';
import { configureWhatsAppChannel } from '../channels/whatsapp-cli.ts';
import { WHATSAPP_WEBHOOK_PATH } from '../channels/whatsapp-adapter.ts';
import {
  DEMO_CAST,
  DEMO_SMS_CHANNELS,
  DEMO_WHATSAPP_CHANNELS,
  GENERIC_FOLLOW_UPS,
  type DemoChannelId,
  type DemoCustomer,
  type DemoWhatsAppChannelId,
} from './demo-cast.ts';
import { startContactCenterTraffic, type CcTraffic } from './demo-cc-traffic.ts';
import { demoPhoto } from './png.ts';
import { demoVoiceNote } from './voice-note.ts';
import { TwilioSimulator } from './twilio-simulator.ts';
import { WhatsAppSimulator } from './whatsapp-simulator.ts';

export const DEFAULT_DEMO_TRAFFIC_MS = 40_000;

export interface DemoTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: DemoTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface DemoTrafficOptions {
  server: Pick<RunningServer, 'url'>;
  /** The server's data directory: the demo channels' provider configuration is stored in its database. */
  dataDir: string;
  /** The server's PostgreSQL database, when it has one (then dataDir holds only its files). */
  database?: { databaseUrl?: string; databaseSchema?: string };
  log: (line: string) => void;
  /** Mean time between new customer messages (jittered ±40 %); 0 = no simulated customers, simulators only. */
  intervalMs?: number;
  /** When the first customer writes (default 5 s, or the interval when that is shorter). */
  firstMessageAfterMs?: number;
  /** How long a customer takes to answer a reply: min + random × spread (default 3–8 s). */
  answerAfterMs?: { min: number; spread: number };
  /** How often recorded outbound messages are checked for replies to answer (default 500 ms). */
  watchMs?: number;
  random?: () => number;
  timers?: DemoTimers;
  /** Customers of the demo Contact Center (demo-cc-traffic.ts): their mean interval; unset or 0 = none. */
  contactCenterIntervalMs?: number;
}

type DemoMedia = 'photo' | 'voice' | null;

/** One signed webhook the traffic posted, and the server's answer. */
export interface CustomerMessage {
  channelId: DemoChannelId;
  from: string;
  body: string;
  /** MessageSid / wamid: the stored message's providerId. */
  providerId: string;
  withPhoto: boolean;
  /** A WhatsApp voice note (audio/ogg, no text; `body` is only the log line). */
  withVoice: boolean;
  /** The webhook's HTTP status (0 = the request failed). */
  status: number;
  /** true when it answered a reply of the team. */
  followUp: boolean;
}

export interface DemoSimulators {
  twilio: TwilioSimulator;
  whatsapp: Record<DemoWhatsAppChannelId, WhatsAppSimulator>;
}

export interface DemoTraffic {
  simulators: DemoSimulators;
  readonly customerMessages: readonly CustomerMessage[];
  /** The Contact Center's customers, when started. */
  contactCenter: CcTraffic | null;
  stop(): Promise<void>;
}

/** SWITCHBOARD_DEMO_TRAFFIC_MS: unset = the default, a whole number of ms ≥ 0 (0 = off); null = not a valid value. */
export function parseDemoTrafficInterval(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return DEFAULT_DEMO_TRAFFIC_MS;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

interface CustomerState {
  name: string;
  /** The lines of what they wrote in about; empty for someone the cast does not know. */
  followUps: readonly string[];
  nextLine: number;
  genericLeft: number;
  answering: boolean;
}

/**
 * Live customers for the demo workspace: runs the provider simulators, points the demo SMS and
 * WhatsApp channels at them (ports change on every start, so this reconfigures every time), and
 * has customers write in through the signed webhooks — and sometimes answer the team's replies.
 */
export async function startDemoTraffic(options: DemoTrafficOptions): Promise<DemoTraffic> {
  const { server, log } = options;
  const random = options.random ?? Math.random;
  const timers = options.timers ?? realTimers;
  const intervalMs = options.intervalMs ?? DEFAULT_DEMO_TRAFFIC_MS;
  const answerAfter = options.answerAfterMs ?? { min: 3000, spread: 5000 };
  const watchMs = options.watchMs ?? 500;
  const host = '127.0.0.1';

  const twilio = await TwilioSimulator.start({ host });
  const started: Array<{ close(): Promise<void> }> = [twilio];
  let simulators: DemoSimulators;
  try {
    const [sales, support] = await Promise.all(DEMO_WHATSAPP_CHANNELS.map(() => WhatsAppSimulator.start({ host })));
    started.push(sales as WhatsAppSimulator, support as WhatsAppSimulator);
    simulators = { twilio, whatsapp: { ch_sales_wa: sales as WhatsAppSimulator, ch_support_wa: support as WhatsAppSimulator } };
    for (const channel of DEMO_SMS_CHANNELS) {
      await configureTwilioChannel({ dataDir: options.dataDir, ...options.database }, channel.id, {
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        apiBaseUrl: twilio.url,
        publicUrl: server.url,
        helpText: 'Northwind Outfitters: text us about orders, returns and rentals. Reply STOP to opt out.',
      });
    }
    for (const channel of DEMO_WHATSAPP_CHANNELS) {
      const sim = simulators.whatsapp[channel.id];
      sim.webhookUrl = `${server.url}${WHATSAPP_WEBHOOK_PATH}`;
      await configureWhatsAppChannel({ dataDir: options.dataDir, ...options.database }, channel.id, {
        phoneNumberId: sim.phoneNumberId,
        accessToken: sim.accessToken,
        appSecret: sim.appSecret,
        verifyToken: sim.verifyToken,
        graphBaseUrl: sim.url,
      });
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  const contactCenter = options.contactCenterIntervalMs
    ? await startContactCenterTraffic({ serverUrl: server.url, twilio, target: { dataDir: options.dataDir, ...options.database }, log, intervalMs: options.contactCenterIntervalMs, random, timers })
    : null;
  log(`provider simulators: Twilio ${twilio.url} (${DEMO_SMS_CHANNELS.map((c) => c.id).join(', ')}), WhatsApp ${DEMO_WHATSAPP_CHANNELS.map((c) => `${simulators.whatsapp[c.id].url} (${c.id})`).join(', ')}`);

  const customerMessages: CustomerMessage[] = [];
  const pending = new Set<unknown>();
  const inflight = new Set<Promise<void>>();
  const states = new Map<string, CustomerState>();
  const seen = { twilio: twilio.sent.length, ch_sales_wa: simulators.whatsapp.ch_sales_wa.sends.length, ch_support_wa: simulators.whatsapp.ch_support_wa.sends.length };
  let stopped = false;
  let stopping: Promise<void> | null = null;
  let photos = 0;
  const deck: DemoCustomer[] = [];
  const rounds = new Map<DemoCustomer, number>();

  const after = (ms: number, fn: () => void) => {
    if (stopped) return;
    const handle = timers.set(() => {
      pending.delete(handle);
      if (!stopped) fn();
    }, ms);
    pending.add(handle);
  };
  const pick = <T>(items: readonly T[]): T => items[Math.min(items.length - 1, Math.floor(random() * items.length))] as T;
  const stateKey = (channelId: DemoChannelId, number: string) => `${channelId} ${number}`;
  const channelName = (id: DemoChannelId) => [...DEMO_SMS_CHANNELS, ...DEMO_WHATSAPP_CHANNELS].find((c) => c.id === id)?.name ?? id;

  async function post(channelId: DemoChannelId, from: string, name: string, body: string, media: DemoMedia, followUp: boolean): Promise<void> {
    const withPhoto = media === 'photo';
    const voice = media === 'voice' ? demoVoiceNote() : null;
    const record: CustomerMessage = { channelId, from, body, providerId: '', withPhoto, withVoice: voice !== null, status: 0, followUp };
    try {
      const whatsapp = channelId === 'ch_sales_wa' || channelId === 'ch_support_wa' ? simulators.whatsapp[channelId] : null;
      if (whatsapp) {
        record.providerId = `wamid.${randomBytes(12).toString('hex')}`;
        const wa = from.replace(/^\+/, '');
        const payload = voice
          ? whatsapp.inboundMedia({ from, id: record.providerId, type: 'audio', contentType: 'audio/ogg; codecs=opus', body: voice, voice: true })
          : whatsapp.envelope({
              contacts: [{ profile: { name }, wa_id: wa }],
              messages: [{ from: wa, id: record.providerId, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } }],
            });
        record.status = (await whatsapp.postSigned(`${server.url}${WHATSAPP_WEBHOOK_PATH}`, payload)).status;
      } else {
        const to = DEMO_SMS_CHANNELS.find((c) => c.id === channelId)?.number ?? '';
        record.providerId = `${withPhoto ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`;
        let params = twilio.inboundParams({ from, to, body, messageSid: record.providerId });
        if (withPhoto) {
          const url = twilio.serveMedia(`photo-${++photos}.png`, 'image/png', demoPhoto(random()));
          params = twilio.withMedia(params, [{ url, contentType: 'image/png' }]);
        }
        record.status = (await twilio.postSigned(`${server.url}${TWILIO_WEBHOOK_PATHS.sms}`, params)).status;
      }
    } catch (err) {
      if (!stopped) log(`a simulated customer message could not be delivered: ${err instanceof Error ? err.message : String(err)}`);
    }
    customerMessages.push(record);
    if (record.status === 200) log(`${name} → ${channelName(channelId)}${withPhoto ? ' (with a photo)' : voice ? ' (voice note)' : ''}: ${body.length > 70 ? `${body.slice(0, 69)}…` : body}`);
    else if (record.status !== 0) log(`the server answered ${record.status} to a simulated ${channelName(channelId)} message`);
  }

  function send(...args: Parameters<typeof post>): void {
    const done = post(...args).finally(() => inflight.delete(done));
    inflight.add(done);
  }

  /** Everyone writes once before anyone writes again, and then with their next question. */
  function customerWritesIn(): void {
    if (deck.length === 0) deck.push(...DEMO_CAST);
    const busy = (c: DemoCustomer) => states.get(stateKey(c.channelId, c.number))?.answering === true;
    const idle = deck.filter((c) => !busy(c));
    const customer = pick(idle.length > 0 ? idle : deck);
    deck.splice(deck.indexOf(customer), 1);
    const round = rounds.get(customer) ?? 0;
    rounds.set(customer, round + 1);
    const script = customer.scripts[round % customer.scripts.length] ?? { opening: { body: 'Hi!' }, followUps: [] };
    states.set(stateKey(customer.channelId, customer.number), { name: customer.name, followUps: script.followUps, nextLine: 0, genericLeft: 1, answering: false });
    send(customer.channelId, customer.number, customer.name, script.opening.body, script.opening.photo ? 'photo' : script.opening.voice ? 'voice' : null, false);
  }

  /** The team sent `to` a message on `channelId`: that customer may answer a few seconds later. */
  function replied(channelId: DemoChannelId, to: string): void {
    const key = stateKey(channelId, to);
    const known = DEMO_CAST.find((c) => c.number === to && c.channelId === channelId);
    const state = states.get(key) ?? { name: known?.name ?? to, followUps: [], nextLine: 0, genericLeft: 1, answering: false };
    states.set(key, state);
    if (state.answering) return;
    const ownLine = state.followUps[state.nextLine];
    const chance = ownLine ? 0.85 : state.genericLeft > 0 ? 0.5 : 0;
    if (random() >= chance) return;
    const line = ownLine ?? pick(GENERIC_FOLLOW_UPS);
    if (ownLine) state.nextLine++;
    else state.genericLeft--;
    state.answering = true;
    after(answerAfter.min + random() * answerAfter.spread, () => {
      state.answering = false;
      send(channelId, to, state.name, line, null, true);
    });
  }

  function watchReplies(): void {
    for (const sent of twilio.sent.slice(seen.twilio)) {
      const channel = DEMO_SMS_CHANNELS.find((c) => c.number === sent.form.From);
      if (sent.authorized && channel && sent.form.To) replied(channel.id, sent.form.To);
      contactCenter?.sawSend({ from: sent.form.From, to: sent.form.To, authorized: sent.authorized });
    }
    seen.twilio = twilio.sent.length;
    for (const channel of DEMO_WHATSAPP_CHANNELS) {
      const sends = simulators.whatsapp[channel.id].sends;
      for (const sent of sends.slice(seen[channel.id])) {
        if (sent.authorized && sent.body.to) replied(channel.id, `+${sent.body.to.replace(/^\+/, '')}`);
      }
      seen[channel.id] = sends.length;
    }
    after(watchMs, watchReplies);
  }

  function scheduleNext(ms: number): void {
    after(ms, () => {
      customerWritesIn();
      scheduleNext(intervalMs * (0.6 + 0.8 * random()));
    });
  }

  if (intervalMs > 0) scheduleNext(options.firstMessageAfterMs ?? Math.min(5000, intervalMs));
  // Replies are watched whenever someone may answer them (the Contact Center's customers too).
  if (intervalMs > 0 || contactCenter) after(watchMs, watchReplies);

  return {
    simulators,
    customerMessages,
    contactCenter,
    stop() {
      stopped = true;
      stopping ??= (async () => {
        for (const handle of pending) timers.clear(handle);
        pending.clear();
        await Promise.allSettled([...inflight]);
        await contactCenter?.stop();
        await Promise.all(started.map((s) => s.close()));
        // The simulators are gone: back to the demo delivery, so a later start without demo traffic
        // (npm run server -- --demo, SWITCHBOARD_SERVER_URL) does not send to dead ports.
        for (const channel of [...DEMO_SMS_CHANNELS, ...DEMO_WHATSAPP_CHANNELS]) {
          try {
            await removeChannelProvider({ dataDir: options.dataDir, ...options.database }, channel.id);
          } catch (err) {
            log(`the simulator configuration of ${channel.id} was not removed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      })();
      return stopping;
    },
  };
}
