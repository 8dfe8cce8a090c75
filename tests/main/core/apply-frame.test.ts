import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntityWriter } from '../../../main/core/cache/entity-writer.ts';
import { changes, conversation, count, harness, INBOX, message, put, seedWorkspace, userState, type Harness } from './fixtures.ts';

let h: Harness;
afterEach(() => h.cleanup());

describe('applying sync frames', () => {
  it('applies a changes frame and stores its cursor', () => {
    h = harness();
    seedWorkspace(h);
    const views = h.applier.apply(
      changes([put(10, INBOX, 'conversation', conversation('c1')), put(11, INBOX, 'message', message('m1', 'c1'))], 12),
    );
    expect(count(h, 'SELECT count(*) FROM conversations')).toBe(1);
    expect(count(h, "SELECT scope = 'inbox:inbox_a' FROM messages WHERE id = 'm1'")).toBe(1);
    expect(h.cache.cursor).toBe(12);
    expect(views).toEqual({ sidebar: true, conversationList: true, conversations: ['c1'] });
  });

  it('applies nothing of a frame, cursor included, when one entry fails', () => {
    h = harness();
    seedWorkspace(h);
    const before = h.cache.cursor;
    const real = EntityWriter.prototype.put;
    let calls = 0;
    const spy = vi.spyOn(EntityWriter.prototype, 'put').mockImplementation(function (this: EntityWriter, ...args) {
      if (++calls === 2) throw new Error('disk full');
      return real.apply(this, args);
    });
    expect(() =>
      h.applier.apply(changes([put(20, INBOX, 'conversation', conversation('c1')), put(21, INBOX, 'conversation', conversation('c2'))])),
    ).toThrow('disk full');
    spy.mockRestore();
    expect(count(h, 'SELECT count(*) FROM conversations')).toBe(0);
    expect(h.cache.cursor).toBe(before);
  });

  it('deletes records on delete entries and never moves the cursor back', () => {
    h = harness();
    seedWorkspace(h);
    h.applier.apply(changes([put(10, INBOX, 'conversation', conversation('c1')), put(11, INBOX, 'message', message('m1', 'c1'))]));
    h.applier.apply(changes([{ seq: 12, scope: INBOX, op: 'delete', entity: 'message', id: 'm1' }]));
    expect(count(h, 'SELECT count(*) FROM messages')).toBe(0);
    h.applier.apply(changes([], 5));
    expect(h.cache.cursor).toBe(12);
  });

  it('a reset snapshot of a held scope keeps its rows until it is whole, then drops what it did not bring', () => {
    h = harness();
    seedWorkspace(h);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: true, done: true, records: [], cursor: 5 });
    h.applier.apply(changes([put(10, INBOX, 'conversation', conversation('stale')), put(11, INBOX, 'conversation', conversation('kept')),
      put(12, INBOX, 'message', message('m0', 'kept')), put(13, 'org:org_1', 'contact', {
      id: 'k1', orgId: 'org_1', ownerId: null, name: 'Kim', phones: [], email: null, company: null, notes: null, smsOptOut: false,
    })]));
    const ids = (): unknown[] => h.cache.db.prepare('SELECT id FROM conversations ORDER BY id').pluck().all();
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: true, done: false, records: [{ entity: 'conversation', record: conversation('fresh') }], cursor: 30 });
    // Nothing goes while the snapshot streams: lists and counts stay as they were, plus what arrived.
    expect(ids()).toEqual(['fresh', 'kept', 'stale']);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: false, done: true, records: [
      { entity: 'conversation', record: conversation('kept') }, { entity: 'message', record: message('m1', 'fresh') },
    ], cursor: 30 });
    expect(ids()).toEqual(['fresh', 'kept']);
    expect(h.cache.db.prepare('SELECT id FROM messages').pluck().all()).toEqual(['m1']);
    expect(count(h, 'SELECT count(*) FROM contacts')).toBe(1);
    expect(h.cache.heldScopes()).toContain(INBOX);
    expect(count(h, 'SELECT sum(n) FROM conversation_counts')).toBe(2);
  });

  it('a reset snapshot of a scope not held yet adds its records; done records the scope as held', () => {
    h = harness();
    seedWorkspace(h);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: true, done: false, records: [{ entity: 'conversation', record: conversation('fresh') }], cursor: 30 });
    expect(h.cache.heldScopes()).not.toContain(INBOX);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: false, done: true, records: [{ entity: 'message', record: message('m1', 'fresh') }], cursor: 30 });
    expect(h.cache.heldScopes()).toContain(INBOX);
    expect(count(h, 'SELECT count(*) FROM messages')).toBe(1);
  });

  it('a conversation with an outbox entry and its unsent reply outlive a reset that did not bring them', () => {
    h = harness();
    seedWorkspace(h);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: true, done: true, records: [{ entity: 'conversation', record: conversation('c1') }], cursor: 5 });
    const outbox = h.outbox;
    outbox.enqueue({ name: 'message.send', args: { conversationId: 'c1', messageId: 'reply1', body: 'On its way', attachments: [] } });
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: true, done: true, records: [], cursor: 40 });
    expect(h.cache.db.prepare('SELECT id FROM conversations').pluck().all()).toEqual(['c1']);
    expect(h.cache.db.prepare('SELECT id FROM messages').pluck().all()).toEqual(['reply1']);
    expect(outbox.takeUnsent().flat().map((e) => e.mutation.name)).toEqual(['message.send']);
  });

  it('an empty cache takes the snapshot cursor; a cache with a cursor keeps its own', () => {
    h = harness();
    h.applier.apply({ type: 'snapshot', scope: 'org:org_1', reset: true, done: true, records: [], cursor: 40 });
    expect(h.cache.cursor).toBe(40);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: true, done: true, records: [], cursor: 90 });
    expect(h.cache.cursor).toBe(40);
  });

  it('scopeLost deletes every row of the scope and forgets it', () => {
    h = harness();
    seedWorkspace(h);
    h.applier.apply({ type: 'snapshot', scope: INBOX, reset: false, done: true, records: [
      { entity: 'conversation', record: conversation('c1', { tags: ['vip'] }) },
      { entity: 'message', record: message('m1', 'c1') },
    ], cursor: 50 });
    const views = h.applier.apply({ type: 'scopeLost', scope: INBOX });
    for (const t of ['inboxes', 'channels', 'inbox_members', 'conversations', 'messages', 'conversation_tags']) {
      expect(count(h, `SELECT count(*) FROM ${t}`), t).toBe(0);
    }
    expect(count(h, 'SELECT count(*) FROM users')).toBe(2);
    expect(h.cache.heldScopes()).not.toContain(INBOX);
    expect(views.conversations).toEqual(['c1']);
  });

  it('keeps the unread and with-me columns right whatever order records arrive in', () => {
    h = harness();
    seedWorkspace(h);
    h.applier.apply(changes([
      put(10, INBOX, 'message', message('m1', 'c1', { createdAt: 5000 })),
      put(11, 'user:u_me', 'conversationUserState', userState('c1', { readAt: 4000 })),
      put(12, INBOX, 'conversation', conversation('c1', { lastMessageAt: 5000, participantIds: ['u_me'] })),
    ]));
    const row = () => h.cache.db.prepare('SELECT unread, with_me, read_at FROM conversations WHERE id = ?').get('c1');
    expect(row()).toEqual({ unread: 1, with_me: 1, read_at: 4000 });
    h.applier.apply(changes([put(13, 'user:u_me', 'conversationUserState', userState('c1', { readAt: 6000 }))]));
    expect(row()).toEqual({ unread: 0, with_me: 1, read_at: 6000 });
    h.applier.apply(changes([put(14, INBOX, 'message', message('m2', 'c1', { createdAt: 7000 }))]));
    expect(row()).toMatchObject({ unread: 1 });
    h.applier.apply(changes([put(15, INBOX, 'message', message('m3', 'c1', { createdAt: 8000, direction: 'out', authorType: 'user' }))]));
    h.applier.apply(changes([put(16, 'user:u_me', 'conversationUserState', userState('c1', { readAt: 7500 }))]));
    expect(row()).toMatchObject({ unread: 0 });
  });
});
