import type Database from 'better-sqlite3-multiple-ciphers';
import type { EntityKind, EntityRecord } from '../../../protocol/domain.ts';
import type { CacheDb } from './cache-file.ts';
import type { ChangeCollector } from './changed-views.ts';
import { UNREAD_SQL } from './unread-rule.ts';
import { deleteUnseen } from './scope-reset.ts';
import { contactCenterStatements, orgRow, queueAgentRow, ROUTING_COLUMNS, routingParams } from './contact-center-rows.ts';

const TABLE: Record<EntityKind, string> = {
  user: 'users',
  inbox: 'inboxes',
  inboxMember: 'inbox_members',
  channel: 'channels',
  contact: 'contacts',
  conversation: 'conversations',
  message: 'messages',
  conversationUserState: 'conversation_user_state',
  chat: 'chats',
  chatMessage: 'chat_messages',
  contactFavourite: 'contact_favourites',
  cannedResponse: 'canned_responses',
  notice: 'notices',
  chatUserState: 'chat_user_state',
  survey: 'surveys',
  org: 'orgs',
  queueAgent: 'queue_agents',
};
/** previous_conversations: SPEC (11) conversations (read-only), kept apart from the conversation lists. */
const SCOPED_TABLES = [...Object.values(TABLE), 'previous_conversations'];

const b = (v: boolean): number => (v ? 1 : 0);
/** Kinds history is fetched for over HTTP (main/core/history/history-writer.ts). */
const TOMBSTONED: ReadonlySet<EntityKind> = new Set(['message', 'chatMessage', 'conversation', 'contact', 'survey']);

/**
 * Writes server records into the cache tables, keeping the denormalised list
 * columns (read state, unread, with-me, tags) right. Call inside a transaction.
 */
export class EntityWriter {
  private readonly s: Record<string, Database.Statement>;
  private readonly me: string;
  /**
   * Per frame: newest inbound time per conversation, and conversations whose
   * unread flag may flip. Settled once at the end of the frame, so a catch-up
   * of many messages costs one row update per conversation, not one per message.
   */
  private readonly inbound = new Map<string, number>();
  private readonly unreadDirty = new Set<string>();

