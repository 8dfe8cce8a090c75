import { createHmac } from 'node:crypto';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { configureTwilioChannel } from '../../../server/channels/twilio-cli.ts';
import { computeTwilioSignature, type FormParams } from '../../../server/channels/twilio-signature.ts';
import { configureWhatsAppChannel } from '../../../server/channels/whatsapp-cli.ts';
import { computeWhatsAppSignature } from '../../../server/channels/whatsapp-signature.ts';
import { startTestServer, type TestServer } from '../support/sync-client.ts';

/**
 * Issue 8 (4): every webhook checks its signature before it looks at the body. Whatever the body
 * (an empty `{"entry":[]}` included), a request that is unsigned or signed wrongly is refused; the
 * same bodies correctly signed are not refused for their signature (the control).
 */

const APP_SECRET = 'wa-app-secret';
const PHONE_NUMBER_ID = '1055501';
const AUTH_TOKEN = 'twilio-auth-token';
const ACCOUNT_SID = 'AC1';
const SALES_SMS = '+14155550100';
/** Generous: the machine running the suite may be busy. */
const PROPERTY_TIMEOUT_MS = 30_000;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await configureWhatsAppChannel(t.dataDir, 'ch_sales_wa', { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'x', appSecret: APP_SECRET, verifyToken: 'v', graphBaseUrl: 'http://127.0.0.1:9' });
  await configureTwilioChannel(t.dataDir, 'ch_sales_sms', { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: t.server.url, apiBaseUrl: 'http://127.0.0.1:9' });
});
afterAll(async () => {
  await t.close();
});

// ---- WhatsApp

const whatsAppPayload = fc.record({
  entry: fc.array(
    fc.record({
      changes: fc.array(
        fc.record({
          value: fc.record({
            metadata: fc.record({ phone_number_id: fc.oneof(fc.constant(PHONE_NUMBER_ID), fc.stringMatching(/^[0-9]{1,8}$/)) }),
            statuses: fc.array(fc.record({ id: fc.string({ minLength: 1 }), status: fc.constantFrom('sent', 'delivered', 'failed') }), { maxLength: 2 }),
          }),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});
const whatsAppBody = fc.oneof(
  fc.constant('{"entry":[]}'),
  fc.constant('{"object":"whatsapp_business_account","entry":[]}'),
  whatsAppPayload.map((p) => JSON.stringify(p)),
  fc.json(),
  fc.string(),
);
/** A signature that is not the app secret's over these bytes (or none at all). */
const badWhatsAppSignature = (body: string) =>
  fc.oneof(
    fc.constant(null),
    fc.constant(''),
    fc.string({ maxLength: 80 }).filter((s) => !/[\r\n]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
    fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256=${hex}`),
    fc.string({ minLength: 1, maxLength: 20 }).map((secret) => computeWhatsAppSignature(`${APP_SECRET}${secret}`, body)),
    fc.constant(computeWhatsAppSignature(APP_SECRET, `${body} `)),
    fc.constant(`sha1=${createHmac('sha1', APP_SECRET).update(body).digest('hex')}`),
  );

function postWhatsApp(body: string, signature: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(`${t.server.url}/webhooks/whatsapp`, { method: 'POST', headers, body });
}

describe('POST /webhooks/whatsapp', () => {
  it('refuses an unsigned empty payload (the issue) and accepts it signed', async () => {
    expect((await postWhatsApp('{"entry":[]}', null)).status).toBe(403);
    expect((await postWhatsApp('{"entry":[]}', 'sha256=' + '0'.repeat(64))).status).toBe(403);
    expect((await postWhatsApp('{"entry":[]}', computeWhatsAppSignature(APP_SECRET, '{"entry":[]}'))).status).toBe(200);
  });

  it.prop([whatsAppBody.chain((body) => fc.tuple(fc.constant(body), badWhatsAppSignature(body)))], { numRuns: 100 })(
    'refuses every body that is unsigned or wrongly signed',
    async ([body, signature]) => {
      expect([401, 403]).toContain((await postWhatsApp(body, signature)).status);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it.prop([whatsAppBody], { numRuns: 60 })('does not refuse the same bodies for their signature when they are signed', async (body) => {
    const res = await postWhatsApp(body, computeWhatsAppSignature(APP_SECRET, body));
    const namesOthers = /"phone_number_id":"(?!1055501")/.test(body);
    if (!namesOthers) expect([401, 403]).not.toContain(res.status);
  }, PROPERTY_TIMEOUT_MS);
});

// ---- Twilio

const formKey = fc.oneof(fc.constantFrom('To', 'From', 'Body', 'MessageSid', 'AccountSid', 'MessageStatus', 'NumMedia', 'MessagingServiceSid'), fc.string({ maxLength: 10 }));
const extraParams = fc.array(fc.tuple(formKey, fc.string({ maxLength: 20 })), { maxLength: 6 });
/** A form that names the configured channel and its account (what Twilio sends), then anything. */
const namedForm: fc.Arbitrary<Array<[string, string]>> = extraParams.map((extra) => [
  ['To', SALES_SMS],
  ['AccountSid', ACCOUNT_SID],
  ['From', '+15005550999'],
  ['MessageSid', 'SMfuzz'],
  ['MessageStatus', 'delivered'],
  ...extra,
]);
const formParams = fc.oneof(namedForm, extraParams);
const twilioPath = fc.constantFrom('/webhooks/twilio/sms', '/webhooks/twilio/status?channel=ch_sales_sms&message=m1');
const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain');

const badTwilioSignature = (url: string, params: FormParams) =>
  fc.oneof(
    fc.constant(null),
    fc.constant(''),
    fc.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
    fc.string({ minLength: 1, maxLength: 20 }).map((token) => computeTwilioSignature(`${AUTH_TOKEN}${token}`, url, params)),
    fc.constant(computeTwilioSignature(AUTH_TOKEN, `${url}&x=1`, params)),
    fc.constant(computeTwilioSignature(AUTH_TOKEN, url, [...params, ['Body', 'tampered']])),
  );

function postTwilio(path: string, params: FormParams, signature: string | null, type = 'application/x-www-form-urlencoded'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': type };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return fetch(`${t.server.url}${path}`, { method: 'POST', headers, body: new URLSearchParams(params as Array<[string, string]>).toString() });
}

describe('POST /webhooks/twilio/*', () => {
  it.prop([fc.tuple(twilioPath, formParams, contentType).chain(([path, params, type]) => fc.tuple(fc.constant(path), fc.constant(params), fc.constant(type), badTwilioSignature(`${t.server.url}${path}`, params)))], {
    numRuns: 100,
  })('refuses every form that is unsigned or wrongly signed, whatever its content type', async ([path, params, type, signature]) => {
    expect([401, 403]).toContain((await postTwilio(path, params, signature, type)).status);
  }, PROPERTY_TIMEOUT_MS);

  it.prop([twilioPath, namedForm], { numRuns: 40 })('does not refuse the same forms for their signature when they are signed', async (path, params) => {
    const res = await postTwilio(path, params, computeTwilioSignature(AUTH_TOKEN, `${t.server.url}${path}`, params));
    expect([401, 403]).not.toContain(res.status);
  }, PROPERTY_TIMEOUT_MS);
});
