import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS, type RoutingLoggedOutReason } from '../../../protocol/contact-center.ts';
import type { NotificationPayload } from '../../../protocol/ipc.ts';
import { NotificationService } from '../../../main/core/notifications.ts';
import { changes, harness, inbox, ME, OTHER, put, user, type Harness } from './fixtures.ts';

/**
 * "Logged out of routing" notices become desktop notifications (issue 10 §1–2): for the agent about themselves
 * (a click opens their queue status), for a supervisor about their agents (a click opens the Queues view). Over
 * a real cache with the records applied as the server sends them.
 */
const NOW = 1_000_000;
const SUPERVISOR = 'u_sofia';
let h!: Harness;
let shown: NotificationPayload[];
let service: NotificationService;

const opened: Harness[] = [];
function signedInAs(userId: string): void {
  h = harness(() => NOW, userId);
  opened.push(h);
  h.applier.apply(
    changes([
      put(h.seq(), 'org:org_1', 'user', user(ME, 'Jordan Lee', 'agent')),
      put(h.seq(), 'org:org_1', 'user', user(OTHER, 'Priya Shah', 'agent')),
      put(h.seq(), 'org:org_1', 'user', user(SUPERVISOR, 'Sofia Reyes', 'supervisor')),
      put(h.seq(), 'inbox:q_billing', 'inbox', inbox('q_billing', { name: 'Billing', kind: 'queue', queue: { ...DEFAULT_QUEUE_SETTINGS, missedOffersLimit: 4, disconnectGraceMs: 120_000 } })),
    ]),
  );
  service = new NotificationService(h.cache, { notify: (p) => shown.push(p) }, NOW - 60_000);
}
beforeEach(() => {
  shown = [];
  signedInAs(ME);
});
afterEach(() => opened.splice(0).forEach((o) => o.cleanup()));

let n = 0;
function loggedOut(reason: RoutingLoggedOutReason, over: { userId?: string; actorId?: string; createdAt?: number } = {}) {
  const entry = put(h.seq(), `user:${over.userId ?? ME}`, 'notice', {
    id: `n${++n}`, userId: over.userId ?? ME, kind: 'routingLoggedOut', conversationId: null, actorId: over.actorId ?? ME,
    createdAt: over.createdAt ?? NOW, reason, inboxId: 'q_billing',
  });
  h.applier.apply(changes([entry]));
  return entry;
}

describe('an agent logged out of routing', () => {
  it('is told why, with the queue’s own limits, and the click opens their queue status', () => {
    service.consider([loggedOut('missedOffers')]);
    service.consider([loggedOut('disconnected')]);
    service.consider([loggedOut('supervisor', { actorId: SUPERVISOR })]);
    expect(shown).toEqual([
      { id: `notice:n${n - 2}`, title: 'You were logged out of Billing', body: '4 offers in a row timed out. Log in again from your queue status.', target: { kind: 'queueStatus' } },
      { id: `notice:n${n - 1}`, title: 'You were logged out of Billing', body: 'Your connection was lost for more than 2 minutes. Log in again from your queue status.', target: { kind: 'queueStatus' } },
      { id: `notice:n${n}`, title: 'You were logged out of Billing', body: 'Sofia Reyes logged you out. Log in again from your queue status.', target: { kind: 'queueStatus' } },
    ]);
  });

  it('hears nothing of logging out themselves, of old notices, twice, or while muted', () => {
    service.consider([loggedOut('self')]);
    service.consider([loggedOut('missedOffers', { createdAt: NOW - 120_000 })]);
    const once = loggedOut('missedOffers');
    service.consider([once]);
    service.consider([once]);
    expect(shown.map((s) => s.id)).toEqual([`notice:n${n}`]);
    service.muted = true;
    service.consider([loggedOut('disconnected')]);
    expect(shown).toHaveLength(1);
  });
});

describe('a supervisor', () => {
  it('hears of an agent routing logged out, and the click opens the Queues view at that queue', () => {
    signedInAs(SUPERVISOR);
    service.consider([loggedOut('missedOffers', { userId: SUPERVISOR, actorId: OTHER })]);
    const missed = n;
    service.consider([loggedOut('disconnected', { userId: SUPERVISOR, actorId: OTHER })]);
    const lost = n;
    // A notice in someone else's name (never sent to me, but a cache is no proof of that) says nothing.
    service.consider([loggedOut('missedOffers', { userId: ME, actorId: ME })]);
    expect(shown).toEqual([
      { id: `notice:n${missed}`, title: 'Priya Shah was logged out of Billing', body: '4 offers in a row timed out.', target: { kind: 'queues', inboxId: 'q_billing' } },
      { id: `notice:n${lost}`, title: 'Priya Shah was logged out of Billing', body: 'Their connection was lost for more than 2 minutes.', target: { kind: 'queues', inboxId: 'q_billing' } },
    ]);
  });
});
