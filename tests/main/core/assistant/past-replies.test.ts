import { afterEach, describe, expect, it } from 'vitest';
import { anyTermQuery, PastReplies, significantTerms } from '../../../../main/core/assistant/past-replies.ts';
import { changes, conversation, harness, type Harness, INBOX, message, OTHER, put, seedWorkspace } from '../fixtures.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A conversation with a customer message and, a moment later, an agent's reply. */
function exchange(h: Harness, id: string, customer: string, reply: string | null, at: number) {
  const entries = [
    put(h.seq(), INBOX, 'conversation', conversation(id, { createdAt: at, lastMessageAt: at + 10 })),
    put(h.seq(), INBOX, 'message', message(`${id}_in`, id, { body: customer, createdAt: at })),
  ];
  if (reply !== null) {
    entries.push(put(h.seq(), INBOX, 'message', message(`${id}_out`, id, { direction: 'out', authorType: 'user', authorId: OTHER, body: reply, createdAt: at + 10 })));
  }
  h.applier.apply(changes(entries));
}

function workspace(): Harness {
  const h = harness();
  cleanups.push(h.cleanup);
  seedWorkspace(h);
  return h;
}

describe('past-reply suggestions from the local cache', () => {
  it('picks the distinctive words of the ticked messages and quotes them for FTS', () => {
    expect(significantTerms('Hi, is the ZEPPELIN tent in stock? Thanks!')).toEqual(['zeppelin', 'stock', 'tent']);
    expect(anyTermQuery(['a"b', 'tent'])).toBe('"ab" OR "tent"');
    expect(anyTermQuery([])).toBeNull();
  });

  it('offers the replies sent after the most similar customer messages first, best match first, without repeats', () => {
    const h = workspace();
    exchange(h, 'c_best', 'My zeppelin tent arrived with a broken zipper', 'Sorry about the zipper! A replacement zeppelin tent ships today.', 1000);
    exchange(h, 'c_some', 'Do you sell tents?', 'We do: see our tents page.', 2000);
    exchange(h, 'c_dup', 'The zipper of my zeppelin tent broke', 'Sorry about the zipper! A replacement zeppelin tent ships today.', 3000);
    exchange(h, 'c_none', 'Where is my invoice?', 'Your invoice is in your account.', 4000);
    exchange(h, 'c_unanswered', 'zeppelin tent zipper broken again', null, 5000);
    exchange(h, 'c_now', 'Help, the zipper on my zeppelin tent is broken', null, 6000);

    const found = new PastReplies(h.cache).suggest('c_now', ['c_now_in']);
    expect(found.map((f) => f.text)).toEqual(['Sorry about the zipper! A replacement zeppelin tent ships today.']);
    expect(found[0]).toMatchObject({ source: 'reply', label: 'Olga Other replied to a similar message' });
  });

  it('ranks by bm25 (more shared rare words first), then adds matching pre-written messages', () => {
    const h = workspace();
    exchange(h, 'c_weak', 'Question about a refund', 'Refunds take five days.', 1000);
    exchange(h, 'c_strong', 'Refund for the zeppelin tent please', 'I have refunded the zeppelin tent.', 2000);
    h.applier.apply(
      changes([
        put(h.seq(), INBOX, 'cannedResponse', { id: 'cr_refund', inboxId: 'inbox_a', title: 'Refund policy', keyPhrase: 'refund', body: 'Refunds are issued within 5 days.' }),
        put(h.seq(), INBOX, 'cannedResponse', { id: 'cr_hours', inboxId: 'inbox_a', title: 'Opening hours', keyPhrase: 'hours', body: 'We are open 9 to 5.' }),
      ]),
    );
    exchange(h, 'c_now', 'I want a refund for my zeppelin tent', null, 3000);
    const found = new PastReplies(h.cache).suggest('c_now', ['c_now_in']);
    expect(found.map((f) => [f.source, f.text])).toEqual([
      ['reply', 'I have refunded the zeppelin tent.'],
      ['reply', 'Refunds take five days.'],
      ['canned', 'Refunds are issued within 5 days.'],
    ]);
    expect(found[2]?.label).toBe('Pre-written: Refund policy');
  });

  it('offers nothing when the ticked messages share no word with the past', () => {
    const h = workspace();
    exchange(h, 'c_old', 'Where is my invoice?', 'Your invoice is in your account.', 1000);
    exchange(h, 'c_now', 'Zeppelin?', null, 2000);
    expect(new PastReplies(h.cache).suggest('c_now', ['c_now_in'])).toEqual([]);
    expect(new PastReplies(h.cache).suggest('c_now', ['not_a_message'])).toEqual([]);
  });
});
