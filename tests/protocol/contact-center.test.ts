import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS, isWaiting, loadHolder, QueueSettings, QueueSettingsPatch, routableSince, type ConversationRouting, type Role } from '../../protocol/domain.ts';
import { Mutation } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { recordId } from '../../protocol/scope.ts';

const ROLES: Role[] = ['member', 'agent', 'manager', 'supervisor', 'admin'];
const routing = (over: Partial<ConversationRouting> = {}): ConversationRouting => ({
  waitingSince: 10, firstQueuedAt: 10, offer: null, assignedAt: null, firstResponseAt: null, handledBy: [], inProgressWhenLoggedOut: false, ...over,
});

describe('Contact Center contract', () => {
  it('who may route themselves, supervise and configure queues', () => {
    expect(ROLES.filter(permissions.routeSelf)).toEqual(ROLES);
    expect(ROLES.filter(permissions.superviseQueues)).toEqual(['manager', 'supervisor', 'admin']);
    expect(ROLES.filter(permissions.configureQueues)).toEqual(['manager', 'admin']);
    expect(permissions.routeSelf(null)).toBe(false);
    expect([permissions.placeCall('contact_center'), permissions.placeCall('customer_engagement')]).toEqual([true, false]);
    expect([permissions.queuesInEdition('contact_center'), permissions.ccLayout('customer_engagement')]).toEqual([true, false]);
  });

  it('queue settings: the defaults parse, out-of-range values are refused, a patch takes any subset without filling defaults', () => {
    expect(QueueSettings.parse(DEFAULT_QUEUE_SETTINGS)).toEqual(DEFAULT_QUEUE_SETTINGS);
    for (const bad of [{ defaultCapacity: 0 }, { defaultCapacity: 51 }, { offerTimeoutMs: 1000 }, { mode: 'round-robin' }, { missedOffersLimit: 0 }]) {
      expect(QueueSettings.safeParse({ ...DEFAULT_QUEUE_SETTINGS, ...bad }).success).toBe(false);
    }
    expect(QueueSettingsPatch.parse({ mode: 'offer' })).toEqual({ mode: 'offer' });
    expect(Mutation.safeParse({ name: 'queue.setCapacity', args: { inboxId: 'q', userId: null, capacity: 0 } }).success).toBe(false);
    expect(Mutation.safeParse({ name: 'queue.logout', args: { inboxIds: ['q'], userId: 'bad:id' } }).success).toBe(false);
  });

  it('waiting, routable and load follow the contract’s definitions', () => {
    const base = { status: 'open' as const, assigneeId: null, routing: routing() };
    expect([isWaiting(base), routableSince(base), loadHolder(base)]).toEqual([true, 10, null]);
    const offered = { ...base, routing: routing({ offer: { userId: 'u1', offeredAt: 11, expiresAt: 41 } }) };
    expect([isWaiting(offered), routableSince(offered), loadHolder(offered)]).toEqual([true, null, 'u1']);
    const assigned = { ...base, assigneeId: 'u2' };
    expect([isWaiting(assigned), routableSince(assigned), loadHolder(assigned)]).toEqual([false, null, 'u2']);
    expect(loadHolder({ ...assigned, status: 'closed' })).toBeNull();
    expect(isWaiting({ status: 'open', assigneeId: null })).toBe(false); // not in a queue
  });

  it('queue agent ids are <inboxId>:<userId> and refuse ungrammatical parts', () => {
    expect(recordId.queueAgent('queue_billing', 'user_jordan')).toBe('queue_billing:user_jordan');
    fc.assert(fc.property(fc.string(), (s) => {
      if (/^[A-Za-z0-9_-]{1,64}$/.test(s)) expect(recordId.queueAgent(s, 'u')).toBe(`${s}:u`);
      else expect(() => recordId.queueAgent(s, 'u')).toThrow();
    }));
  });
});
