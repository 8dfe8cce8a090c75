import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS, type Org } from '../../../protocol/contact-center.ts';
import type { Mutation } from '../../../protocol/mutations.ts';
import type { NotificationPayload } from '../../../protocol/ipc.ts';
import { callIpcHandlers } from '../../../main/core/call.ts';
import { NotificationService } from '../../../main/core/notifications.ts';
import { queueIpcHandlers } from '../../../main/core/queue-actions.ts';
import { IpcFailure } from '../../../main/ipc-router.ts';
import { changes, contact, conversation, harness, inbox, ME, message, OTHER, put, user, type Harness } from './fixtures.ts';

/** The agent's Contact Center handlers over a real cache with records applied as the server sends them. */
let h: Harness;
let queued: Mutation[];
let opened: string[];
const NOW = 1_000_000;
const ORG: Org = { id: 'org_1', name: 'Northwind CC', edition: 'contact_center', softphoneUrlTemplate: null };
const me = user(ME, 'Jordan Lee', 'agent');

function handlers(withShell = true) {
  const deps = { session: () => ({ cache: h.cache, user: me }), enqueue: (m: Mutation) => void queued.push(m), now: () => NOW };
  return { ...queueIpcHandlers(deps), ...callIpcHandlers({ ...deps, openExternal: withShell ? async (url: string) => void opened.push(url) : undefined }) };
}
const failure = (fn: () => unknown): IpcFailure | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err as IpcFailure;
  }
};

beforeEach(() => {
  h = harness();
  queued = [];
  opened = [];
  h.applier.apply(
    changes([
      put(h.seq(), 'org:org_1', 'org', ORG),
      put(h.seq(), 'org:org_1', 'user', me),
      put(h.seq(), 'org:org_1', 'user', user(OTHER, 'Priya Shah', 'agent')),
      put(h.seq(), 'org:org_1', 'contact', contact('ct_1', { name: 'Hannah Brooks', phones: ['+13125550100'] })),
      put(h.seq(), 'inbox:q_billing', 'inbox', inbox('q_billing', { name: 'Billing', kind: 'queue', queue: { ...DEFAULT_QUEUE_SETTINGS, defaultCapacity: 3 } })),
      put(h.seq(), 'inbox:q_tech', 'inbox', inbox('q_tech', { name: 'Technical support', kind: 'queue', queue: { ...DEFAULT_QUEUE_SETTINGS, mode: 'offer' } })),
      put(h.seq(), 'inbox:q_billing', 'channel', { id: 'ch_b', inboxId: 'q_billing', kind: 'sms', name: 'Billing SMS', address: '+14155550120', registration: 'approved' }),
      put(h.seq(), 'inbox:q_tech', 'channel', { id: 'ch_t', inboxId: 'q_tech', kind: 'webchat', name: 'Tech web chat', address: 'widget-tech', registration: null }),
      put(h.seq(), 'inbox:q_billing', 'inboxMember', { id: `q_billing:${ME}`, inboxId: 'q_billing', userId: ME }),
      put(h.seq(), 'inbox:q_tech', 'inboxMember', { id: `q_tech:${ME}`, inboxId: 'q_tech', userId: ME }),
      put(h.seq(), 'inbox:q_billing', 'queueAgent', {
        id: `q_billing:${ME}`, inboxId: 'q_billing', userId: ME, loggedIn: true, connected: true, capacity: null, since: 1, loggedOutReason: null, missedOffers: 0, lastRoutedAt: null, lastActivityAt: null,
      }),
      put(h.seq(), 'inbox:q_billing', 'conversation', conversation('c_mine', { inboxId: 'q_billing', channelId: 'ch_b', assigneeId: ME, contactId: 'ct_1', customerAddress: '+13125550100' })),
      put(h.seq(), 'inbox:q_billing', 'conversation', conversation('c_theirs', { inboxId: 'q_billing', channelId: 'ch_b', assigneeId: OTHER })),
      put(h.seq(), 'inbox:q_tech', 'conversation', conversation('c_offered', {
        inboxId: 'q_tech', channelId: 'ch_t', customerAddress: 'visitor-1', lastMessagePreview: 'Is there an outage?',
        routing: { waitingSince: 5000, firstQueuedAt: 5000, offer: { userId: ME, offeredAt: NOW - 10_000, expiresAt: NOW + 20_000 }, assignedAt: null, firstResponseAt: null, handledBy: [], inProgressWhenLoggedOut: false },
      })),
    ]),
  );
});
afterEach(() => h.cleanup());

describe('queue status (7)', () => {
  it('lists my queues with my state and load: open conversations assigned to me plus offers to me, of my capacity', () => {
    expect(handlers()['queues.mine']({})).toEqual({
      edition: 'contact_center',
      queues: [
        { inboxId: 'q_billing', name: 'Billing', mode: 'assign', loggedIn: true, load: 1, capacity: 3 },
        { inboxId: 'q_tech', name: 'Technical support', mode: 'offer', loggedIn: false, load: 1, capacity: DEFAULT_QUEUE_SETTINGS.defaultCapacity },
      ],
    });
    expect(handlers()['org.get']({})).toMatchObject({ edition: 'contact_center', contactCenterLayout: true, mayCall: true });
  });

  it('logs in and out through the outbox, only of queues I am a member of', () => {
    handlers()['actions.queueLogin']({ inboxIds: ['q_billing', 'q_tech'] });
    handlers()['actions.queueLogout']({ inboxIds: ['q_tech'] });
    expect(queued).toEqual([
      { name: 'queue.login', args: { inboxIds: ['q_billing', 'q_tech'] } },
      { name: 'queue.logout', args: { inboxIds: ['q_tech'] } },
    ]);
    expect(failure(() => handlers()['actions.queueLogin']({ inboxIds: ['q_other'] }))?.code).toBe('not_found');
  });
});

