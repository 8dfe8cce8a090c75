import type Database from 'better-sqlite3-multiple-ciphers';
import type { Mutation } from '../../../protocol/mutations.ts';
import { recordId, scope } from '../../../protocol/scope.ts';
import type { CacheDb } from './cache-file.ts';
import type { ChangeCollector } from './changed-views.ts';

export const CONTACT_MUTATIONS = [
  'contact.create',
  'contact.update',
  'contact.setFavourite',
  'contact.setOptOut',
  'conversation.linkContact',
] as const;
export type ContactMutation = Extract<Mutation, { name: (typeof CONTACT_MUTATIONS)[number] }>;

export function isContactMutation(m: Mutation): m is ContactMutation {
  return (CONTACT_MUTATIONS as readonly string[]).includes(m.name);
}

const CONTACT_COLUMNS = 'scope, org_id, owner_id, name, phones, email, company, notes, sms_opt_out';

/**
 * Optimistic effects of contact actions, on the same rebase scheme as the
 * conversation effects in optimistic.ts: before the first effect on a row its
 * server truth is copied to a *_base table (or noted as absent); `rewind`
 * puts every such row back before a server frame is applied, and the outbox
 * replays the effects afterwards.
 */
export class ContactEffects {
  private readonly st: Record<string, Database.Statement>;

  constructor(private readonly cache: CacheDb) {
    const p = (sql: string): Database.Statement => cache.db.prepare(sql);
    this.st = {
      captureContact: p(`INSERT OR IGNORE INTO contact_base (contact_id, present, ${CONTACT_COLUMNS})
                         SELECT id, 1, ${CONTACT_COLUMNS} FROM contacts WHERE id = ?`),
      captureAbsentContact: p('INSERT OR IGNORE INTO contact_base (contact_id, present) VALUES (?, 0)'),
      captureFavourite: p(`INSERT OR IGNORE INTO contact_favourite_base (id, present, scope, contact_id, user_id)
                           SELECT id, 1, scope, contact_id, user_id FROM contact_favourites WHERE id = ?`),
      captureAbsentFavourite: p('INSERT OR IGNORE INTO contact_favourite_base (id, present, contact_id) VALUES (?, 0, ?)'),
      captureLink: p(`INSERT OR IGNORE INTO contact_link_base (conversation_id, contact_id)
                      SELECT id, contact_id FROM conversations WHERE id = ?`),

      create: p(`INSERT INTO contacts (id, scope, org_id, owner_id, name, phones, email, company, notes, sms_opt_out)
                 VALUES (@id, @scope, @orgId, @ownerId, @name, @phones, @email, @company, @notes, 0)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, phones = excluded.phones, email = excluded.email,
                   company = excluded.company, notes = excluded.notes`),
      update: p(`UPDATE contacts SET name = @name, phones = @phones, email = @email, company = @company, notes = @notes
                 WHERE id = @id`),
      favourite: p('INSERT OR REPLACE INTO contact_favourites (id, scope, contact_id, user_id) VALUES (?, ?, ?, ?)'),
      unfavourite: p('DELETE FROM contact_favourites WHERE id = ?'),
      optOut: p('UPDATE contacts SET sms_opt_out = ? WHERE id = ? AND sms_opt_out IS NOT ?'),
      link: p('UPDATE conversations SET contact_id = ? WHERE id = ?'),
      conversationsOf: p('SELECT id FROM conversations WHERE contact_id = ?').pluck(),

      rewindCreated: p('DELETE FROM contacts WHERE id IN (SELECT contact_id FROM contact_base WHERE present = 0)'),
      rewindContacts: p(`UPDATE contacts SET (${CONTACT_COLUMNS}) =
                           (SELECT ${CONTACT_COLUMNS} FROM contact_base b WHERE b.contact_id = contacts.id)
                         WHERE id IN (SELECT contact_id FROM contact_base WHERE present = 1)`),
      clearContactBase: p('DELETE FROM contact_base'),
      rewindAddedFavourites: p('DELETE FROM contact_favourites WHERE id IN (SELECT id FROM contact_favourite_base WHERE present = 0)'),
      rewindRemovedFavourites: p(`INSERT OR REPLACE INTO contact_favourites (id, scope, contact_id, user_id)
                                  SELECT id, scope, contact_id, user_id FROM contact_favourite_base WHERE present = 1`),
      clearFavouriteBase: p('DELETE FROM contact_favourite_base'),
      rewindLinks: p(`UPDATE conversations SET contact_id = (SELECT contact_id FROM contact_link_base b WHERE b.conversation_id = conversations.id)
                      WHERE id IN (SELECT conversation_id FROM contact_link_base)`),
      clearLinkBase: p('DELETE FROM contact_link_base'),

      // Truth copies of rows no outbox entry touches any more (its effect was acknowledged).
      settleContacts: p(`DELETE FROM contact_base WHERE contact_id NOT IN (
                           SELECT json_extract(mutation, '$.args.contactId') FROM outbox
                           WHERE name LIKE 'contact.%' AND json_extract(mutation, '$.args.contactId') IS NOT NULL)`),
      settleFavourites: p(`DELETE FROM contact_favourite_base WHERE contact_id NOT IN (
                             SELECT json_extract(mutation, '$.args.contactId') FROM outbox
                             WHERE name = 'contact.setFavourite' AND json_extract(mutation, '$.args.contactId') IS NOT NULL)`),
      settleLinks: p(`DELETE FROM contact_link_base WHERE conversation_id NOT IN (
                        SELECT conversation_id FROM outbox WHERE name = 'conversation.linkContact' AND conversation_id IS NOT NULL)`),
    };
  }

