import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { openTestDomain, type TestDomain } from './support/fixtures.ts';

let t: TestDomain;
beforeEach(() => {
  t = openTestDomain({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
});
afterEach(() => t.close());

const setRegistration = (channelId: string, registration: 'unregistered' | 'pending' | 'approved' | 'rejected'): Mutation => ({
  name: 'channel.setRegistration',
  args: { channelId, registration },
});
const channel = (id: string) => t.storage.transaction((tx) => tx.get('channel', id));
const lastChange = () => t.storage.transaction((tx) => tx.readChanges(tx.head() - 1, ['inbox:inbox_sales', 'inbox:inbox_support'], 1)[0]);
const asRole = (role: Role) =>
  t.storage.transaction((tx) => {
    const sam = tx.get('user', 'user_sam');
    if (sam) tx.put('user', { ...sam, role });
  });

describe('channel.setRegistration (admins only, sms / whatsapp)', () => {
  const roles: Role[] = ['member', 'agent', 'manager', 'supervisor', 'admin'];
  for (const role of roles) {
    it(`${role}: ${role === 'admin' ? 'may' : 'may not'} set a registration`, () => {
      asRole(role);
      const result = t.apply('user_sam', setRegistration('ch_sales_sms', 'pending'));
      if (role === 'admin') {
        expect(result).toEqual({ ok: true });
        expect(channel('ch_sales_sms')?.registration).toBe('pending');
        expect(lastChange()).toMatchObject({ scope: 'inbox:inbox_sales', entity: 'channel', op: 'put' });
      } else {
        expect(result).toMatchObject({ ok: false, code: 'forbidden' });
        expect(channel('ch_sales_sms')?.registration).toBe('approved');
      }
    });
  }

  it('the demo admin sets whatsapp too, refuses web chat and unknown channels', () => {
    expect(t.apply('user_ava', setRegistration('ch_support_wa', 'rejected'))).toEqual({ ok: true });
    expect(channel('ch_support_wa')?.registration).toBe('rejected');
    expect(t.apply('user_ava', setRegistration('ch_sales_web', 'approved'))).toMatchObject({ ok: false, code: 'invalid' });
    expect(channel('ch_sales_web')?.registration).toBeNull();
    expect(t.apply('user_ava', setRegistration('ch_nope', 'approved'))).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('a non-approved number refuses SMS with an actionable reason, and approving it lets the reply go', () => {
    expect(t.apply('user_ava', setRegistration('ch_sales_sms', 'pending'))).toEqual({ ok: true });
    const send: Mutation = { name: 'message.send', args: { conversationId: 'conv_sales_0001', messageId: 'm-reg-1', body: 'Hello', attachments: [] } };
    const refused = t.apply('user_sam', send);
    expect(refused).toMatchObject({ ok: false, code: 'not_registered' });
    expect(refused.ok === false && refused.message).toContain('ask an admin to complete carrier registration for +14155550100');
    expect(t.apply('user_ava', setRegistration('ch_sales_sms', 'approved'))).toEqual({ ok: true });
    expect(t.apply('user_sam', send)).toEqual({ ok: true });
  });
});
