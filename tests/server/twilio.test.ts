import type { Server } from 'node:http';
import { createHttpServer } from '../../boundary/http-boundary.ts';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { computeTwilioSignature, publicRequestUrl, urlVariants, validateTwilioSignature, type FormParams } from '../../server/channels/twilio-signature.ts';
import { twilioStatusUpdate } from '../../server/channels/twilio-adapter.ts';
import { Domain } from '../../server/domain/domain.ts';
import { sendError } from '../../server/http/respond.ts';
import { createHttpHandler } from '../../server/http/routes.ts';
import type { Storage, StorageTx } from '../../server/storage/storage.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

// Twilio's documented example (twilio-php/-csharp/-python RequestValidator tests). The brief listed
// Caller/From as +12349013030; with those values the HMAC is 0/KCTR6DLpKmkAf8muzZqo1nDgQ=. The published
// constant RSOYDt4T1cUTdK1PDd93/VVr8B8= belongs to Caller/From +14158675309, as in Twilio's own libraries.
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: FormParams = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
];
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('X-Twilio-Signature', () => {
  it('reproduces the documented example, whatever order the params arrive in', () => {
    expect(computeTwilioSignature(TOKEN, URL_, PARAMS)).toBe(SIGNATURE);
    expect(validateTwilioSignature(TOKEN, URL_, [...PARAMS].reverse(), SIGNATURE)).toBe(true);
    const briefVariant = PARAMS.map(([k, v]) => [k, v.replace('+14158675309', '+12349013030')] as const);
    expect(computeTwilioSignature(TOKEN, URL_, briefVariant)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('signs every value of a repeated parameter (twilio-python vector)', () => {
    const repeated: FormParams = [
      ['Sid', 'CA123'],
      ['SidAccount', 'AC123'],
      ['Digits', '5678'],
      ['Digits', '1234'],
      ['Digits', '1234'],
    ];
    expect(validateTwilioSignature(TOKEN, URL_, repeated, 'IK+Dwps556ElfBT0I3Rgjkr1wJU=')).toBe(true);
    expect(computeTwilioSignature(TOKEN, URL_, repeated)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
    expect(validateTwilioSignature(TOKEN, URL_, repeated.slice(0, 3), 'IK+Dwps556ElfBT0I3Rgjkr1wJU=')).toBe(false);
    // A signer that appends every occurrence is accepted too.
    expect(validateTwilioSignature(TOKEN, URL_, repeated, computeTwilioSignature(TOKEN, URL_, repeated, { dedupe: false }))).toBe(true);
  });

  it('rejects a tampered URL, parameter, token, or a missing header', () => {
    expect(validateTwilioSignature(TOKEN, `${URL_}&extra=1`, PARAMS, SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(TOKEN, URL_.replace('foo=1', 'foo=2'), PARAMS, SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(TOKEN, URL_, [...PARAMS.slice(0, 2), ['Digits', '9999'], ...PARAMS.slice(3)], SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(TOKEN, URL_, [...PARAMS, ['Extra', 'x']], SIGNATURE)).toBe(false);
    expect(validateTwilioSignature('54321', URL_, PARAMS, SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(TOKEN, URL_, PARAMS, undefined)).toBe(false);
    expect(validateTwilioSignature(TOKEN, URL_, PARAMS, '')).toBe(false);
    expect(validateTwilioSignature(TOKEN, URL_, PARAMS, 'short')).toBe(false);
  });

  it('accepts the URL with or without its default port', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(urlVariants(URL_)).toContain(withPort);
    expect(validateTwilioSignature(TOKEN, withPort, PARAMS, SIGNATURE)).toBe(true);
    expect(validateTwilioSignature(TOKEN, URL_, PARAMS, computeTwilioSignature(TOKEN, withPort, PARAMS))).toBe(true);
    // A non-default port is part of the signed URL.
    expect(validateTwilioSignature(TOKEN, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', PARAMS, SIGNATURE)).toBe(false);
  });

  it('rebuilds the public URL from the configured base address', () => {
    expect(publicRequestUrl('https://inbox.example.com/', '/webhooks/twilio/sms?x=1')).toBe('https://inbox.example.com/webhooks/twilio/sms?x=1');
  });

  it('maps status callbacks', () => {
    expect(twilioStatusUpdate('delivered', null)).toEqual({ status: 'delivered', reason: null });
    expect(twilioStatusUpdate('undelivered', '30007')).toEqual({ status: 'failed', reason: 'Carrier error 30007' });
    expect(twilioStatusUpdate('failed', '30003')).toEqual({ status: 'failed', reason: 'Carrier error 30003' });
    expect(twilioStatusUpdate('queued', null)).toBeNull();
  });
});

describe('POST /webhooks/twilio/sms persistence', () => {
  let t: TestDomain;
  let domain: Domain;
  let server: Server;
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    domain.close();
    await t.close();
  });

  it('answers 500 when storing fails (Twilio retries) and 200 with empty TwiML once it is stored', async () => {
    t = await openTestDomain();
    const failing = { on: false };
    const storage: Storage = {
      sharedByInstances: false,
      transaction: async (fn) =>
        await t.storage.transaction(async (tx) =>
          fn(
            failing.on
              ? (Object.assign(Object.create(tx) as StorageTx, {
                  put: () => {
                    throw new Error('disk full');
                  },
                }) as StorageTx)
              : tx,
          ),
        ),
      close: async () => {},
    };
    const logs: string[] = [];
    domain = await Domain.open({ storage, log: (l) => logs.push(l) });
    server = createHttpServer({
      name: 'http',
      log: (l) => logs.push(l),
      sendError,
      onRequest: createHttpHandler({ domain, demoAccounts: null, demoInbound: false, bodyLimitBytes: 65536, log: (l) => logs.push(l) }),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await domain.providers.configureTwilioChannel('ch_sales_sms', { accountSid: 'AC1', authToken: 'tok', publicUrl: base, apiBaseUrl: 'http://127.0.0.1:9' });

    const params: Array<[string, string]> = [
      ['MessageSid', 'SMfail1'],
      ['AccountSid', 'AC1'],
      ['From', '+15005550999'],
      ['To', '+14155550100'],
      ['Body', 'are you open?'],
      ['NumMedia', '0'],
    ];
    const url = `${base}/webhooks/twilio/sms`;
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeTwilioSignature('tok', url, params) },
        body: new URLSearchParams(params).toString(),
      });
    const stored = async () => await t.storage.transaction(async (tx) => await tx.findMessageByProviderId('ch_sales_sms', 'SMfail1'));

    failing.on = true;
    const refused = await post();
    expect(refused.status).toBe(500);
    expect(await stored()).toBeNull();
    expect(logs.join('\n')).not.toContain('tok');

    failing.on = false;
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<Response/>');
    expect(await stored()).toMatchObject({ body: 'are you open?', direction: 'in' });
  });
});
