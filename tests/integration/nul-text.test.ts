import { describe, expect, it } from 'vitest';
import { SAM } from '../server/support/sync-client.ts';
import { twilioChannelHarness } from './support/channel-harness.ts';
import { messagesByProviderId } from './support/server-records.ts';

/**
 * PostgreSQL refuses U+0000 in text and jsonb (SQLite would store it): it never reaches storage on either
 * engine. This file runs in both integration projects, so each answer below is checked against both.
 */
const channel = twilioChannelHarness('ch_sales_sms');

describe('text with a NUL character', () => {
  it('a reply from a client: refused as invalid naming the field, never an internal error; the next one goes through', async () => {
    const { sim, t, smsUrl } = await channel.setup();
    await sim.postSigned(smsUrl, sim.inboundParams({ from: '+12065550105', to: '+14155550100', body: 'Hi', messageSid: 'SMnul0001' }));
    const conversationId = (await messagesByProviderId(t, 'SMnul0001'))[0]!.conversationId;
    const { client } = await channel.signedIn(t, SAM, 'sam-nul');
    client.send({
      type: 'mutate',
      mutations: [
        { id: 1, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_nul_1', body: 'before\u0000after' } } },
        { id: 2, mutation: { name: 'message.send', args: { conversationId, messageId: 'msg_nul_2', body: 'clean' } } },
      ],
    });
    expect((await client.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({
      ok: false,
      code: 'invalid',
      message: 'args.body: text may not contain the NUL character (U+0000)',
    });
    expect((await client.waitFor('mutationResult', (f) => f.id === 2)).result).toEqual({ ok: true });
    expect(t.logs.filter((l) => /failed/.test(l))).toEqual([]);
  });

  it('a customer message through the provider: stored (answered 200, so no retry loop) without the NUL', async () => {
    const { sim, t, smsUrl } = await channel.setup();
    const res = await sim.postSigned(smsUrl, sim.inboundParams({ from: '+12065550105', to: '+14155550100', body: 'odd\u0000 bytes', messageSid: 'SMnul0002' }));
    expect(res.status).toBe(200);
    expect((await messagesByProviderId(t, 'SMnul0002')).map((m) => m.body)).toEqual(['odd bytes']);
  });

  it('an HTTP API body: 400 naming the field', async () => {
    const { t } = await channel.setup();
    const res = await fetch(`${t.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sam@demo.switchboard.test\u0000', password: 'demo-agent' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid', message: 'email: text may not contain the NUL character (U+0000)' } });
  });
});
