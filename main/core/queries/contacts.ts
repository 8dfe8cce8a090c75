import type { ContactDetail, ContactHistoryItem, ContactSummary } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import type { OutboxRow } from '../cache/optimistic.ts';
import { outboxState } from '../outbox.ts';
import { contactSurveys } from './surveys.ts';
import { toContact, type ContactRow } from './conversation-detail.ts';

export type { ContactRow };

export function toSummary(r: ContactRow & { favourite: number }): ContactSummary {
  return {
    id: r.id,
    name: r.name,
    company: r.company,
    phones: JSON.parse(r.phones) as string[],
    ownerId: r.owner_id,
    smsOptOut: r.sms_opt_out === 1,
    favourite: r.favourite === 1,
  };
}

/** SQL fragment: 1 when the signed-in person (@me) marked contact `c` a favourite. */
export const FAVOURITE_SQL = 'EXISTS (SELECT 1 FROM contact_favourites f WHERE f.contact_id = c.id AND f.user_id = @me)';

/** SPEC (4): my favourite contacts, by name. */
export function favouriteContacts(cache: CacheDb): ContactSummary[] {
  const rows = cache.db
    .prepare(
      `SELECT c.*, 1 AS favourite FROM contact_favourites f JOIN contacts c ON c.id = f.contact_id
       WHERE f.user_id = @me ORDER BY c.name COLLATE NOCASE, c.id`,
    )
    .all({ me: cache.userId }) as (ContactRow & { favourite: number })[];
  return rows.map(toSummary);
}

const HISTORY_LIMIT = 200;

interface HistoryRow {
  id: string;
  status: ContactHistoryItem['status'];
  created_at: number;
  last_message_at: number | null;
  preview: string;
  inbox_name: string | null;
  channel_kind: ContactHistoryItem['channelKind'] | null;
  channel_name: string | null;
}

/**
 * SPEC (17): every conversation with the contact that the cache holds (so only
 * those of inboxes the person belongs to): linked to it, or unlinked with one
 * of its numbers. Newest activity first.
 */
export function contactHistory(cache: CacheDb, contactId: string, phones: readonly string[]): ContactHistoryItem[] {
  const rows = cache.db
    .prepare(
      `SELECT c.id, c.status, c.created_at, c.last_message_at, c.preview, i.name AS inbox_name, ch.kind AS channel_kind,
         ch.name AS channel_name
       FROM conversations c LEFT JOIN inboxes i ON i.id = c.inbox_id LEFT JOIN channels ch ON ch.id = c.channel_id
       WHERE c.contact_id = @contactId
          OR (c.contact_id IS NULL AND c.customer_address IN (SELECT value FROM json_each(@phones)))
       ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id LIMIT ${HISTORY_LIMIT}`,
    )
    .all({ contactId, phones: JSON.stringify(phones) }) as HistoryRow[];
  return rows.map((r) => ({
    conversationId: r.id,
    inboxName: r.inbox_name ?? '',
    channelKind: r.channel_kind ?? 'sms',
    channelName: r.channel_name ?? '',
    status: r.status,
    createdAt: r.created_at,
    lastMessageAt: r.last_message_at,
    preview: r.preview,
  }));
}

/** SPEC (19): the contact side panel; null when the cache does not hold the contact. */
export function contactDetail(cache: CacheDb, contactId: string): ContactDetail | null {
  const db = cache.db;
  const me = cache.userId;
  const row = db.prepare('SELECT * FROM contacts WHERE id = ?').get(contactId) as ContactRow | undefined;
  if (!row) return null;
  const contact = toContact(row);
  const favourite = db.prepare('SELECT 1 FROM contact_favourites WHERE contact_id = ? AND user_id = ?').get(contactId, me) !== undefined;
  const pending = db
    .prepare(
      `SELECT * FROM outbox WHERE name LIKE 'contact.%' AND json_extract(mutation, '$.args.contactId') = ? ORDER BY mutation_id`,
    )
    .all(contactId) as OutboxRow[];
  return {
    contact,
    favourite,
    editable: contact.ownerId === null || contact.ownerId === me,
    history: contactHistory(cache, contactId, contact.phones),
    pendingActions: pending.map(outboxState),
    surveys: contactSurveys(cache, contactId),
  };
}
