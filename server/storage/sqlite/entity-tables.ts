import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import { sortKey } from '../../../protocol/conversation-views.ts';
import { lastActivityAt } from '../../../protocol/history.ts';
import type { ListBy } from '../storage.ts';

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
    columns: { org_id: (r) => r.orgId, owner_id: (r) => r.ownerId },
    listColumns: { orgId: 'org_id', ownerId: 'owner_id' },
  },
  conversation: {
    table: 'conversations',
    columns: {
      inbox_id: (r) => r.inboxId,
      channel_id: (r) => r.channelId,
      customer_address: (r) => r.customerAddress,
      created_at: (r) => r.createdAt,
      // issue 13: what the window and the history lists read (migration 15)
      status: (r) => r.status,
      contact_id: (r) => r.contactId,
      last_activity_at: (r) => lastActivityAt(r),
      conv_key: (r) => sortKey('recentConversations', r),
      rmk: (r) => sortKey('recentMessages', r),
      lmk: (r) => sortKey('oldestMessages', r) ?? -1,
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
    columns: { conversation_id: (r) => r.conversationId, user_id: (r) => r.userId },
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
};
