import { parseArgs } from 'node:util';

export const DEFAULT_TWILIO_PORT = 4880;
export const DEFAULT_WHATSAPP_PORT = 4881;
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4870';

export const USAGE = `usage:
  npm run simulator -- [serve] [--provider twilio|whatsapp|both] [--server URL] [--host H]
        [--twilio-port N] [--account-sid AC…] [--auth-token T]
        [--whatsapp-port N] [--phone-number-id DIGITS] [--access-token T] [--app-secret S] [--verify-token T]
      Runs the simulators (ports ${DEFAULT_TWILIO_PORT} / ${DEFAULT_WHATSAPP_PORT}, 0 = any free port; credentials random unless given),
      prints their addresses and credentials, then reads lines on stdin:
        sms FROM TO TEXT…   a signed inbound SMS to the server's /webhooks/twilio/sms
        mms FROM TO TEXT…   the same with a small picture (served by the simulator)
        wa FROM TEXT…       a signed inbound WhatsApp text to the server's /webhooks/whatsapp
      --server is the Switchboard server (default ${DEFAULT_SERVER_URL}).
  npm run simulator -- send --provider twilio --webhook URL --account-sid AC… --auth-token T --from +1… --to +1… --body TEXT
  npm run simulator -- send --provider whatsapp --webhook URL --phone-number-id DIGITS --app-secret S --from +1… --body TEXT [--name NAME]
      Posts one signed inbound message and prints the server's answer.
  Secrets may come from TWILIO_AUTH_TOKEN, WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN instead.`;

export interface ServeCommand {
  kind: 'serve';
  host: string;
  server: string;
  twilio: { port: number; accountSid?: string; authToken?: string } | null;
  whatsapp: { port: number; phoneNumberId?: string; accessToken?: string; appSecret?: string; verifyToken?: string } | null;
}
export interface SendTwilioCommand {
  kind: 'send-twilio';
  webhook: string;
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
  body: string;
}
export interface SendWhatsAppCommand {
  kind: 'send-whatsapp';
  webhook: string;
  phoneNumberId: string;
  appSecret: string;
  from: string;
  body: string;
  name: string;
}
export type SimulatorCommand = { kind: 'help' } | ServeCommand | SendTwilioCommand | SendWhatsAppCommand;
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The environment variables the simulator reads secrets from. */
export type SecretEnv = Partial<Record<'TWILIO_AUTH_TOKEN' | 'WHATSAPP_ACCESS_TOKEN' | 'WHATSAPP_APP_SECRET' | 'WHATSAPP_VERIFY_TOKEN', string>>;

const E164 = /^\+[1-9][0-9]{6,14}$/;
const ACCOUNT_SID = /^AC[0-9a-zA-Z]{1,64}$/;
const PHONE_NUMBER_ID = /^[0-9]{1,32}$/;

class UsageError extends Error {}

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value > 65535) throw new UsageError(`--${name} must be a port number (0–65535), not "${raw}"`);
  return value;
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} must be an http(s) address, not "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${name} must be an http(s) address, not "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function matching(name: string, raw: string | undefined, pattern: RegExp, what: string): string | undefined {
  if (raw !== undefined && !pattern.test(raw)) throw new UsageError(`--${name} must be ${what}, not "${raw}"`);
  return raw;
}

