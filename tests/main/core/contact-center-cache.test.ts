import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS, type QueueAgent } from '../../../protocol/domain.ts';
import { recordId } from '../../../protocol/scope.ts';
import { changes, conversation, count, harness, inbox, INBOX, ME, put, seedWorkspace, type Harness } from './fixtures.ts';

let h: Harness;
afterEach(() => h.cleanup());

const agent = (over: Partial<QueueAgent> = {}): QueueAgent => ({
  id: recordId.queueAgent('inbox_a', ME),
  inboxId: 'inbox_a',
  userId: ME,
  loggedIn: true,
  connected: true,
  capacity: null,
  since: 5,
  loggedOutReason: null,
  missedOffers: 0,
  lastRoutedAt: null,
  lastActivityAt: null,
  ...over,
});

describe('Contact Center records in the cache (migration 11)', () => {
  it('stores the org, queue settings, agents and routing columns, and drops them with their scope', () => {
    h = harness();
    seedWorkspace(h);
    const routing = {
      waitingSince: 100, firstQueuedAt: 90, offer: { userId: ME, offeredAt: 110, expiresAt: 140 }, assignedAt: null,
      firstResponseAt: null, handledBy: [], inProgressWhenLoggedOut: false,
    };
    h.applier.apply(changes([
      put(10, 'org:org_1', 'org', { id: 'org_1', name: 'Northwind', edition: 'contact_center', softphoneUrlTemplate: null }),
      put(11, INBOX, 'inbox', inbox('inbox_a', { kind: 'queue', queue: { ...DEFAULT_QUEUE_SETTINGS, mode: 'offer' } })),
      put(12, INBOX, 'queueAgent', agent()),
      put(13, INBOX, 'conversation', conversation('c1', { routing })),
      put(14, `user:${ME}`, 'notice', { id: 'n1', userId: ME, kind: 'routingLoggedOut', conversationId: null, actorId: ME, createdAt: 7, reason: 'missedOffers', inboxId: 'inbox_a' }),
    ]));
    expect(h.cache.db.prepare('SELECT edition FROM orgs').pluck().get()).toBe('contact_center');
    expect(JSON.parse(h.cache.db.prepare("SELECT queue_settings FROM inboxes WHERE id = 'inbox_a'").pluck().get() as string).mode).toBe('offer');
    expect(h.cache.db.prepare('SELECT logged_in, connected, capacity FROM queue_agents').get()).toEqual({ logged_in: 1, connected: 1, capacity: null });
    expect(h.cache.db.prepare("SELECT waiting_since, offer_user_id, offer_expires_at, first_queued_at FROM conversations WHERE id = 'c1'").get())
      .toEqual({ waiting_since: 100, offer_user_id: ME, offer_expires_at: 140, first_queued_at: 90 });
    expect(h.cache.db.prepare("SELECT reason, inbox_id, conversation_id FROM notices WHERE id = 'n1'").get()).toEqual({ reason: 'missedOffers', inbox_id: 'inbox_a', conversation_id: null });

    // Assigned: no longer waiting, no offer.
    h.applier.apply(changes([put(15, INBOX, 'conversation', conversation('c1', { assigneeId: ME, routing: { ...routing, offer: null, waitingSince: null, assignedAt: 120 } }))]));
    expect(h.cache.db.prepare("SELECT waiting_since, offer_user_id, assigned_at FROM conversations WHERE id = 'c1'").get()).toEqual({ waiting_since: null, offer_user_id: null, assigned_at: 120 });

    h.applier.apply({ type: 'scopeLost', scope: INBOX });
    expect(count(h, 'SELECT count(*) FROM queue_agents')).toBe(0);
    h.applier.apply({ type: 'scopeLost', scope: 'org:org_1' });
    expect(count(h, 'SELECT count(*) FROM orgs')).toBe(0);
  });
});
