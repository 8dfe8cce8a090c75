import { routableSince, type EntityKind, type EntityOf } from '../../../protocol/domain.ts';
import { isListed, sortKey } from '../../../protocol/conversation-views.ts';
import { lastActivityAt } from '../../../protocol/history.ts';
import type { ListBy } from '../storage.ts';
import { listColumn } from '../tally-groups.ts';

type SqlValue = string | number | null;

/**
 * How each record kind maps onto its table: the columns derived from the
 * record (for indexes and foreign keys) and which filter key of `ListBy` maps
 * to which column. `derived` columns that need another row (a message's inbox)
 * are computed by SQL subqueries in `extraInsert`.
 */
export interface EntityTable<K extends EntityKind> {
  table: string;
  columns: Record<string, (record: EntityOf<K>) => SqlValue>;
  /** Columns filled by a subquery on the conversation row: `column -> SQL expression taking the conversation id`. */
  fromConversation?: Record<string, string>;
  listColumns: Record<keyof ListBy[K] & string, string>;
  /**
   * A record kept as plain columns, with no JSON copy (the org: its table predates records): record field →
   * column. Each engine reads the record back as a JSON object built from them (`dataSql`).
   */
  fields?: Record<string, string>;
}

export type EntityTables = { [K in EntityKind]: EntityTable<K> };

export const ENTITY_TABLES: EntityTables = {
  user: {
    table: 'users',
    columns: { org_id: (r) => r.orgId, email: (r) => r.email.toLowerCase() },
    listColumns: { orgId: 'org_id' },
  },
  inbox: { table: 'inboxes', columns: { org_id: (r) => r.orgId }, listColumns: { id: 'id' } },
  inboxMember: {
    table: 'inbox_members',
    columns: { inbox_id: (r) => r.inboxId, user_id: (r) => r.userId },
    listColumns: { inboxId: 'inbox_id' },
  },
  channel: { table: 'channels', columns: { inbox_id: (r) => r.inboxId }, listColumns: { inboxId: 'inbox_id' } },
  contact: {
    table: 'contacts',
    // search_text: what server search matches a contact on (migration 16)
    columns: { org_id: (r) => r.orgId, owner_id: (r) => r.ownerId, search_text: (r) => contactSearchText(r) },
    listColumns: { orgId: 'org_id', ownerId: 'owner_id' },
  },
  conversation: {
    table: 'conversations',
    columns: {
      inbox_id: (r) => r.inboxId,
      channel_id: (r) => r.channelId,
      customer_address: (r) => r.customerAddress,
      created_at: (r) => r.createdAt,
      // Contact Center routing (server/domain/routing/): the FIFO key, agent loads, pending offers.
      route_waiting_since: (r) => routableSince(r),
      open_assignee_id: (r) => (r.status === 'open' ? r.assigneeId : null),
      offer_user_id: (r) => (r.status === 'open' ? (r.routing?.offer?.userId ?? null) : null),
      // issue 13: what the window and the history lists read (migration 15)
      status: (r) => r.status,
      contact_id: (r) => r.contactId,
      last_activity_at: (r) => lastActivityAt(r),
      conv_key: (r) => sortKey('recentConversations', r),
      rmk: (r) => sortKey('recentMessages', r),
      lmk: (r) => sortKey('oldestMessages', r) ?? -1,
      // issue 13: the facts the view totals count (migration 16, server/storage/tally-groups.ts)
      assignee_id: (r) => r.assigneeId,
      listed: (r) => (isListed(r) ? 1 : 0),
      participant_ids: (r) => listColumn(r.participantIds),
      tag_list: (r) => listColumn(r.tags),
    },
    listColumns: { inboxId: 'inbox_id' },
  },
  message: {
    table: 'messages',
    columns: {
      conversation_id: (r) => r.conversationId,
      direction: (r) => r.direction,
      provider_id: (r) => r.providerId,
      created_at: (r) => r.createdAt,
    },
    fromConversation: { inbox_id: 'inbox_id', channel_id: 'channel_id' },
    listColumns: { inboxId: 'inbox_id' },
  },
  conversationUserState: {
    table: 'conversation_user_states',
    columns: {
      conversation_id: (r) => r.conversationId,
      user_id: (r) => r.userId,
      archived: (r) => (r.archived ? 1 : 0),
      read_at: (r) => r.readAt,
    },
    listColumns: { userId: 'user_id' },
  },
  chat: { table: 'chats', columns: {}, listColumns: { id: 'id' } },
  chatMessage: {
    table: 'chat_messages',
    columns: { chat_id: (r) => r.chatId, created_at: (r) => r.createdAt },
    listColumns: { chatId: 'chat_id' },
  },
  contactFavourite: {
    table: 'contact_favourites',
    columns: { user_id: (r) => r.userId, contact_id: (r) => r.contactId },
    listColumns: { userId: 'user_id' },
  },
  cannedResponse: { table: 'canned_responses', columns: { inbox_id: (r) => r.inboxId }, listColumns: { inboxId: 'inbox_id' } },
  notice: { table: 'notices', columns: { user_id: (r) => r.userId }, listColumns: { userId: 'user_id' } },
  chatUserState: { table: 'chat_user_states', columns: { user_id: (r) => r.userId }, listColumns: { userId: 'user_id' } },
  survey: {
    table: 'surveys',
    columns: {
      conversation_id: (r) => r.conversationId,
      inbox_id: (r) => r.inboxId,
      sent_by: (r) => r.sentBy,
      sent_at: (r) => r.sentAt,
      rating: (r) => r.answer?.rating ?? null,
    },
    listColumns: { inboxId: 'inbox_id' },
  },
  org: {
    table: 'orgs',
    columns: { name: (r) => r.name, edition: (r) => r.edition, softphone_url_template: (r) => r.softphoneUrlTemplate },
    listColumns: { id: 'id' },
    fields: { id: 'id', name: 'name', edition: 'edition', softphoneUrlTemplate: 'softphone_url_template' },
  },
  queueAgent: {
    table: 'queue_agents',
    columns: {
      inbox_id: (r) => r.inboxId,
      user_id: (r) => r.userId,
      logged_in: (r) => (r.loggedIn ? 1 : 0),
      connected: (r) => (r.connected ? 1 : 0),
      capacity: (r) => r.capacity,
      last_routed_at: (r) => r.lastRoutedAt,
    },
    listColumns: { inboxId: 'inbox_id' },
  },
};

/**
 * What server search matches a contact on (history-storage.ts searchContacts): name, email, company and phones,
 * one per line (a search needle never holds a newline, so a match never spans two of them).
 */
export function contactSearchText(c: EntityOf<'contact'>): string {
  return [c.name, c.email ?? '', c.company ?? '', ...c.phones].join('\n');
}

/** The SELECT expression giving a record's JSON: its `data` column, or one built from its fields. */
export function dataSql(t: Pick<EntityTable<EntityKind>, 'fields'>, buildObject: 'json_object' | 'jsonb_build_object'): string {
  if (!t.fields) return 'data';
  return `${buildObject}(${Object.entries(t.fields).map(([field, column]) => `'${field}', ${column}`).join(', ')}) AS data`;
}
