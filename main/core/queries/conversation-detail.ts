import { WHATSAPP_WINDOW_MS, type Channel, type Contact, type WhatsAppTemplate } from '../../../protocol/domain.ts';
import type { ConversationDetail } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import type { OutboxRow } from '../cache/optimistic.ts';
import { outboxState } from '../outbox.ts';
import { formatAddress, toConversation, type ConversationRow } from './rows.ts';

/** A contacts row as stored (optimistic effects included). */
export interface ContactRow {
  id: string;
  org_id: string;
  owner_id: string | null;
  name: string;
  phones: string;
  email: string | null;
  company: string | null;
  notes: string | null;
  sms_opt_out: number;
}

export function toContact(r: ContactRow): Contact {
  return {
    id: r.id,
    orgId: r.org_id,
    ownerId: r.owner_id,
    name: r.name,
    phones: JSON.parse(r.phones) as string[],
    email: r.email,
    company: r.company,
    notes: r.notes,
    smsOptOut: r.sms_opt_out === 1,
  };
}

/** WhatsApp's 24-hour reply window at `now`, from the last inbound message time (null = never wrote). */
export function whatsAppWindow(lastInboundAt: number | null, now: number): { open: boolean; closesAt: number | null } {
  if (lastInboundAt === null) return { open: false, closesAt: null };
  const closesAt = lastInboundAt + WHATSAPP_WINDOW_MS;
  return { open: now - lastInboundAt <= WHATSAPP_WINDOW_MS, closesAt };
}

/** One conversation with what its header and side panel show; null when the cache does not hold it. */
export function conversationDetail(cache: CacheDb, id: string, now: number = Date.now()): ConversationDetail | null {
  const db = cache.db;
  const row = db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
  if (!row) return null;
  const channel = db.prepare('SELECT id, inbox_id AS inboxId, kind, name, address, registration FROM channels WHERE id = ?').get(row.channel_id) as
    | Channel
    | undefined;
  const templatesJson = db.prepare('SELECT whatsapp_templates FROM channels WHERE id = ?').pluck().get(row.channel_id) as string | null | undefined;
  const whatsappTemplates = templatesJson ? (JSON.parse(templatesJson) as WhatsAppTemplate[]) : [];
  const lastInboundAt = channel?.kind === 'whatsapp'
    ? ((db.prepare("SELECT max(created_at) FROM messages WHERE conversation_id = ? AND direction = 'in'").pluck().get(id) as number | null) ?? null)
    : null;
  const inbox = db.prepare('SELECT id, name, kind, assignment_mode FROM inboxes WHERE id = ?').get(row.inbox_id) as
    | { id: string; name: string; kind: 'shared' | 'queue'; assignment_mode: number }
    | undefined;
  if (!channel || !inbox) return null;
  const contactRow = row.contact_id ? (db.prepare('SELECT * FROM contacts WHERE id = ?').get(row.contact_id) as ContactRow | undefined) : undefined;
  const contact = contactRow ? toContact(contactRow) : null;
  const assignee = row.assignee_id
    ? ((db.prepare('SELECT id, name FROM users WHERE id = ?').get(row.assignee_id) as { id: string; name: string } | undefined) ?? {
        id: row.assignee_id,
        name: 'Unknown teammate',
      })
    : null;
  const members = db
    .prepare(
      `SELECT u.id, u.name FROM inbox_members m JOIN users u ON u.id = m.user_id
       WHERE m.inbox_id = ? ORDER BY u.name COLLATE NOCASE`,
    )
    .all(row.inbox_id) as { id: string; name: string }[];
  const pending = db
    .prepare("SELECT * FROM outbox WHERE conversation_id = ? AND name NOT IN ('message.send', 'conversation.create', 'survey.send') ORDER BY mutation_id")
    .all(id) as OutboxRow[];
  return {
    conversation: toConversation(row),
    title: contact?.name ?? formatAddress(row.customer_address),
    contact,
    channel,
    inbox: { id: inbox.id, name: inbox.name, kind: inbox.kind, assignmentMode: inbox.assignment_mode === 1 },
    assignee,
    members,
    pendingActions: pending.map(outboxState),
    archived: row.archived === 1,
    whatsappWindow: channel.kind === 'whatsapp' ? whatsAppWindow(lastInboundAt, now) : null,
    whatsappTemplates: channel.kind === 'whatsapp' ? whatsappTemplates : [],
  };
}
