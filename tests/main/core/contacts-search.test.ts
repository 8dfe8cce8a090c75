import { afterEach, describe, expect, it } from 'vitest';
import type { ContactFields } from '../../../protocol/mutations.ts';
import { meetingUrl, parseContactDraft } from '../../../main/core/contact-actions.ts';
import { IpcFailure } from '../../../main/ipc-router.ts';
import { contactDetail, favouriteContacts } from '../../../main/core/queries/contacts.ts';
import { conversationDetail } from '../../../main/core/queries/conversation-detail.ts';
import { ftsQuery, phoneDigits, SearchQueries, wholeWordQuery } from '../../../main/core/queries/search.ts';
import { changes, contact, conversation, count, harness, type Harness, INBOX, ME, message, OTHER, put, seedWorkspace } from './fixtures.ts';

let h: Harness;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const ORG = 'org:org_1' as const;
const fields = (over: Partial<ContactFields> = {}): ContactFields => ({
  name: 'Dana Whitfield',
  phones: ['+14155550123'],
  email: null,
  company: 'Whitfield Outdoor',
  notes: null,
  ...over,
});
const draft = (over: Partial<{ name: string; phones: string[]; email: string; company: string; notes: string }> = {}) => ({
  name: 'Dana',
  phones: [],
  email: '',
  company: '',
  notes: '',
  ...over,
});

function workspace(): Harness {
  const x = harness(() => 9000);
  cleanups.push(x.cleanup);
  seedWorkspace(x);
  x.applier.apply(
    changes([
      put(x.seq(), INBOX, 'conversation', conversation('c1', { customerAddress: '+14155550123', lastMessageAt: 3000, createdAt: 1000 })),
      put(x.seq(), INBOX, 'conversation', conversation('c2', { customerAddress: '+442071838750', contactId: 'k1', lastMessageAt: 5000, createdAt: 1500 })),
      put(x.seq(), INBOX, 'message', message('m1', 'c1', { body: 'Is the Ridgeline backpack available in green?', createdAt: 2000 })),
      put(x.seq(), INBOX, 'message', message('m2', 'c2', { body: 'My tent pole snapped on the first night', createdAt: 4000 })),
      put(x.seq(), INBOX, 'message', message('m3', 'c2', { body: 'Could you send a replacement pole?', createdAt: 5000 })),
      put(x.seq(), ORG, 'contact', contact('k1', { name: 'Jürgen Öst', phones: ['+442071838750'], company: 'Alpine Club', email: 'jurgen@example.com' })),
      put(x.seq(), ORG, 'contact', contact('k2', { name: 'Priya Raman', phones: ['+14155550177'], notes: 'Prefers WhatsApp' })),
    ]),
  );
  return x;
}

const search = (text: string, limit = 20) => new SearchQueries(h.cache).search(text, limit);

describe('search query text', () => {
  it('quotes every word, requires all of them and treats the last as a prefix while typing', () => {
    expect(ftsQuery('tent pole')).toBe('"tent" "pole"*');
    expect(ftsQuery('tent pole ')).toBe('"tent" "pole"');
    // FTS syntax in the input is just text.
    expect(ftsQuery('NEAR(a b) OR "x" -y *')).toBe('"NEAR" "a" "b" "OR" "x" "y"');
    expect(ftsQuery('  ,;!  ')).toBeNull();
    // A last word beyond the 3-character prefix index is tried whole first.
    expect(wholeWordQuery('"tent" "pole"*')).toBe('"tent" "pole"');
    expect(wholeWordQuery('"tent" "pol"*')).toBeNull();
    expect(wholeWordQuery('"tent" "pole"')).toBeNull();
    expect(wholeWordQuery('"größe"*')).toBe('"größe"');
    expect(phoneDigits('+1 (415) 555-01')).toBe('141555501');
    expect(phoneDigits('tent 415')).toBeNull();
  });
});

