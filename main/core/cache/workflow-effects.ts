import type Database from 'better-sqlite3-multiple-ciphers';
import type { Mutation } from '../../../protocol/mutations.ts';
import { recordId, scope } from '../../../protocol/scope.ts';
import type { CacheDb } from './cache-file.ts';
import type { ChangeCollector } from './changed-views.ts';
import { UNREAD_SQL } from './unread-rule.ts';

export const WORKFLOW_MUTATIONS = [
  'conversation.create',
  'conversation.setArchived',
  'conversation.markUnread',
  'conversation.addTag',
  'conversation.removeTag',
  'cannedResponse.save',
  'cannedResponse.delete',
  'inbox.create',
  'inbox.update',
] as const;
export type WorkflowMutation = Extract<Mutation, { name: (typeof WORKFLOW_MUTATIONS)[number] }>;

export function isWorkflowMutation(m: Mutation): m is WorkflowMutation {
  return (WORKFLOW_MUTATIONS as readonly string[]).includes(m.name);
}

const CANNED_COLUMNS = 'scope, inbox_id, title, key_phrase, body';
const INBOX_COLUMNS = 'scope, org_id, name, kind, assignment_mode';

/**
 * Optimistic effects of the conversation workflow and the manager screens, on
 * the rebase scheme of optimistic.ts: before its first effect a row's server
 * truth is copied to a *_base table (or noted as absent); `rewind` restores
 * those rows before a server frame, the outbox replays the effects after it,
 * and `settle` forgets copies no pending entry needs. Archive and mark-unread
 * change columns conversation_base already covers.
 */
export class WorkflowEffects {
  private readonly st: Record<string, Database.Statement>;