function required<T>(name: string, value: T | undefined): T {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

const OPTIONS = {
  provider: { type: 'string' },
  server: { type: 'string' },
  host: { type: 'string' },
  'twilio-port': { type: 'string' },
  'whatsapp-port': { type: 'string' },
  'account-sid': { type: 'string' },
  'auth-token': { type: 'string' },
  'phone-number-id': { type: 'string' },
  'access-token': { type: 'string' },
  'app-secret': { type: 'string' },
  'verify-token': { type: 'string' },
  webhook: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  body: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

/** Options that only one command understands: naming them elsewhere is a mistake worth saying. */
const SEND_ONLY = ['webhook', 'from', 'to', 'body', 'name'] as const;
const SERVE_ONLY = ['server', 'host', 'twilio-port', 'whatsapp-port', 'access-token', 'verify-token'] as const;

function refuse(values: Values, names: readonly (keyof Values)[], command: string): void {
  const given = names.find((n) => values[n] !== undefined);
  if (given) throw new UsageError(`--${given} is not an option of "${command}"`);
}

function serve(values: Values, env: SecretEnv): ServeCommand {
  refuse(values, SEND_ONLY, 'serve');
  const provider = values.provider ?? 'both';
  if (provider !== 'twilio' && provider !== 'whatsapp' && provider !== 'both') throw new UsageError(`--provider must be twilio, whatsapp or both, not "${provider}"`);
  return {
    kind: 'serve',
    host: values.host ?? '127.0.0.1',
    server: httpUrl('server', values.server ?? DEFAULT_SERVER_URL),
    twilio:
      provider === 'whatsapp'
        ? null
        : {
            port: port('twilio-port', values['twilio-port'], DEFAULT_TWILIO_PORT),
            accountSid: matching('account-sid', values['account-sid'], ACCOUNT_SID, 'AC followed by letters and digits'),
            authToken: values['auth-token'] ?? env.TWILIO_AUTH_TOKEN,
          },
    whatsapp:
      provider === 'twilio'
        ? null
        : {
            port: port('whatsapp-port', values['whatsapp-port'], DEFAULT_WHATSAPP_PORT),
            phoneNumberId: matching('phone-number-id', values['phone-number-id'], PHONE_NUMBER_ID, 'digits'),
            accessToken: values['access-token'] ?? env.WHATSAPP_ACCESS_TOKEN,
            appSecret: values['app-secret'] ?? env.WHATSAPP_APP_SECRET,
            verifyToken: values['verify-token'] ?? env.WHATSAPP_VERIFY_TOKEN,
          },
  };
}

function send(values: Values, env: SecretEnv): SendTwilioCommand | SendWhatsAppCommand {
  refuse(values, SERVE_ONLY, 'send');
  const provider = required('provider', values.provider);
  const webhook = httpUrl('webhook', required('webhook', values.webhook));
  const from = required('from', matching('from', values.from, E164, 'a number in E.164 form (+14155550100)'));
  const body = required('body', values.body);
  if (provider === 'twilio') {
    if (values.name !== undefined) throw new UsageError('--name is an option of --provider whatsapp');
    return {
      kind: 'send-twilio',
      webhook,
      accountSid: required('account-sid', matching('account-sid', values['account-sid'], ACCOUNT_SID, 'AC followed by letters and digits')),
      authToken: required('auth-token', values['auth-token'] ?? env.TWILIO_AUTH_TOKEN),
      from,
      to: required('to', matching('to', values.to, E164, 'a number in E.164 form (+14155550100)')),
      body,
    };
  }
  if (provider === 'whatsapp') {
    if (values.to !== undefined) throw new UsageError('--to is not used with --provider whatsapp (the phone number id names the business number)');
    return {
      kind: 'send-whatsapp',
      webhook,
      phoneNumberId: required('phone-number-id', matching('phone-number-id', values['phone-number-id'], PHONE_NUMBER_ID, 'digits')),
      appSecret: required('app-secret', values['app-secret'] ?? env.WHATSAPP_APP_SECRET),
      from,
      body,
      name: values.name ?? 'Customer',
    };
  }
  throw new UsageError(`--provider must be twilio or whatsapp, not "${provider}"`);
}

/** `npm run simulator -- …` arguments; an error names the first problem (print it with USAGE). */
export function parseSimulatorArgs(argv: readonly string[], env: SecretEnv = {}): Parsed<SimulatorCommand> {
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const { values, positionals } = parsed;
    if (values.help || positionals[0] === 'help') return { ok: true, value: { kind: 'help' } };
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const command = positionals[0] ?? 'serve';
    if (command === 'serve') return { ok: true, value: serve(values, env) };
    if (command === 'send') return { ok: true, value: send(values, env) };
    throw new UsageError(`unknown command "${command}" (serve, send or help)`);
  } catch (err) {
    if (err instanceof UsageError) return { ok: false, error: err.message };
    throw err;
  }
}

export type InteractiveLine =
  | { kind: 'sms'; from: string; to: string; body: string; photo: boolean }
  | { kind: 'wa'; from: string; body: string; media: 'photo' | 'voice' | null }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'empty' };

export const LINE_HELP = `  sms FROM TO TEXT…   inbound SMS (FROM = customer, TO = your channel's number)
  mms FROM TO TEXT…   inbound MMS with a small picture
  wa FROM TEXT…       inbound WhatsApp text
  wa-photo FROM [CAPTION…]  inbound WhatsApp image (a small picture)
  wa-voice FROM       inbound WhatsApp voice note (Ogg Opus)
  help | quit`;

/** One line typed at the simulator's prompt. */
export function parseInteractiveLine(line: string): Parsed<InteractiveLine> {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const [verb, ...rest] = words;
  if (!verb) return { ok: true, value: { kind: 'empty' } };
  const number = (raw: string | undefined, what: string): string => {
    if (!raw || !E164.test(raw)) throw new UsageError(`${what} must be a number in E.164 form (+14155550100), not "${raw ?? ''}"`);
    return raw;
  };
  try {
    switch (verb.toLowerCase()) {
      case 'help':
      case '?':
        return { ok: true, value: { kind: 'help' } };
      case 'quit':
      case 'exit':
        return { ok: true, value: { kind: 'quit' } };
      case 'sms':
      case 'mms': {
        const from = number(rest[0], 'FROM');
        const to = number(rest[1], 'TO');
        const body = rest.slice(2).join(' ');
        if (!body && verb.toLowerCase() === 'sms') throw new UsageError('an SMS needs some text');
        return { ok: true, value: { kind: 'sms', from, to, body, photo: verb.toLowerCase() === 'mms' } };
      }
      case 'wa': {
        const from = number(rest[0], 'FROM');
        const body = rest.slice(1).join(' ');
        if (!body) throw new UsageError('a WhatsApp message needs some text');
        return { ok: true, value: { kind: 'wa', from, body, media: null } };
      }
      case 'wa-photo':
        return { ok: true, value: { kind: 'wa', from: number(rest[0], 'FROM'), body: rest.slice(1).join(' '), media: 'photo' } };
      case 'wa-voice':
        return { ok: true, value: { kind: 'wa', from: number(rest[0], 'FROM'), body: '', media: 'voice' } };
      default:
        throw new UsageError(`unknown command "${verb}"; type help`);
    }
  } catch (err) {
    if (err instanceof UsageError) return { ok: false, error: err.message };
    throw err;
  }
}
