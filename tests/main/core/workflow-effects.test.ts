import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationListQuery } from '../../../protocol/ipc.ts';
import { ConversationListQueries } from '../../../main/core/queries/conversation-list.ts';
import { cannedResponses, parseCustomerNumber } from '../../../main/core/workflow-actions.ts';
import { listQuery } from '../../support/list-query-arbitrary.ts';
import { changes, conversation, count, harness, INBOX, ME, message, put, seedWorkspace, userState, type Harness } from './fixtures.ts';

/** Optimistic effects of the workflow actions and the list semantics they feed, on fixed data. */

let h: Harness;
afterEach(() => h.cleanup());

const q = (over: Partial<ConversationListQuery> = {}): ConversationListQuery => listQuery({ inboxId: 'inbox_a', ...over });
const ids = (over: Partial<ConversationListQuery> = {}): string[] =>
  new ConversationListQueries(h.cache)
    .page(q(over), 0, 50)
    .items.map((i) => i.id)
    .sort();

function workspace(): Harness {
  const x = harness(() => 9000);
  seedWorkspace(x);
  x.applier.apply(
    changes([
      put(x.seq(), INBOX, 'conversation', conversation('c1', { tags: ['vip'], lastMessageAt: 3000 })),
      put(x.seq(), INBOX, 'conversation', conversation('c2', { tags: ['vip', 'order'], lastMessageAt: 4000 })),
      put(x.seq(), INBOX, 'conversation', conversation('c3', { tags: [], lastMessageAt: 5000 })),
      put(x.seq(), INBOX, 'message', message('m1', 'c1', { direction: 'in', createdAt: 3000 })),
      put(x.seq(), INBOX, 'message', message('m2', 'c2', { direction: 'in', createdAt: 4000 })),
      put(x.seq(), INBOX, 'message', message('m3', 'c3', { direction: 'in', createdAt: 5000 })),
      put(x.seq(), `user:${ME}`, 'conversationUserState', userState('c1', { readAt: 3000 })),
      put(x.seq(), `user:${ME}`, 'conversationUserState', userState('c2', { readAt: 4000 })),
      put(x.seq(), `user:${ME}`, 'conversationUserState', userState('c3', { readAt: null, archived: true })),
      put(x.seq(), INBOX, 'cannedResponse', { id: 'k1', inboxId: 'inbox_a', title: 'Store hours', keyPhrase: 'hours', body: 'Open 9–5.' }),
      put(x.seq(), INBOX, 'cannedResponse', { id: 'k2', inboxId: 'inbox_a', title: 'Holiday hours', keyPhrase: 'holiday', body: 'Closed on the 25th.' }),
    ]),
  );
  return x;
}

describe('list semantics on fixed data', () => {
  it('filters by tag, unread and archived', () => {
    h = workspace();
    expect(ids({ tag: 'vip' })).toEqual(['c1', 'c2']);
    expect(ids({ tag: 'order' })).toEqual(['c2']);
    expect(ids({ tag: 'nope' })).toEqual([]);
    expect(ids()).toEqual(['c1', 'c2']);
    expect(ids({ read: 'unread' })).toEqual([]);
    expect(ids({ read: 'archived' })).toEqual(['c3']);
    expect(new ConversationListQueries(h.cache).page(q({ tag: 'vip' }), 0, 50).total).toBe(2);
  });
});

