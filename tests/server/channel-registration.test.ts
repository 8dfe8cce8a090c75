import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(async () => {
  t = await openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const setRegistration = (channelId: string, registration: 'unregistered' | 'pending' | 'approved' | 'rejected'): Mutation => ({
  name: 'channel.setRegistration',
  args: { channelId, registration },
});
const channel = async (id: string) => await t.storage.transaction(async (tx) => await tx.get('channel', id));
const lastChange = async () => await t.storage.transaction(async (tx) => (await tx.readChanges(await tx.head() - 1, ['inbox:inbox_sales', 'inbox:inbox_support'], 1))[0]);
const asRole = async (role: Role) =>
  await t.storage.transaction(async (tx) => {
    const sam = await tx.get('user', 'user_sam');
    if (sam) await tx.put('user', { ...sam, role });
  });

describe('channel.setRegistration (admins only, sms / whatsapp)', () => {
  const roles: Role[] = ['member', 'agent', 'manager', 'supervisor', 'admin'];
  for (const role of roles) {
    it(`${role}: ${role === 'admin' ? 'may' : 'may not'} set a registration`, async () => {
      await asRole(role);
      const result = await t.apply('user_sam', setRegistration('ch_sales_sms', 'pending'));
      if (role === 'admin') {
        expect(result).toEqual({ ok: true });
        expect((await channel('ch_sales_sms'))?.registration).toBe('pending');
        expect(await lastChange()).toMatchObject({ scope: 'inbox:inbox_sales', entity: 'channel', op: 'put' });
      } else {
        expect(result).toMatchObject({ ok: false, code: 'forbidden' });
        expect((await channel('ch_sales_sms'))?.registration).toBe('approved');
      }
    });
  }

  it('the demo admin sets whatsapp too, refuses web chat and unknown channels', async () => {
    expect(await t.apply('user_ava', setRegistration('ch_support_wa', 'rejected'))).toEqual({ ok: true });
    expect((await channel('ch_support_wa'))?.registration).toBe('rejected');
    expect(await t.apply('user_ava', setRegistration('ch_sales_web', 'approved'))).toMatchObject({ ok: false, code: 'invalid' });
    expect((await channel('ch_sales_web'))?.registration).toBeNull();
    expect(await t.apply('user_ava', setRegistration('ch_nope', 'approved'))).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('a non-approved number refuses SMS with an actionable reason, and approving it lets the reply go', async () => {
    expect(await t.apply('user_ava', setRegistration('ch_sales_sms', 'pending'))).toEqual({ ok: true });
    const send: Mutation = { name: 'message.send', args: { conversationId: 'conv_sales_0001', messageId: 'm-reg-1', body: 'Hello', attachments: [] } };
    const refused = await t.apply('user_sam', send);
    expect(refused).toMatchObject({ ok: false, code: 'not_registered' });
    expect(refused.ok === false && refused.message).toContain('ask an admin to complete carrier registration for +14155550100');
    expect(await t.apply('user_ava', setRegistration('ch_sales_sms', 'approved'))).toEqual({ ok: true });
    expect(await t.apply('user_sam', send)).toEqual({ ok: true });
  });
});