describe('full-text search over the cache', () => {
  it('finds messages by word and prefix, newest first, with marked snippets and conversation titles', () => {
    h = workspace();
    const pole = search('pole');
    expect(pole.messages.map((m) => m.messageId)).toEqual(['m3', 'm2']);
    expect(pole.messages[0]).toMatchObject({ conversationId: 'c2', conversationTitle: 'Jürgen Öst', direction: 'in' });
    expect(pole.messages[0]?.snippet).toContain('\u0002pole\u0003');
    expect(search('ridgel').messages.map((m) => m.messageId)).toEqual(['m1']);
    // Unlinked conversations are titled by their formatted number.
    expect(search('ridgeline').messages[0]?.conversationTitle).toBe('+1 415 555 0123');
    expect(search('tent replacement').messages).toEqual([]);
  });

  it('while typing: short prefixes match, and a whole word that fills the page comes before longer words it starts', () => {
    h = workspace();
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m4', 'c2', { body: 'Are tent poles sold separately?', createdAt: 6000 }))]));
    expect(search('po').messages.map((m) => m.messageId)).toEqual(['m4', 'm3', 'm2']);
    expect(search('pol').messages.map((m) => m.messageId)).toEqual(['m4', 'm3', 'm2']);
    // "pole" alone fills a page of two, so the newer "poles" waits for the next word or a longer page.
    expect(search('pole', 2).messages.map((m) => m.messageId)).toEqual(['m3', 'm2']);
    expect(search('pole', 3).messages.map((m) => m.messageId)).toEqual(['m4', 'm3', 'm2']);
    expect(search('poles', 2).messages.map((m) => m.messageId)).toEqual(['m4']);
  });

  it('keeps the index in step with edits, deletions, dropped scopes and optimistic replies', () => {
    h = workspace();
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m1', 'c1', { body: 'Do you ship to Canada?', status: 'delivered' }))]));
    expect(search('ridgeline').messages).toEqual([]);
    expect(search('canada').messages.map((m) => m.messageId)).toEqual(['m1']);
    // A status-only update leaves the index alone and the message findable.
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m1', 'c1', { body: 'Do you ship to Canada?', status: 'failed' }))]));
    expect(search('canada').messages).toHaveLength(1);

    h.outbox.enqueue({ name: 'message.send', args: { conversationId: 'c1', messageId: 'local-1', body: 'Yes, shipping to Canada is free', attachments: [] } });
    expect(search('canada').messages.map((m) => m.messageId)).toEqual(['local-1', 'm1']);

    h.applier.apply(changes([{ seq: h.seq(), scope: INBOX, op: 'delete', entity: 'message', id: 'm1' }]));
    expect(search('canada').messages.map((m) => m.messageId)).toEqual(['local-1']);

    h.applier.apply({ type: 'scopeLost', scope: INBOX });
    expect(search('canada').messages).toEqual([]);
    expect(search('pole').messages).toEqual([]);
    expect(count(h, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'pole OR canada OR ridgeline'")).toBe(0);
  });

  it('finds contacts by name without accents, company, notes and number, and their conversations', () => {
    h = workspace();
    expect(search('jurgen').contacts.map((c) => c.id)).toEqual(['k1']);
    expect(search('alpine').contacts[0]).toMatchObject({ id: 'k1', favourite: false });
    expect(search('whatsapp').contacts.map((c) => c.id)).toEqual(['k2']);
    expect(search('jurgen').conversations.map((c) => c.conversationId)).toEqual(['c2']);
    // By number: the contact and the unlinked conversation with that number.
    expect(search('+1 415 555 0177').contacts.map((c) => c.id)).toEqual(['k2']);
    expect(search('4155550123').conversations.map((c) => c.conversationId)).toEqual(['c1']);
  });

  it('re-indexes a contact when it changes (upserts keep the row)', () => {
    h = workspace();
    h.applier.apply(changes([put(h.seq(), ORG, 'contact', contact('k2', { name: 'Priya Natarajan', phones: ['+14155550177'] }))]));
    expect(search('raman').contacts).toEqual([]);
    expect(search('natarajan').contacts.map((c) => c.id)).toEqual(['k2']);
    expect(count(h, 'SELECT count(*) FROM contacts_fts')).toBe(2);
    // A conversation titled by a renamed contact is re-read by the renderer.
    const views = h.applier.apply(changes([put(h.seq(), ORG, 'contact', contact('k1', { name: 'Jürgen Ost', phones: ['+442071838750'] }))]));
    expect(views.conversations).toContain('c2');
    expect(conversationDetail(h.cache, 'c2')?.title).toBe('Jürgen Ost');
  });
});

describe('favourites (4)', () => {
  it('lists my favourites from the server, and follows deletes', () => {
    h = workspace();
    h.applier.apply(changes([put(h.seq(), `user:${ME}`, 'contactFavourite', { id: `k2:${ME}`, contactId: 'k2', userId: ME })]));
    expect(favouriteContacts(h.cache).map((c) => c.id)).toEqual(['k2']);
    expect(contactDetail(h.cache, 'k2')?.favourite).toBe(true);
    h.applier.apply(changes([{ seq: h.seq(), scope: `user:${ME}`, op: 'delete', entity: 'contactFavourite', id: `k2:${ME}` }]));
    expect(favouriteContacts(h.cache)).toEqual([]);
  });

  it('shows a favourite at once, keeps it across server frames while pending, and reverts it on discard', () => {
    h = workspace();
    const { id } = h.outbox.enqueue({ name: 'contact.setFavourite', args: { contactId: 'k1', favourite: true } });
    expect(favouriteContacts(h.cache).map((c) => c.id)).toEqual(['k1']);
    // An unrelated frame rewinds to server truth and replays the pending effect.
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m9', 'c1', { body: 'another' }))]));
    expect(favouriteContacts(h.cache).map((c) => c.id)).toEqual(['k1']);
    expect(contactDetail(h.cache, 'k1')?.pendingActions).toEqual([{ mutationId: id, state: 'pending', error: null }]);

    h.outbox.resolve(id, { ok: false, code: 'not_found', message: 'gone' });
    expect(contactDetail(h.cache, 'k1')?.pendingActions[0]).toMatchObject({ state: 'failed', error: { code: 'not_found' } });
    h.outbox.discard(id);
    expect(favouriteContacts(h.cache)).toEqual([]);
    expect(count(h, 'SELECT count(*) FROM contact_favourite_base')).toBe(0);
  });

  it('forgets the truth copy once acknowledged, so a later rewind keeps the server state', () => {
    h = workspace();
    const { id } = h.outbox.enqueue({ name: 'contact.setFavourite', args: { contactId: 'k1', favourite: true } });
    h.outbox.resolve(id, { ok: true });
    h.applier.apply(changes([put(h.seq(), `user:${ME}`, 'contactFavourite', { id: `k1:${ME}`, contactId: 'k1', userId: ME })]));
    h.outbox.enqueue({ name: 'conversation.setStatus', args: { conversationId: 'c1', status: 'closed' } });
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m9', 'c1', { body: 'another' }))]));
    expect(favouriteContacts(h.cache).map((c) => c.id)).toEqual(['k1']);
  });
});

describe('contact actions, optimistic (14), (20)', () => {
  it('creates a contact and links the unlinked conversation at once; the title follows', () => {
    h = workspace();
    expect(conversationDetail(h.cache, 'c1')?.title).toBe('+1 415 555 0123');
    h.outbox.enqueue({ name: 'contact.create', args: { contactId: 'k_new', shared: true, fields: fields() } });
    const link = h.outbox.enqueue({ name: 'conversation.linkContact', args: { conversationId: 'c1', contactId: 'k_new' } });
    expect(link.changed.conversations).toContain('c1');
    expect(conversationDetail(h.cache, 'c1')).toMatchObject({ title: 'Dana Whitfield', contact: { id: 'k_new', ownerId: null } });
    expect(h.cache.db.prepare("SELECT scope, org_id FROM contacts WHERE id = 'k_new'").get()).toEqual({ scope: 'org:org_1', org_id: 'org_1' });
    expect(search('whitfield').contacts.map((c) => c.id)).toEqual(['k_new']);

    // Server frames in between keep the effects (rewind → apply → replay).
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('m9', 'c1', { body: 'hello?' }))]));
    expect(conversationDetail(h.cache, 'c1')?.title).toBe('Dana Whitfield');
  });

  it('reverts a refused create and link on discard', () => {
    h = workspace();
    const create = h.outbox.enqueue({ name: 'contact.create', args: { contactId: 'k_new', shared: true, fields: fields() } });
    const link = h.outbox.enqueue({ name: 'conversation.linkContact', args: { conversationId: 'c1', contactId: 'k_new' } });
    h.outbox.resolve(create.id, { ok: false, code: 'invalid', message: 'no' });
    h.outbox.resolve(link.id, { ok: false, code: 'not_found', message: 'no' });
    expect(conversationDetail(h.cache, 'c1')?.pendingActions.map((a) => a.state)).toEqual(['failed']);
    h.outbox.discard(link.id);
    h.outbox.discard(create.id);
    expect(conversationDetail(h.cache, 'c1')?.title).toBe('+1 415 555 0123');
    expect(count(h, "SELECT count(*) FROM contacts WHERE id = 'k_new'")).toBe(0);
    expect(search('whitfield').contacts).toEqual([]);
  });

  it('edits and opts out at once, and the server’s answer replaces the effect', () => {
    h = workspace();
    const edit = h.outbox.enqueue({ name: 'contact.update', args: { contactId: 'k1', fields: fields({ name: 'Jurgen Ost', phones: ['+442071838750'] }) } });
    expect(edit.changed.conversations).toContain('c2');
    h.outbox.enqueue({ name: 'contact.setOptOut', args: { contactId: 'k1', optOut: true } });
    expect(contactDetail(h.cache, 'k1')?.contact).toMatchObject({ name: 'Jurgen Ost', smsOptOut: true, company: 'Whitfield Outdoor' });
    expect(conversationDetail(h.cache, 'c2')?.title).toBe('Jurgen Ost');
    expect(contactDetail(h.cache, 'k1')?.pendingActions).toHaveLength(2);
  });
});

