import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseProviderConfig } from '../../server/channels/channel-adapter.ts';
import { whatsAppStatusUpdate } from '../../server/channels/whatsapp-adapter.ts';
import { computeWhatsAppSignature, validateWhatsAppSignature } from '../../server/channels/whatsapp-signature.ts';
import type { Domain } from '../../server/domain/domain.ts';
import { whatsAppWebhookRoutes } from '../../server/http/whatsapp-webhooks.ts';
import { sendError } from '../../server/http/respond.ts';
import { createHttpServer } from '../../boundary/http-boundary.ts';

const SECRET = 'app-secret-123';
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}', 'utf8');

describe('X-Hub-Signature-256', () => {
  it('accepts the HMAC-SHA256 of the raw body with the app secret', () => {
    const header = computeWhatsAppSignature(SECRET, BODY);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(validateWhatsAppSignature(SECRET, BODY, header)).toBe(true);
    expect(validateWhatsAppSignature(SECRET, BODY, `sha256=${header.slice('sha256='.length).toUpperCase()}`)).toBe(true);
  });

  it('refuses a tampered body (even one that parses to the same JSON)', () => {
    const header = computeWhatsAppSignature(SECRET, BODY);
    expect(validateWhatsAppSignature(SECRET, Buffer.from(BODY.toString().replace('[]', '[{}]')), header)).toBe(false);
    expect(validateWhatsAppSignature(SECRET, Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2)), header)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(validateWhatsAppSignature(SECRET, BODY, computeWhatsAppSignature('other', BODY))).toBe(false);
  });

  it('refuses missing or malformed headers', () => {
    const hex = computeWhatsAppSignature(SECRET, BODY).slice('sha256='.length);
    for (const header of [undefined, null, '', hex, `sha1=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}zz`, 'sha256=', `sha256=${'g'.repeat(64)}`]) {
      expect(validateWhatsAppSignature(SECRET, BODY, header)).toBe(false);
    }
    expect(validateWhatsAppSignature('', BODY, computeWhatsAppSignature('', BODY))).toBe(false);
  });
});

describe('WhatsApp statuses and config', () => {
  it('maps sent/delivered/read/failed', () => {
    expect(whatsAppStatusUpdate('sent')).toEqual({ status: 'sent', reason: null });
    expect(whatsAppStatusUpdate('delivered')).toEqual({ status: 'delivered', reason: null });
    expect(whatsAppStatusUpdate('read')).toEqual({ status: 'delivered', reason: null });
    expect(whatsAppStatusUpdate('failed', { code: 131026, title: 'Message undeliverable' })).toEqual({
      status: 'failed',
      reason: 'WhatsApp error 131026: Message undeliverable',
    });
    expect(whatsAppStatusUpdate('deleted')).toBeNull();
  });

  it('parses a stored WhatsApp row and rejects a broken one', () => {
    const row = { channelId: 'ch', provider: 'whatsapp', address: '+1', messagingServiceSid: '123', updatedAt: 0 };
    const config = { phoneNumberId: '123', accessToken: 't', appSecret: 's', verifyToken: 'v' };
    expect(parseProviderConfig({ ...row, config: JSON.stringify(config) })).toEqual({
      provider: 'whatsapp',
      whatsapp: { ...config, graphBaseUrl: 'https://graph.facebook.com' },
    });
    expect(parseProviderConfig({ ...row, config: JSON.stringify({ ...config, phoneNumberId: 'abc' }) })).toBeNull();
  });
});

describe('POST /webhooks/whatsapp persistence', () => {
  it('answers 500 when the inbound message cannot be stored (so Meta retries)', async () => {
    const logs: string[] = [];
    const domain = {
      providers: {
        providerChannels: () => [{ channel: { id: 'ch_wa' }, config: { provider: 'whatsapp', whatsapp: { appSecret: SECRET, phoneNumberId: '1' } } }],
        whatsAppVerifyTokens: () => [],
      },
      receiveInbound: () => {
        throw new Error('disk full');
      },
      applyProviderStatus: () => true,
    } as unknown as Domain;
    const handler = whatsAppWebhookRoutes({ domain, bodyLimitBytes: 65536, log: (l) => logs.push(l) })['/webhooks/whatsapp']!.POST!;
    const server = createHttpServer({ name: 'http', log: (l) => logs.push(l), sendError, onRequest: handler });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const raw = JSON.stringify({
        entry: [{ changes: [{ value: { metadata: { phone_number_id: '1' }, messages: [{ from: '1555', id: 'wamid.x', type: 'text', text: { body: 'hi' } }] } }] }],
      });
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': computeWhatsAppSignature(SECRET, raw) },
        body: raw,
      });
      expect(res.status).toBe(500);
      expect(logs.join('\n')).toContain('wamid.x');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