describe('offers', () => {
  it('shows my live offers with the time left, and answers them through the outbox', () => {
    expect(handlers()['offers.mine']({})).toEqual([
      { conversationId: 'c_offered', inboxId: 'q_tech', queueName: 'Technical support', title: 'visitor-1', preview: 'Is there an outage?', channelKind: 'webchat', offeredAt: NOW - 10_000, expiresAt: NOW + 20_000 },
    ]);
    handlers()['actions.acceptOffer']({ conversationId: 'c_offered' });
    handlers()['actions.declineOffer']({ conversationId: 'c_offered' });
    expect(queued.map((m) => m.name)).toEqual(['offer.accept', 'offer.decline']);
    expect(failure(() => handlers()['actions.acceptOffer']({ conversationId: 'c_mine' }))?.message).toMatch(/no longer offered/);
  });

  it('becomes a desktop notification when routing offers me a conversation', () => {
    const shown: NotificationPayload[] = [];
    const service = new NotificationService(h.cache, { notify: (n) => shown.push(n) }, NOW - 60_000);
    const entry = put(h.seq(), `user:${ME}`, 'notice', { id: 'n1', userId: ME, kind: 'offered', conversationId: 'c_offered', actorId: ME, createdAt: NOW - 10_000 });
    h.applier.apply(changes([entry]));
    service.consider([entry]);
    expect(shown).toEqual([
      { id: 'notice:n1', title: 'Conversation offered · Technical support', body: 'visitor-1: Is there an outage? — accept within 30 s', target: { kind: 'conversation', conversationId: 'c_offered' } },
    ]);
  });
});

describe('calls', () => {
  it('notes the call and hands tel:+E164 (or the softphone, number encoded) to the shell', async () => {
    expect(await handlers()['actions.placeCall']({ conversationId: 'c_mine' })).toMatchObject({ url: 'tel:+13125550100', opened: true });
    expect(queued).toEqual([{ name: 'conversation.noteCall', args: { conversationId: 'c_mine', messageId: expect.any(String) } }]);
    h.applier.apply(changes([put(h.seq(), 'org:org_1', 'org', { ...ORG, softphoneUrlTemplate: 'https://phone.example.com/dial?to={number}' })]));
    expect(await handlers(false)['actions.placeCall']({ conversationId: 'c_mine' })).toMatchObject({ url: 'https://phone.example.com/dial?to=%2B13125550100', opened: false });
    expect(opened).toEqual(['tel:+13125550100']);
  });

  it('refuses a visitor with no number, and calls outside Contact Center', async () => {
    await expect(async () => handlers()['actions.placeCall']({ conversationId: 'c_offered' })).rejects.toThrow(/no phone number/);
    h.applier.apply(changes([put(h.seq(), 'org:org_1', 'org', { ...ORG, edition: 'customer_engagement' })]));
    await expect(async () => handlers()['actions.placeCall']({ conversationId: 'c_mine' })).rejects.toThrow(/part of Contact Center/);
    expect(queued).toEqual([]);
  });
});

describe('conversation details (15)', () => {
  it('uses the routing record when there is one, else derives waits and who had it from the messages', () => {
    h.applier.apply(
      changes([
        put(h.seq(), 'inbox:q_billing', 'message', message('m1', 'c_mine', { createdAt: 1000 })),
        put(h.seq(), 'inbox:q_billing', 'message', message('m2', 'c_mine', { createdAt: 1000 + 45_000, direction: 'out', authorType: 'user', authorId: OTHER })),
        put(h.seq(), 'inbox:q_billing', 'message', message('m3', 'c_mine', { createdAt: 1000 + 90_000, direction: 'out', authorType: 'system', authorId: ME, body: 'Call started by Jordan Lee' })),
        put(h.seq(), 'inbox:q_billing', 'message', message('m4', 'c_mine', { createdAt: 1000 + 95_000, direction: 'out', authorType: 'user', authorId: ME })),
      ]),
    );
    expect(handlers()['conversations.routingDetails']({ conversationId: 'c_mine' })).toMatchObject({
      channel: { kind: 'sms', name: 'Billing SMS' },
      inbox: { id: 'q_billing', name: 'Billing', kind: 'queue' },
      startedBy: 'customer',
      queuedAt: 1000,
      firstResponseAt: 46_000,
      handledBy: [{ id: OTHER, name: 'Priya Shah' }, { id: ME, name: 'Jordan Lee' }],
      source: 'messages',
    });
    expect(handlers()['conversations.routingDetails']({ conversationId: 'c_offered' })).toMatchObject({
      inbox: { kind: 'queue', name: 'Technical support' },
      queuedAt: 5000,
      waitingSince: 5000,
      firstResponseAt: null,
      handledBy: [],
      source: 'routing',
    });
    expect(handlers()['conversations.routingDetails']({ conversationId: 'nope' })).toBeNull();
  });
});