  constructor(private readonly cache: CacheDb) {
    const p = (sql: string): Database.Statement => cache.db.prepare(sql);
    this.st = {
      captureConversation: p(`INSERT OR IGNORE INTO created_conversation_base (conversation_id, present)
                              SELECT @id, EXISTS (SELECT 1 FROM conversations WHERE id = @id)`),
      createConversation: p(`INSERT OR IGNORE INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status,
                               assignee_id, tags, created_at, closed_at, last_message_at, preview, participant_ids, with_me, read_at, archived)
                             SELECT @id, @scope, ch.inbox_id, ch.id, @contactId, @address, 'open',
                               CASE WHEN i.assignment_mode = 1 THEN @me END, '[]', @at, NULL, NULL, '', '[]', 0, @at, 0
                             FROM channels ch LEFT JOIN inboxes i ON i.id = ch.inbox_id WHERE ch.id = @channelId`),
      sendMessage: p(`INSERT OR IGNORE INTO messages (id, scope, conversation_id, direction, author_type, author_id, body,
                        attachments, status, status_reason, provider_id, created_at, local)
                      SELECT @messageId, scope, id, 'out', 'user', @me, @body, '[]', 'queued', NULL, NULL, @at, 1
                      FROM conversations WHERE id = @conversationId`),
      sendConversation: p(`UPDATE conversations SET preview = @body, last_message_at = max(coalesce(last_message_at, 0), @at), with_me = 1,
                             participant_ids = CASE WHEN EXISTS (SELECT 1 FROM json_each(participant_ids) WHERE value = @me)
                               THEN participant_ids ELSE json_insert(participant_ids, '$[#]', @me) END
                           WHERE id = @conversationId`),
      archive: p('UPDATE conversations SET archived = ? WHERE id = ?'),
      unread: p('UPDATE conversations SET read_at = NULL WHERE id = ?'),
      fixUnread: p(`UPDATE conversations SET unread = ${UNREAD_SQL} WHERE id = ? AND unread IS NOT ${UNREAD_SQL}`),

      captureTags: p('INSERT OR IGNORE INTO conversation_tag_base (conversation_id, tags) SELECT id, tags FROM conversations WHERE id = ?'),
      addTag: p(`UPDATE conversations SET tags = json_insert(tags, '$[#]', @tag)
                 WHERE id = @id AND NOT EXISTS (SELECT 1 FROM json_each(tags) WHERE value = @tag)`),
      removeTag: p(`UPDATE conversations SET tags = (SELECT json_group_array(value) FROM json_each(tags) WHERE value <> @tag)
                    WHERE id = @id`),
      tagsClear: p('DELETE FROM conversation_tags WHERE conversation_id = ?'),
      tagsFill: p('INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) SELECT c.id, j.value FROM conversations c, json_each(c.tags) j WHERE c.id = ?'),

      captureCanned: p(`INSERT OR IGNORE INTO canned_response_base (id, present, ${CANNED_COLUMNS})
                        SELECT id, 1, ${CANNED_COLUMNS} FROM canned_responses WHERE id = ?`),
      captureAbsentCanned: p('INSERT OR IGNORE INTO canned_response_base (id, present) VALUES (?, 0)'),
      saveCanned: p(`INSERT OR REPLACE INTO canned_responses (id, scope, inbox_id, title, key_phrase, body)
                     VALUES (@id, @scope, @inboxId, @title, @keyPhrase, @body)`),
      deleteCanned: p('DELETE FROM canned_responses WHERE id = ?'),

      captureInbox: p(`INSERT OR IGNORE INTO inbox_base (id, present, ${INBOX_COLUMNS}) SELECT id, 1, ${INBOX_COLUMNS} FROM inboxes WHERE id = ?`),
      captureAbsentInbox: p('INSERT OR IGNORE INTO inbox_base (id, present) VALUES (?, 0)'),
      createInbox: p(`INSERT OR IGNORE INTO inboxes (id, scope, org_id, name, kind, assignment_mode)
                      VALUES (@id, @scope, @orgId, @name, 'shared', @mode)`),
      joinInbox: p(`INSERT OR IGNORE INTO inbox_members (id, scope, inbox_id, user_id) VALUES (@memberId, @scope, @id, @me)`),
      channelInbox: p('SELECT inbox_id FROM channels WHERE id = ?').pluck(),
      updateInbox: p('UPDATE inboxes SET name = @name, assignment_mode = @mode WHERE id = @id'),

      // rewind
      createdConversations: p('SELECT conversation_id FROM created_conversation_base WHERE present = 0').pluck(),
      rewindCreatedMessages: p(`DELETE FROM messages WHERE local = 1 AND conversation_id IN
                                  (SELECT conversation_id FROM created_conversation_base WHERE present = 0)`),
      rewindCreatedConversations: p(`DELETE FROM conversations WHERE id IN (SELECT conversation_id FROM created_conversation_base WHERE present = 0)`),
      clearConversationBase: p('DELETE FROM created_conversation_base'),
      tagBaseIds: p('SELECT conversation_id FROM conversation_tag_base').pluck(),
      rewindTags: p(`UPDATE conversations SET tags = (SELECT tags FROM conversation_tag_base b WHERE b.conversation_id = conversations.id)
                     WHERE id IN (SELECT conversation_id FROM conversation_tag_base)`),
      clearTagBase: p('DELETE FROM conversation_tag_base'),
      rewindCreatedCanned: p('DELETE FROM canned_responses WHERE id IN (SELECT id FROM canned_response_base WHERE present = 0)'),
      rewindCanned: p(`INSERT OR REPLACE INTO canned_responses (id, ${CANNED_COLUMNS})
                       SELECT id, ${CANNED_COLUMNS} FROM canned_response_base WHERE present = 1`),
      clearCannedBase: p('DELETE FROM canned_response_base'),
      rewindCreatedInboxMembers: p(`DELETE FROM inbox_members WHERE inbox_id IN (SELECT id FROM inbox_base WHERE present = 0)`),
      rewindCreatedInboxes: p('DELETE FROM inboxes WHERE id IN (SELECT id FROM inbox_base WHERE present = 0)'),
      rewindInboxes: p(`UPDATE inboxes SET (${INBOX_COLUMNS}) = (SELECT ${INBOX_COLUMNS} FROM inbox_base b WHERE b.id = inboxes.id)
                        WHERE id IN (SELECT id FROM inbox_base WHERE present = 1)`),
      clearInboxBase: p('DELETE FROM inbox_base'),

      // settle: the server answered. A conversation created locally that the server did not create under its id
      // (it reused the open conversation with that number) has no server messages: it goes.
      dropOrphanConversations: p(`DELETE FROM conversations WHERE id IN (
                                    SELECT conversation_id FROM created_conversation_base WHERE present = 0 AND conversation_id NOT IN (
                                      SELECT conversation_id FROM outbox WHERE name = 'conversation.create' AND conversation_id IS NOT NULL))
                                  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)`),
      settleConversations: p(`DELETE FROM created_conversation_base WHERE conversation_id NOT IN (
                                SELECT conversation_id FROM outbox WHERE name = 'conversation.create' AND conversation_id IS NOT NULL)`),
      settleTags: p(`DELETE FROM conversation_tag_base WHERE conversation_id NOT IN (
                       SELECT conversation_id FROM outbox WHERE name IN ('conversation.addTag', 'conversation.removeTag') AND conversation_id IS NOT NULL)`),
      settleCanned: p(`DELETE FROM canned_response_base WHERE id NOT IN (
                         SELECT coalesce(json_extract(mutation, '$.args.cannedResponse.id'), json_extract(mutation, '$.args.cannedResponseId'))
                         FROM outbox WHERE name LIKE 'cannedResponse.%')`),
      settleInboxes: p(`DELETE FROM inbox_base WHERE id NOT IN (
                          SELECT json_extract(mutation, '$.args.inboxId') FROM outbox WHERE name IN ('inbox.create', 'inbox.update'))`),
    };
  }

