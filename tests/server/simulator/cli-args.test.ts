import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, DEFAULT_TWILIO_PORT, DEFAULT_WHATSAPP_PORT, parseInteractiveLine, parseSimulatorArgs } from '../../../server/simulator/cli-args.ts';

const error = (argv: string[]) => {
  const parsed = parseSimulatorArgs(argv);
  if (parsed.ok) throw new Error(`expected a usage error for ${argv.join(' ')}`);
  return parsed.error;
};

describe('npm run simulator arguments', () => {
  it('serves both simulators on the default ports by default, with random credentials unless given', () => {
    expect(parseSimulatorArgs([])).toEqual({
      ok: true,
      value: {
        kind: 'serve',
        host: '127.0.0.1',
        server: DEFAULT_SERVER_URL,
        twilio: { port: DEFAULT_TWILIO_PORT, accountSid: undefined, authToken: undefined },
        whatsapp: { port: DEFAULT_WHATSAPP_PORT, phoneNumberId: undefined, accessToken: undefined, appSecret: undefined, verifyToken: undefined },
      },
    });
  });

  it('serves one provider with the given port, credentials (flags or environment) and server', () => {
    const parsed = parseSimulatorArgs(['serve', '--provider', 'twilio', '--twilio-port', '0', '--account-sid', 'AC123', '--server', 'http://127.0.0.1:5000/'], { TWILIO_AUTH_TOKEN: 'tok' });
    expect(parsed).toMatchObject({ ok: true, value: { server: 'http://127.0.0.1:5000', twilio: { port: 0, accountSid: 'AC123', authToken: 'tok' }, whatsapp: null } });
    const wa = parseSimulatorArgs(['--provider', 'whatsapp', '--phone-number-id', '1234', '--app-secret', 'flag'], { WHATSAPP_APP_SECRET: 'env', WHATSAPP_VERIFY_TOKEN: 'v' });
    expect(wa).toMatchObject({ ok: true, value: { twilio: null, whatsapp: { port: DEFAULT_WHATSAPP_PORT, phoneNumberId: '1234', appSecret: 'flag', verifyToken: 'v' } } });
  });

  it('builds one signed send per provider', () => {
    expect(
      parseSimulatorArgs(['send', '--provider', 'twilio', '--webhook', 'http://h/webhooks/twilio/sms', '--account-sid', 'ACx1', '--auth-token', 't', '--from', '+12065550100', '--to', '+14155550100', '--body', 'Hi there']),
    ).toEqual({ ok: true, value: { kind: 'send-twilio', webhook: 'http://h/webhooks/twilio/sms', accountSid: 'ACx1', authToken: 't', from: '+12065550100', to: '+14155550100', body: 'Hi there' } });
    expect(
      parseSimulatorArgs(['send', '--provider', 'whatsapp', '--webhook', 'https://h/webhooks/whatsapp', '--phone-number-id', '42', '--from', '+12065550100', '--body', 'Hola'], { WHATSAPP_APP_SECRET: 's' }),
    ).toEqual({ ok: true, value: { kind: 'send-whatsapp', webhook: 'https://h/webhooks/whatsapp', phoneNumberId: '42', appSecret: 's', from: '+12065550100', body: 'Hola', name: 'Customer' } });
  });

  it('names the first problem', () => {
    expect(error(['--twilio-port', '70000'])).toBe('--twilio-port must be a port number (0–65535), not "70000"');
    expect(error(['--twilio-port', 'abc'])).toContain('--twilio-port must be a port number');
    expect(error(['--provider', 'sms'])).toBe('--provider must be twilio, whatsapp or both, not "sms"');
    expect(error(['--server', 'ftp://x'])).toBe('--server must be an http(s) address, not "ftp://x"');
    expect(error(['--account-sid', 'XY1'])).toBe('--account-sid must be AC followed by letters and digits, not "XY1"');
    expect(error(['--body', 'hi'])).toBe('--body is not an option of "serve"');
    expect(error(['--frobnicate'])).toMatch(/frobnicate/);
    expect(error(['launch'])).toBe('unknown command "launch" (serve, send or help)');
    expect(error(['send', 'extra'])).toBe('unexpected argument "extra"');
    expect(error(['send'])).toBe('--provider is required');
    expect(error(['send', '--provider', 'twilio', '--webhook', 'http://h'])).toBe('--from is required');
    const twilio = ['send', '--provider', 'twilio', '--webhook', 'http://h', '--from', '+12065550100', '--body', 'x'];
    expect(error([...twilio, '--to', '+14155550100', '--auth-token', 't'])).toBe('--account-sid is required');
    expect(error([...twilio, '--to', '+14155550100', '--account-sid', 'AC1'])).toBe('--auth-token is required');
    expect(error([...twilio, '--to', '4155550100', '--account-sid', 'AC1', '--auth-token', 't'])).toBe('--to must be a number in E.164 form (+14155550100), not "4155550100"');
    expect(error(['send', '--provider', 'whatsapp', '--webhook', 'http://h', '--from', '+12065550100', '--body', 'x', '--to', '+1415555010'])).toContain('--to is not used with --provider whatsapp');
    expect(error(['send', '--provider', 'telegram', '--webhook', 'http://h', '--from', '+12065550100', '--body', 'x'])).toBe('--provider must be twilio or whatsapp, not "telegram"');
    expect(error(['send', '--provider', 'twilio', '--twilio-port', '1'])).toBe('--twilio-port is not an option of "send"');
  });

  it('help', () => {
    expect(parseSimulatorArgs(['--help'])).toEqual({ ok: true, value: { kind: 'help' } });
    expect(parseSimulatorArgs(['help'])).toEqual({ ok: true, value: { kind: 'help' } });
  });
});