  constructor(private readonly cache: CacheDb) {
    const db = cache.db;
    this.me = cache.userId;
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.s = {
      user: p(`INSERT OR REPLACE INTO users (id, scope, org_id, name, email, role, status, avatar_color)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      inbox: p(`INSERT OR REPLACE INTO inboxes (id, scope, org_id, name, kind, assignment_mode, queue_settings) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      inboxMember: p(`INSERT OR REPLACE INTO inbox_members (id, scope, inbox_id, user_id) VALUES (?, ?, ?, ?)`),
      channel: p(`INSERT OR REPLACE INTO channels (id, scope, inbox_id, kind, name, address, registration, whatsapp_templates) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      // An upsert, not a REPLACE: the row keeps its rowid, so the contacts_fts triggers stay in step.
      contact: p(`INSERT INTO contacts (id, scope, org_id, owner_id, name, phones, email, company, notes, sms_opt_out)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, org_id = excluded.org_id, owner_id = excluded.owner_id,
                    name = excluded.name, phones = excluded.phones, email = excluded.email, company = excluded.company,
                    notes = excluded.notes, sms_opt_out = excluded.sms_opt_out`),
      contactFavourite: p('INSERT OR REPLACE INTO contact_favourites (id, scope, contact_id, user_id) VALUES (?, ?, ?, ?)'),
      // Open conversations titled by a contact follow its edits; bounded so a directory snapshot stays small.
      contactConversations: p('SELECT id FROM conversations WHERE contact_id = ? LIMIT 20').pluck(),
      cannedResponse: p('INSERT OR REPLACE INTO canned_responses (id, scope, inbox_id, title, key_phrase, body) VALUES (?, ?, ?, ?, ?, ?)'),
      notice: p(`INSERT OR REPLACE INTO notices (id, scope, user_id, kind, conversation_id, actor_id, created_at, reason, inbox_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      ...contactCenterStatements(db),
      conversation: p(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status, assignee_id,
                         tags, created_at, closed_at, last_message_at, preview, participant_ids, with_me, ${ROUTING_COLUMNS.join(', ')},
                         read_at, archived, last_inbound_at)
                       VALUES (@id, @scope, @inboxId, @channelId, @contactId, @customerAddress, @status, @assigneeId, @tags, @createdAt,
                         @closedAt, @lastMessageAt, @preview, @participantIds, @withMe, ${ROUTING_COLUMNS.map((c) => `@${c}`).join(', ')},
                         (SELECT read_at FROM conversation_user_state WHERE conversation_id = @id AND user_id = @me),
                         coalesce((SELECT archived FROM conversation_user_state WHERE conversation_id = @id AND user_id = @me), 0),
                         (SELECT max(created_at) FROM messages WHERE conversation_id = @id AND direction = 'in'))
                       ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, inbox_id = excluded.inbox_id,
                         channel_id = excluded.channel_id, contact_id = excluded.contact_id,
                         customer_address = excluded.customer_address, status = excluded.status,
                         assignee_id = excluded.assignee_id, tags = excluded.tags, created_at = excluded.created_at,
                         closed_at = excluded.closed_at, last_message_at = excluded.last_message_at, preview = excluded.preview,
                         participant_ids = excluded.participant_ids, with_me = excluded.with_me,
                         ${ROUTING_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`),
      previousConversation: p(`INSERT OR REPLACE INTO previous_conversations (id, scope, inbox_id, channel_id, contact_id, customer_address,
                                 created_at, last_message_at, preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      previousDelete: p('DELETE FROM previous_conversations WHERE id = ?'),
      chatUserState: p('INSERT OR REPLACE INTO chat_user_state (id, scope, chat_id, user_id, read_at) VALUES (?, ?, ?, ?, ?)'),
      survey: p(`INSERT OR REPLACE INTO surveys (id, scope, conversation_id, message_id, sent_by, sent_at, expires_at, rating, comment, answered_at, via)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      tagsClear: p('DELETE FROM conversation_tags WHERE conversation_id = ?'),
      tombstone: p('INSERT INTO history_tombstones (id) VALUES (?)'),
      tagAdd: p('INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) VALUES (?, ?)'),
      message: p(`INSERT INTO messages (id, scope, conversation_id, direction, author_type, author_id, body, attachments, status,
                    status_reason, provider_id, created_at, local)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                  ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, conversation_id = excluded.conversation_id,
                    direction = excluded.direction, author_type = excluded.author_type, author_id = excluded.author_id,
                    body = excluded.body, attachments = excluded.attachments, status = excluded.status,
                    status_reason = excluded.status_reason, provider_id = excluded.provider_id,
                    created_at = excluded.created_at, local = 0`),
      inboundSeen: p(`UPDATE conversations SET last_inbound_at = @at
                      WHERE id = @id AND (last_inbound_at IS NULL OR last_inbound_at < @at)`),
      fixUnread: p(`UPDATE conversations SET unread = ${UNREAD_SQL} WHERE id = ? AND unread IS NOT ${UNREAD_SQL}`),
      myReadAt: p('UPDATE conversations SET read_at = ? WHERE id = ? AND read_at IS NOT ?'),
      myArchived: p('UPDATE conversations SET archived = ? WHERE id = ? AND archived IS NOT ?'),
      inboundRecompute: p(`UPDATE conversations SET last_inbound_at =
                             (SELECT max(created_at) FROM messages WHERE conversation_id = @id AND direction = 'in') WHERE id = @id`),
      messageConv: p('SELECT conversation_id FROM messages WHERE id = ?'),
      userState: p(`INSERT OR REPLACE INTO conversation_user_state (id, scope, conversation_id, user_id, read_at, archived)
                    VALUES (?, ?, ?, ?, ?, ?)`),
      userStateRow: p('SELECT conversation_id, user_id FROM conversation_user_state WHERE id = ?'),
      chat: p(`INSERT OR REPLACE INTO chats (id, scope, kind, name, member_ids, last_message_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      chatMessage: p(`INSERT OR REPLACE INTO chat_messages (id, scope, chat_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
      convMessagesDelete: p('DELETE FROM messages WHERE conversation_id = ?'),
      convBaseDelete: p('DELETE FROM conversation_base WHERE conversation_id = ?'),
      scopeTagsDelete: p('DELETE FROM conversation_tags WHERE conversation_id IN (SELECT id FROM conversations WHERE scope = ?)'),
      scopeBaseDelete: p('DELETE FROM conversation_base WHERE conversation_id IN (SELECT id FROM conversations WHERE scope = ?)'),
      scopeStatesReset: p(`UPDATE conversations SET read_at = NULL, archived = 0, unread = (last_inbound_at IS NOT NULL)
                           WHERE id IN (SELECT conversation_id FROM conversation_user_state WHERE scope = ? AND user_id = ?)`),
      ...Object.fromEntries(SCOPED_TABLES.map((t) => [`del:${t}`, p(`DELETE FROM ${t} WHERE id = ?`)])),
      ...Object.fromEntries(SCOPED_TABLES.map((t) => [`scope:${t}`, p(`DELETE FROM ${t} WHERE scope = ?`)])),
    };
  }

  /** Settles what the frame deferred; call once after its last entry, inside the transaction. */
  endFrame(): void {
    for (const [id, at] of this.inbound) {
      this.run('inboundSeen', { at, id });
      this.unreadDirty.add(id);
    }
    // A first sync settles every unread flag once at its end (FtsIndexing.resume).
    if (!this.cache.fts.deferred) for (const id of this.unreadDirty) this.run('fixUnread', id);
    this.inbound.clear();
    this.unreadDirty.clear();
  }

  /** Drops deferred work of a frame that failed (its transaction rolled back). */
  abortFrame(): void {
    this.inbound.clear();
    this.unreadDirty.clear();
  }

  /**
   * The server says a conversation's newest inbound message is at `at` (history/unread-check.ts: its messages are
   * not all cached). Settled with the frame like a cached inbound message; never moves the time back.
   */
  inboundFromServer(conversationId: string, at: number, changed: ChangeCollector): void {
    const seen = this.inbound.get(conversationId);
    if (seen === undefined || at > seen) this.inbound.set(conversationId, at);
    changed.all();
    changed.conversation(conversationId);
  }

  private myState(conversationId: string, readAt: number | null, archived: number): void {
    this.run('myReadAt', readAt, conversationId, readAt);
    this.run('myArchived', archived, conversationId, archived);
    this.unreadDirty.add(conversationId);
  }

  private run(name: string, ...args: unknown[]): Database.RunResult {
    return (this.s[name] as Database.Statement).run(...args);
  }

  put(scope: string, rec: EntityRecord, changed: ChangeCollector): void {
    switch (rec.entity) {
      case 'user': {
        const r = rec.record;
        this.run('user', r.id, scope, r.orgId, r.name, r.email, r.role, r.status, r.avatarColor);
        changed.all();
        return;
      }
      case 'inbox': {
        const r = rec.record;
        this.run('inbox', r.id, scope, r.orgId, r.name, r.kind, b(r.assignmentMode), r.queue ? JSON.stringify(r.queue) : null);
        changed.all();
        return;
      }
      case 'inboxMember': {
        const r = rec.record;
        this.run('inboxMember', r.id, scope, r.inboxId, r.userId);
        changed.sidebar = true;
        return;
      }
      case 'channel': {
        const r = rec.record;
        this.run('channel', r.id, scope, r.inboxId, r.kind, r.name, r.address, r.registration, r.whatsappTemplates ? JSON.stringify(r.whatsappTemplates) : null);
        changed.all();
        return;
      }
      case 'contact': {
        const r = rec.record;
        this.run('contact', r.id, scope, r.orgId, r.ownerId, r.name, JSON.stringify(r.phones), r.email, r.company, r.notes, b(r.smsOptOut));
        changed.conversationList = true;
        // Favourites (4) live in the sidebar; the open contact panel follows sidebar changes too.
        changed.sidebar = true;
        for (const id of (this.s.contactConversations as Database.Statement<[string], string>).all(r.id)) changed.conversation(id);
        return;
      }
      case 'cannedResponse': {
        const r = rec.record;
        this.run('cannedResponse', r.id, scope, r.inboxId, r.title, r.keyPhrase, r.body);
        changed.sidebar = true;
        return;
      }
      case 'notice': {
        const r = rec.record;
        this.run('notice', r.id, scope, r.userId, r.kind, r.conversationId, r.actorId, r.createdAt, r.reason ?? null, r.inboxId ?? null);
        changed.sidebar = true;
        return;
      }
      case 'contactFavourite': {
        const r = rec.record;
        this.run('contactFavourite', r.id, scope, r.contactId, r.userId);
        changed.sidebar = true;
        return;
      }
      case 'conversation': {
        const r = rec.record;
        if (r.previousOfChannelId) {
          // SPEC (11): a read-only record of a moved private number; its messages stay in `messages`.
          if (this.run('del:conversations', r.id).changes > 0) this.run('tagsClear', r.id);
          this.run('previousConversation', r.id, scope, r.inboxId, r.channelId, r.contactId, r.customerAddress, r.createdAt, r.lastMessageAt, r.lastMessagePreview);
          changed.all();
          changed.conversation(r.id);
          return;
        }
        this.run('previousDelete', r.id);
        this.run('conversation', {
          id: r.id,
          scope,
          inboxId: r.inboxId,
          channelId: r.channelId,
          contactId: r.contactId,
          customerAddress: r.customerAddress,
          status: r.status,
          assigneeId: r.assigneeId,
          tags: JSON.stringify(r.tags),
          createdAt: r.createdAt,
          closedAt: r.closedAt,
          lastMessageAt: r.lastMessageAt,
          preview: r.lastMessagePreview,
          participantIds: JSON.stringify(r.participantIds),
          withMe: b(r.participantIds.includes(this.me)),
          ...routingParams(r),
          me: this.me,
        });
        this.run('tagsClear', r.id);
        for (const tag of r.tags) this.run('tagAdd', r.id, tag);
        // A new row starts with unread 0; its messages and read state may already be here.
        this.unreadDirty.add(r.id);
        changed.all();
        changed.conversation(r.id);
        return;
      }
      case 'message': {
        const r = rec.record;
        this.run('message', r.id, scope, r.conversationId, r.direction, r.authorType, r.authorId, r.body,
          JSON.stringify(r.attachments), r.status, r.statusReason, r.providerId, r.createdAt);
        if (r.direction === 'in') {
          const seen = this.inbound.get(r.conversationId);
          if (seen === undefined || r.createdAt > seen) this.inbound.set(r.conversationId, r.createdAt);
          changed.sidebar = true;
        }
        changed.conversationList = true;
        changed.conversation(r.conversationId);
        return;
      }
      case 'conversationUserState': {
        const r = rec.record;
        this.run('userState', r.id, scope, r.conversationId, r.userId, r.readAt, b(r.archived));
        if (r.userId === this.me) {
          this.myState(r.conversationId, r.readAt, b(r.archived));
          changed.all();
          changed.conversation(r.conversationId);
        }
        return;
      }
      case 'chat': {
        const r = rec.record;
        this.run('chat', r.id, scope, r.kind, r.name, JSON.stringify(r.memberIds), r.lastMessageAt, r.createdBy ?? null);
        changed.sidebar = true;
        return;
      }
      case 'chatMessage': {
        const r = rec.record;
        this.run('chatMessage', r.id, scope, r.chatId, r.authorId, r.body, r.createdAt);
        changed.sidebar = true;
        return;
      }
      case 'chatUserState': {
        const r = rec.record;
        this.run('chatUserState', r.id, scope, r.chatId, r.userId, r.readAt);
        changed.sidebar = true;
        return;
      }
      case 'org': {
        this.run('org', ...orgRow(scope, rec.record));
        changed.all();
        return;
      }
      case 'queueAgent': {
        this.run('queueAgent', ...queueAgentRow(scope, rec.record));
        changed.sidebar = true;
        return;
      }
      case 'survey': {
        const r = rec.record;
        const a = r.answer;
        this.run('survey', r.id, scope, r.conversationId, r.messageId, r.sentBy, r.sentAt, r.expiresAt, a?.rating ?? null, a?.comment ?? null, a?.answeredAt ?? null, a?.via ?? null);
        // The conversation's timeline shows it; its contact's panel follows sidebar changes.
        changed.conversation(r.conversationId);
        changed.sidebar = true;
        return;
      }
    }
  }

  delete(entity: EntityKind, id: string, changed: ChangeCollector): void {
    const table = TABLE[entity];
    // Issue 13: a history fetch in flight may hold a copy of this record, cached or not (history-writer.ts).
    if (TOMBSTONED.has(entity)) this.run('tombstone', id);
    if (entity === 'message') {
      const conv = (this.s.messageConv as Database.Statement<[string], { conversation_id: string }>).get(id);
      this.run(`del:${table}`, id);
      if (conv) {
        this.run('inboundRecompute', { id: conv.conversation_id });
        this.unreadDirty.add(conv.conversation_id);
        changed.conversation(conv.conversation_id);
      }
      changed.all();
      return;
    }
    if (entity === 'conversationUserState') {
      const row = (this.s.userStateRow as Database.Statement<[string], { conversation_id: string; user_id: string }>).get(id);
      this.run(`del:${table}`, id);
      if (row && row.user_id === this.me) {
        this.myState(row.conversation_id, null, 0);
        changed.conversation(row.conversation_id);
      }
      changed.all();
      return;
    }
    if (entity === 'conversation') {
      this.run('previousDelete', id);
      this.run('tagsClear', id);
      this.run('convMessagesDelete', id);
      this.run('convBaseDelete', id);
      changed.conversation(id);
    }
    this.run(`del:${table}`, id);
    changed.all();
  }

  /**
   * Drops the rows the cache holds of `scope`: all of them when the scope is lost; with `keepSeen`, when a fresh
   * snapshot of it is whole, those it did not bring (cache/scope-reset.ts deleteUnseen).
   */
  deleteScope(scope: string, changed: ChangeCollector, options: { keepSeen?: boolean } = {}): void {
    if (options.keepSeen) {
      deleteUnseen(this.cache.db, SCOPED_TABLES, scope, changed);
      return;
    }
    const convIds = this.cache.db.prepare('SELECT id FROM conversations WHERE scope = ?').pluck().all(scope) as string[];
    for (const id of convIds) changed.conversation(id);
    this.run('scopeTagsDelete', scope);
    this.run('scopeBaseDelete', scope);
    this.run('scopeStatesReset', scope, this.me);
    for (const t of SCOPED_TABLES) this.run(`scope:${t}`, scope);
    changed.all();
  }
}