describe('optimistic workflow effects', () => {
  it('tags, archive and mark unread show at once, survive a server frame, and fall back when discarded', () => {
    h = workspace();
    const tag = h.outbox.enqueue({ name: 'conversation.addTag', args: { conversationId: 'c3', tag: 'vip' } }).id;
    h.outbox.enqueue({ name: 'conversation.removeTag', args: { conversationId: 'c2', tag: 'vip' } });
    h.outbox.enqueue({ name: 'conversation.setArchived', args: { conversationId: 'c3', archived: false } });
    h.outbox.enqueue({ name: 'conversation.markUnread', args: { conversationId: 'c1' } });
    expect(ids({ tag: 'vip' })).toEqual(['c1', 'c3']);
    expect(ids({ read: 'unread' })).toEqual(['c1', 'c3']);
    expect(ids({ read: 'archived' })).toEqual([]);

    // A server frame in between (someone else tags c1): rewound, applied, effects replayed on top.
    h.applier.apply(changes([put(h.seq(), INBOX, 'conversation', conversation('c1', { tags: ['vip', 'late'], lastMessageAt: 3000 }))]));
    expect(ids({ tag: 'vip' })).toEqual(['c1', 'c3']);
    expect(ids({ tag: 'late' })).toEqual(['c1']);
    expect(ids({ read: 'unread' })).toEqual(['c1', 'c3']);

    // The tag is refused and discarded: c3 is back to no tags, the other effects stay.
    h.outbox.resolve(tag, { ok: false, code: 'invalid', message: 'no' });
    h.outbox.discard(tag);
    expect(ids({ tag: 'vip' })).toEqual(['c1']);
    expect(count(h, "SELECT count(*) FROM conversation_tags WHERE conversation_id = 'c3'")).toBe(0);
    expect(ids({ read: 'archived' })).toEqual([]);
  });

  it('a new conversation appears locally with its pending first message, and a discarded one leaves nothing', () => {
    h = workspace();
    const id = h.outbox.enqueue({
      name: 'conversation.create',
      args: { conversationId: 'new-1', messageId: 'new-m1', channelId: 'ch_a', contactId: null, customerAddress: '+14155559001', body: 'Hello!' },
    }).id;
    expect(ids()).toContain('new-1');
    expect(h.cache.db.prepare("SELECT assignee_id, with_me, preview, unread FROM conversations WHERE id = 'new-1'").get()).toEqual({
      assignee_id: ME, with_me: 1, preview: 'Hello!', unread: 0,
    });
    expect(count(h, "SELECT count(*) FROM messages WHERE id = 'new-m1' AND local = 1")).toBe(1);
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m9', 'c1', { createdAt: 6000 }))]));
    expect(ids()).toContain('new-1');

    h.outbox.resolve(id, { ok: false, code: 'opted_out', message: 'opted out' });
    h.outbox.discard(id);
    expect(ids()).not.toContain('new-1');
    expect(count(h, "SELECT count(*) FROM messages WHERE id = 'new-m1'")).toBe(0);
  });

  it('an acknowledged new conversation the server merged elsewhere is dropped; one it created stays', () => {
    h = workspace();
    const merged = h.outbox.enqueue({
      name: 'conversation.create',
      args: { conversationId: 'new-1', messageId: 'new-m1', channelId: 'ch_a', contactId: null, customerAddress: '+14155559001', body: 'Hi' },
    }).id;
    const created = h.outbox.enqueue({
      name: 'conversation.create',
      args: { conversationId: 'new-2', messageId: 'new-m2', channelId: 'ch_a', contactId: null, customerAddress: '+14155559002', body: 'Hi' },
    }).id;
    h.applier.apply(
      changes([
        put(h.seq(), INBOX, 'message', message('new-m1', 'c1', { direction: 'out', createdAt: 9000 })),
        put(h.seq(), INBOX, 'conversation', conversation('new-2', { customerAddress: '+14155559002', lastMessageAt: 9001 })),
        put(h.seq(), INBOX, 'message', message('new-m2', 'new-2', { direction: 'out', createdAt: 9001 })),
      ]),
    );
    h.outbox.resolve(merged, { ok: true });
    h.outbox.resolve(created, { ok: true });
    expect(ids()).not.toContain('new-1');
    expect(ids()).toContain('new-2');
    expect(count(h, 'SELECT count(*) FROM created_conversation_base')).toBe(0);
  });

  it('pre-written messages: saved and deleted optimistically, found by key phrase or words, exact key phrase first', () => {
    h = workspace();
    expect(cannedResponses(h.cache, 'inbox_a', '/ho').map((c) => c.keyPhrase)).toEqual(['holiday', 'hours']);
    // “Holiday hours” matches by title; the exact key phrase comes first.
    expect(cannedResponses(h.cache, 'inbox_a', '/hours').map((c) => c.keyPhrase)).toEqual(['hours', 'holiday']);
    expect(cannedResponses(h.cache, 'inbox_a', 'closed').map((c) => c.id)).toEqual(['k2']);
    const save = h.outbox.enqueue({
      name: 'cannedResponse.save',
      args: { cannedResponse: { id: 'k3', inboxId: 'inbox_a', title: 'Thanks', keyPhrase: 'thanks', body: 'Thank you!' } },
    }).id;
    h.outbox.enqueue({ name: 'cannedResponse.delete', args: { cannedResponseId: 'k1' } });
    expect(cannedResponses(h.cache, 'inbox_a', '').map((c) => [c.id, c.pending])).toEqual([
      ['k2', false],
      ['k3', true],
    ]);
    h.outbox.resolve(save, { ok: false, code: 'forbidden', message: 'no' });
    h.outbox.discard(save);
    expect(cannedResponses(h.cache, 'inbox_a', '').map((c) => c.id)).toEqual(['k2']);
  });

  it('inbox create and update show at once and roll back when refused', () => {
    h = workspace();
    const create = h.outbox.enqueue({ name: 'inbox.create', args: { inboxId: 'inbox_new', name: 'Returns', assignmentMode: false } }).id;
    const update = h.outbox.enqueue({ name: 'inbox.update', args: { inboxId: 'inbox_a', name: 'Sales West', assignmentMode: false } }).id;
    expect(h.cache.db.prepare('SELECT id, name, assignment_mode FROM inboxes ORDER BY id').all()).toEqual([
      { id: 'inbox_a', name: 'Sales West', assignment_mode: 0 },
      { id: 'inbox_new', name: 'Returns', assignment_mode: 0 },
    ]);
    expect(count(h, "SELECT count(*) FROM inbox_members WHERE inbox_id = 'inbox_new'")).toBe(1);
    for (const id of [create, update]) {
      h.outbox.resolve(id, { ok: false, code: 'forbidden', message: 'no' });
      h.outbox.discard(id);
    }
    expect(h.cache.db.prepare('SELECT id, name, assignment_mode FROM inboxes ORDER BY id').all()).toEqual([{ id: 'inbox_a', name: 'Sales', assignment_mode: 1 }]);
    expect(count(h, "SELECT count(*) FROM inbox_members WHERE inbox_id = 'inbox_new'")).toBe(0);
  });
});

describe('typed numbers', () => {
  it('reads national numbers in the channel’s country and refuses what is not a number', () => {
    expect(parseCustomerNumber('(415) 555-0199', '+14155550100')).toBe('+14155550199');
    expect(parseCustomerNumber('+44 20 7183 8750', '+14155550100')).toBe('+442071838750');
    expect(() => parseCustomerNumber('555-01', '+14155550100')).toThrow(/not a valid phone number/);
    expect(() => parseCustomerNumber('  ', '+14155550100')).toThrow(/Type the customer/);
  });
});
