import type { Conversation } from '../../../protocol/domain.ts';

/** A conversations row as stored (optimistic effects included). */
export interface ConversationRow {
  id: string;
  scope: string;
  inbox_id: string;
  channel_id: string;
  contact_id: string | null;
  customer_address: string;
  status: 'open' | 'closed';
  assignee_id: string | null;
  tags: string;
  created_at: number;
  closed_at: number | null;
  last_message_at: number | null;
  preview: string;
  participant_ids: string;
  with_me: number;
  read_at: number | null;
  archived: number;
  last_inbound_at: number | null;
  unread: number;
}

export function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    channelId: r.channel_id,
    contactId: r.contact_id,
    customerAddress: r.customer_address,
    status: r.status,
    assigneeId: r.assignee_id,
    tags: JSON.parse(r.tags) as string[],
    createdAt: r.created_at,
    closedAt: r.closed_at,
    lastMessageAt: r.last_message_at,
    lastMessagePreview: r.preview,
    participantIds: JSON.parse(r.participant_ids) as string[],
  };
}

/** An unlinked conversation is shown by its number, formatted the one shared way. */
export { formatAddress } from '../../../protocol/phone-format.ts';