describe('simulator prompt lines', () => {
  it('reads sms, mms and wa lines', () => {
    expect(parseInteractiveLine('sms +12065550100 +14155550100 Do you   rent kayaks?')).toEqual({
      ok: true,
      value: { kind: 'sms', from: '+12065550100', to: '+14155550100', body: 'Do you rent kayaks?', photo: false },
    });
    expect(parseInteractiveLine('MMS +12065550100 +14155550100')).toEqual({ ok: true, value: { kind: 'sms', from: '+12065550100', to: '+14155550100', body: '', photo: true } });
    expect(parseInteractiveLine('wa +12065550100 Hola!')).toEqual({ ok: true, value: { kind: 'wa', from: '+12065550100', body: 'Hola!', media: null } });
    expect(parseInteractiveLine('wa-photo +12065550100 the tear')).toEqual({ ok: true, value: { kind: 'wa', from: '+12065550100', body: 'the tear', media: 'photo' } });
    expect(parseInteractiveLine('wa-voice +12065550100')).toEqual({ ok: true, value: { kind: 'wa', from: '+12065550100', body: '', media: 'voice' } });
    expect(parseInteractiveLine('wa-voice 555')).toMatchObject({ ok: false });
    expect(parseInteractiveLine('   ')).toEqual({ ok: true, value: { kind: 'empty' } });
    expect(parseInteractiveLine('quit')).toEqual({ ok: true, value: { kind: 'quit' } });
    expect(parseInteractiveLine('help')).toEqual({ ok: true, value: { kind: 'help' } });
  });

  it('explains a wrong line', () => {
    expect(parseInteractiveLine('sms 2065550100 +14155550100 hi')).toEqual({ ok: false, error: 'FROM must be a number in E.164 form (+14155550100), not "2065550100"' });
    expect(parseInteractiveLine('sms +12065550100')).toEqual({ ok: false, error: 'TO must be a number in E.164 form (+14155550100), not ""' });
    expect(parseInteractiveLine('sms +12065550100 +14155550100')).toEqual({ ok: false, error: 'an SMS needs some text' });
    expect(parseInteractiveLine('wa +12065550100')).toEqual({ ok: false, error: 'a WhatsApp message needs some text' });
    expect(parseInteractiveLine('call +12065550100')).toEqual({ ok: false, error: 'unknown command "call"; type help' });
  });
});