  private run(name: string, ...args: unknown[]): Database.RunResult {
    return (this.st[name] as Database.Statement).run(...args);
  }

  private orgId(): string {
    const user = this.cache.getMeta('user');
    if (user) return (JSON.parse(user) as { orgId: string }).orgId;
    return (this.cache.db.prepare('SELECT org_id FROM users WHERE id = ?').pluck().get(this.cache.userId) as string | undefined) ?? '';
  }

  private captureContact(id: string): void {
    this.run('captureContact', id);
    this.run('captureAbsentContact', id);
  }

  /** Conversations showing this contact (their titles and panels change with it). */
  private touchConversationsOf(contactId: string, changed: ChangeCollector): void {
    for (const id of (this.st.conversationsOf as Database.Statement<[string], string>).all(contactId)) changed.conversation(id);
  }

  apply(m: ContactMutation, changed: ChangeCollector): void {
    const me = this.cache.userId;
    switch (m.name) {
      case 'contact.create':
      case 'contact.update': {
        const f = m.args.fields;
        const values = {
          id: m.args.contactId,
          name: f.name,
          phones: JSON.stringify(f.phones),
          email: f.email || null,
          company: f.company || null,
          notes: f.notes || null,
        };
        this.captureContact(m.args.contactId);
        if (m.name === 'contact.create') {
          const orgId = this.orgId();
          this.run('create', { ...values, orgId, ownerId: m.args.shared ? null : me, scope: m.args.shared ? scope.org(orgId) : scope.user(me) });
        } else {
          this.run('update', values);
        }
        this.touchConversationsOf(m.args.contactId, changed);
        break;
      }
      case 'contact.setFavourite': {
        const id = recordId.contactFavourite(m.args.contactId, me);
        this.run('captureFavourite', id);
        this.run('captureAbsentFavourite', id, m.args.contactId);
        if (m.args.favourite) this.run('favourite', id, scope.user(me), m.args.contactId, me);
        else this.run('unfavourite', id);
        break;
      }
      case 'contact.setOptOut':
        this.captureContact(m.args.contactId);
        this.run('optOut', m.args.optOut ? 1 : 0, m.args.contactId, m.args.optOut ? 1 : 0);
        this.touchConversationsOf(m.args.contactId, changed);
        break;
      case 'conversation.linkContact':
        this.run('captureLink', m.args.conversationId);
        this.run('link', m.args.contactId, m.args.conversationId);
        changed.conversation(m.args.conversationId);
        break;
    }
    changed.all();
  }

  /** Back to server truth for every row a contact action touched. */
  rewind(): void {
    for (const name of [
      'rewindCreated',
      'rewindContacts',
      'clearContactBase',
      'rewindAddedFavourites',
      'rewindRemovedFavourites',
      'clearFavouriteBase',
      'rewindLinks',
      'clearLinkBase',
    ]) {
      this.run(name);
    }
  }

  /** After an acknowledgement: forget truth copies that no remaining entry needs. */
  settle(): void {
    this.run('settleContacts');
    this.run('settleFavourites');
    this.run('settleLinks');
  }
}