describe('contact history (17) and panel (19)', () => {
  it('lists linked conversations and unlinked ones with its numbers, newest first', () => {
    h = workspace();
    h.applier.apply(
      changes([
        put(h.seq(), INBOX, 'conversation', conversation('c3', { customerAddress: '+14155550177', lastMessageAt: 8000 })),
        put(h.seq(), INBOX, 'conversation', conversation('c4', { contactId: 'k2', customerAddress: '+15550000000', lastMessageAt: 7000, status: 'closed' })),
        put(h.seq(), INBOX, 'conversation', conversation('c5', { contactId: 'k1', customerAddress: '+14155550177', lastMessageAt: 9000 })),
      ]),
    );
    const detail = contactDetail(h.cache, 'k2');
    expect(detail?.history.map((c) => c.conversationId)).toEqual(['c3', 'c4']);
    expect(detail?.history[1]).toMatchObject({ inboxName: 'Sales', channelKind: 'sms', status: 'closed' });
    expect(detail).toMatchObject({ editable: true, favourite: false });
    expect(contactDetail(h.cache, 'nope')).toBeNull();
  });

  it('marks another person’s private contact read-only', () => {
    h = workspace();
    h.applier.apply(changes([put(h.seq(), `user:${OTHER}`, 'contact', contact('k_private', { ownerId: OTHER }))]));
    expect(contactDetail(h.cache, 'k_private')?.editable).toBe(false);
  });
});

