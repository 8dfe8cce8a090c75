import { afterEach, describe, expect, it } from 'vitest';
import { FrameApplier } from '../../../main/core/cache/apply-frame.ts';
import { openCache } from '../../../main/core/cache/cache-file.ts';
import { Outbox } from '../../../main/core/outbox.ts';
import { changes, conversation, count, harness, INBOX, ME, message, OTHER, put, seedWorkspace, type Harness, TEST_CACHE_KEY } from './fixtures.ts';

let h: Harness;
afterEach(() => h.cleanup());

function send(h: Harness, messageId: string, body = 'hello'): number {
  return h.outbox.enqueue({ name: 'message.send', args: { conversationId: 'c1', messageId, body, attachments: [] } }).id;
}
const conv = (h: Harness) =>
  h.cache.db.prepare('SELECT status, assignee_id, closed_at, last_message_at, preview, with_me FROM conversations WHERE id = ?').get('c1') as Record<string, unknown>;

function withConversation(): Harness {
  const x = harness(() => 9000);
  seedWorkspace(x);
  x.applier.apply(changes([put(100, INBOX, 'conversation', conversation('c1', { lastMessageAt: 5000, lastMessagePreview: 'hi' }))]));
  return x;
}

describe('outbox', () => {
  it('writes the reply and its outbox row together, with increasing ids, and flushes in id order', () => {
    h = withConversation();
    const a = send(h, 'msg-a', 'first');
    const b = send(h, 'msg-b', 'second');
    const c = h.outbox.enqueue({ name: 'conversation.assign', args: { conversationId: 'c1', assigneeId: ME } }).id;
    expect([a, b, c]).toEqual([1, 2, 3]);
    expect(h.cache.db.prepare("SELECT id, local, status, direction FROM messages WHERE id = 'msg-a'").get()).toEqual({
      id: 'msg-a', local: 1, status: 'queued', direction: 'out',
    });
    // Entries taken within one clock tick still get strictly increasing times.
    expect(conv(h)).toMatchObject({ preview: 'second', last_message_at: 9001, with_me: 1, assignee_id: ME });
    const frames = h.outbox.takeUnsent();
    expect(frames.map((f) => f.map((e) => e.id))).toEqual([[1, 2, 3]]);
    expect(h.outbox.takeUnsent()).toEqual([]);
    h.outbox.connectionLost();
    expect(h.outbox.takeUnsent().flat().map((e) => e.id)).toEqual([1, 2, 3]);
  });

  it('chunks to maxMutationsPerFrame', () => {
    h = withConversation();
    for (let i = 0; i < 205; i++) send(h, `m${i}`);
    expect(h.outbox.takeUnsent().map((f) => f.length)).toEqual([100, 100, 5]);
  });

  it('removes an entry on ack and keeps its effect', () => {
    h = withConversation();
    const id = h.outbox.enqueue({ name: 'conversation.setStatus', args: { conversationId: 'c1', status: 'closed' } }).id;
    expect(h.outbox.resolve(id, { ok: true })).not.toBeNull();
    expect(h.outbox.count()).toBe(0);
    expect(conv(h)).toMatchObject({ status: 'closed', closed_at: 9000 });
    expect(count(h, 'SELECT count(*) FROM conversation_base')).toBe(0);
  });

  it('marks a refused entry failed; retry re-queues it under a new id; discard reverts the reply', () => {
    h = withConversation();
    const id = send(h, 'msg-a');
    h.outbox.takeUnsent();
    h.outbox.resolve(id, { ok: false, code: 'opted_out', message: 'The contact opted out of SMS.' });
    expect(h.outbox.get(id)).toMatchObject({ state: 'failed', error_code: 'opted_out', error_message: 'The contact opted out of SMS.' });
    expect(h.outbox.takeUnsent()).toEqual([]);
    h.outbox.retry(id);
    expect(h.outbox.get(id)).toBeUndefined();
    expect(h.outbox.takeUnsent().flat().map((e) => e.id)).toEqual([2]);
    h.outbox.resolve(2, { ok: false, code: 'opted_out', message: 'still opted out' });
    expect(h.outbox.discard(2)).not.toBeNull();
    expect(h.outbox.count()).toBe(0);
    expect(count(h, "SELECT count(*) FROM messages WHERE id = 'msg-a'")).toBe(0);
    expect(conv(h)).toMatchObject({ preview: 'hi', last_message_at: 5000, with_me: 0 });
  });

  it('discarding a refused action falls back to server truth, including puts that arrived meanwhile', () => {
    h = withConversation();
    const id = h.outbox.enqueue({ name: 'conversation.assign', args: { conversationId: 'c1', assigneeId: ME } }).id;
    h.applier.apply(changes([put(101, INBOX, 'conversation', conversation('c1', { assigneeId: OTHER, lastMessageAt: 5000 }))]));
    expect(conv(h)).toMatchObject({ assignee_id: ME });
    h.outbox.resolve(id, { ok: false, code: 'conflict', message: 'Already assigned' });
    h.outbox.discard(id);
    expect(conv(h)).toMatchObject({ assignee_id: OTHER });
  });

  it('refuses to discard a pending entry (it may already be on the server)', () => {
    h = withConversation();
    const id = send(h, 'msg-a');
    expect(h.outbox.discard(id)).toBeNull();
    expect(h.outbox.count()).toBe(1);
  });

  it('rebase: server puts never visually undo pending actions, and later effects stay on top', () => {
    h = withConversation();
    h.outbox.enqueue({ name: 'conversation.setStatus', args: { conversationId: 'c1', status: 'closed' } });
    send(h, 'msg-a', 'bye');
    // The server moves on meanwhile: a new inbound message and a reassignment.
    h.applier.apply(changes([
      put(102, INBOX, 'message', message('in-1', 'c1', { createdAt: 7000 })),
      put(103, INBOX, 'conversation', conversation('c1', { assigneeId: OTHER, lastMessageAt: 7000, lastMessagePreview: 'inbound' })),
    ]));
    expect(conv(h)).toMatchObject({ status: 'closed', closed_at: 9000, assignee_id: OTHER, preview: 'bye', last_message_at: 9001 });
    expect(count(h, "SELECT count(*) FROM messages WHERE id = 'msg-a'")).toBe(1);
    // The server echoes the reply; the row becomes the server's.
    h.applier.apply(changes([put(104, INBOX, 'message', message('msg-a', 'c1', { direction: 'out', authorType: 'user', authorId: ME, status: 'sent', createdAt: 9100, body: 'bye' }))]));
    expect(h.cache.db.prepare("SELECT local, status FROM messages WHERE id = 'msg-a'").get()).toEqual({ local: 0, status: 'sent' });
  });

  it('survives closing the process: entries, effects and the next id are all in the cache file', () => {
    h = withConversation();
    send(h, 'msg-a');
    send(h, 'msg-b');
    const path = h.cache.path;
    h.cache.close();
    const dir = path.replace(/\/caches\/[^/]+$/, '');
    const again = openCache(dir, 'http://127.0.0.1:1', ME, TEST_CACHE_KEY);
    const outbox = new Outbox(again, new FrameApplier(again).layer, () => 9500);
    expect(outbox.takeUnsent().flat().map((e) => e.id)).toEqual([1, 2]);
    expect(outbox.enqueue({ name: 'conversation.markRead', args: { conversationId: 'c1', readAt: 9500 } }).id).toBe(3);
    expect(again.db.prepare('SELECT count(*) FROM messages WHERE local = 1').pluck().get()).toBe(2);
    again.close();
    h = { ...h, cleanup: h.cleanup };
  });
});