  private run(name: string, ...args: unknown[]): Database.RunResult {
    return (this.st[name] as Database.Statement).run(...args);
  }

  private ids(name: string): string[] {
    return (this.st[name] as Database.Statement<[], string>).all();
  }

  private orgId(): string {
    const user = this.cache.getMeta('user');
    return user ? (JSON.parse(user) as { orgId: string }).orgId : '';
  }

  private syncTags(conversationId: string): void {
    this.run('tagsClear', conversationId);
    this.run('tagsFill', conversationId);
  }

  apply(m: WorkflowMutation, takenAt: number, changed: ChangeCollector): void {
    const me = this.cache.userId;
    switch (m.name) {
      case 'conversation.create': {
        const a = m.args;
        this.run('captureConversation', { id: a.conversationId });
        const inboxId = this.st.channelInbox?.get(a.channelId) as string | undefined;
        if (inboxId !== undefined) {
          const values = { id: a.conversationId, scope: scope.inbox(inboxId), contactId: a.contactId, address: a.customerAddress, me, at: takenAt, channelId: a.channelId };
          this.run('createConversation', values);
        }
        this.run('sendMessage', { messageId: a.messageId, me, body: a.body, at: takenAt, conversationId: a.conversationId });
        this.run('sendConversation', { body: a.body, me, at: takenAt, conversationId: a.conversationId });
        changed.conversation(a.conversationId);
        break;
      }
      case 'conversation.setArchived':
        this.run('archive', m.args.archived ? 1 : 0, m.args.conversationId);
        changed.conversation(m.args.conversationId);
        break;
      case 'conversation.markUnread':
        this.run('unread', m.args.conversationId);
        this.run('fixUnread', m.args.conversationId);
        changed.conversation(m.args.conversationId);
        break;
      case 'conversation.addTag':
      case 'conversation.removeTag': {
        const id = m.args.conversationId;
        this.run('captureTags', id);
        this.run(m.name === 'conversation.addTag' ? 'addTag' : 'removeTag', { id, tag: m.args.tag.toLowerCase() });
        this.syncTags(id);
        changed.conversation(id);
        break;
      }
      case 'cannedResponse.save': {
        const c = m.args.cannedResponse;
        this.run('captureCanned', c.id);
        this.run('captureAbsentCanned', c.id);
        this.run('saveCanned', { ...c, scope: scope.inbox(c.inboxId) });
        break;
      }
      case 'cannedResponse.delete':
        this.run('captureCanned', m.args.cannedResponseId);
        this.run('captureAbsentCanned', m.args.cannedResponseId);
        this.run('deleteCanned', m.args.cannedResponseId);
        break;
      case 'inbox.create':
      case 'inbox.update': {
        const values = { id: m.args.inboxId, name: m.args.name, mode: m.args.assignmentMode ? 1 : 0 };
        this.run('captureInbox', values.id);
        this.run('captureAbsentInbox', values.id);
        if (m.name === 'inbox.create') {
          const inboxScope = scope.inbox(values.id);
          this.run('createInbox', { ...values, scope: inboxScope, orgId: this.orgId() });
          this.run('joinInbox', { id: values.id, me, scope: inboxScope, memberId: recordId.inboxMember(values.id, me) });
        } else {
          this.run('updateInbox', values);
        }
        break;
      }
    }
    changed.all();
  }

  /** Back to server truth for every row a workflow action touched. */
  rewind(): void {
    const tagged = this.ids('tagBaseIds');
    this.run('rewindTags');
    for (const id of tagged) this.syncTags(id);
    this.run('clearTagBase');
    for (const id of this.ids('createdConversations')) this.run('tagsClear', id);
    this.run('rewindCreatedMessages');
    this.run('rewindCreatedConversations');
    this.run('clearConversationBase');
    this.run('rewindCreatedCanned');
    this.run('rewindCanned');
    this.run('clearCannedBase');
    this.run('rewindCreatedInboxMembers');
    this.run('rewindCreatedInboxes');
    this.run('rewindInboxes');
    this.run('clearInboxBase');
  }

  /** After an answer: drop local-only conversations the server did not keep, and truth copies nobody needs. */
  settle(): void {
    this.run('dropOrphanConversations');
    this.run('settleConversations');
    this.run('settleTags');
    this.run('settleCanned');
    this.run('settleInboxes');
  }
}