describe('contact fields as typed (20)', () => {
  it('parses numbers to E.164, with the organisation’s calling code for national ones', () => {
    expect(parseContactDraft(draft({ phones: ['+44 20 7183 8750', '(415) 555-0123', ''] }), '1').phones).toEqual(['+442071838750', '+14155550123']);
    expect(parseContactDraft(draft({ email: ' ', company: ' Acme ' }))).toMatchObject({ email: null, company: 'Acme' });
  });

  it('refuses an invalid number or email with a message that says what to fix', () => {
    const error = (fn: () => unknown): IpcFailure => {
      try {
        fn();
      } catch (err) {
        if (err instanceof IpcFailure) return err;
      }
      throw new Error('expected an IpcFailure');
    };
    const phone = error(() => parseContactDraft(draft({ phones: ['12345'] }), '1'));
    expect(phone.code).toBe('invalid');
    expect(phone.message).toMatch(/“12345” is not a valid phone number/);
    expect(error(() => parseContactDraft(draft({ email: 'dana@' }))).message).toMatch(/email/);
  });

  it('fills the meeting template and refuses non-web addresses', () => {
    expect(meetingUrl('https://meet.example.com/{contactId}?n={contactName}', { id: 'k 1', name: 'Dana W' })).toBe(
      'https://meet.example.com/k%201?n=Dana%20W',
    );
    expect(() => meetingUrl('javascript:alert({contactId})', { id: 'k1', name: 'x' })).toThrow(IpcFailure);
  });
});
