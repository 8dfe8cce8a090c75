import type Database from 'better-sqlite3-multiple-ciphers';
import { attachmentSummary } from '../../../protocol/attachments.ts';
import { Mutation } from '../../../protocol/mutations.ts';
import { fillTemplate } from '../../../protocol/whatsapp-templates.ts';
import { conversationTemplate } from '../queries/whatsapp-template.ts';
import type { CacheDb } from './cache-file.ts';
import { UNREAD_SQL } from './unread-rule.ts';
import type { ChangeCollector } from './changed-views.ts';
import { ContactEffects } from './contact-effects.ts';
import { WorkflowEffects } from './workflow-effects.ts';

export interface OutboxRow {
  mutation_id: number;
  name: string;
  conversation_id: string | null;
  message_id: string | null;
  mutation: string;
  taken_at: number;
  state: 'pending' | 'failed';
  error_code: string | null;
  error_message: string | null;
}

const BASE_COLUMNS = 'status, assignee_id, closed_at, last_message_at, preview, participant_ids, with_me, read_at, archived, unread';

/**
 * The optimistic layer (Replicache-style): server truth lives in the rows and,
 * for conversations with outbox entries, a copy in conversation_base. Before a
 * server frame is applied the rows are rewound to that truth; afterwards the
 * effects of every outbox entry (pending or failed) are replayed in order.
 */
export class OptimisticLayer {
  private readonly st: Record<string, Database.Statement>;
  private readonly contacts: ContactEffects;
  private readonly workflow: WorkflowEffects;

  constructor(private readonly cache: CacheDb) {
    this.contacts = new ContactEffects(cache);
    this.workflow = new WorkflowEffects(cache);
    const p = (sql: string): Database.Statement => cache.db.prepare(sql);
    this.st = {
      count: p('SELECT count(*) FROM outbox').pluck(),
      rewind: p(`UPDATE conversations SET (${BASE_COLUMNS}) =
                   (SELECT ${BASE_COLUMNS} FROM conversation_base b WHERE b.conversation_id = conversations.id)
                 WHERE id IN (SELECT conversation_id FROM conversation_base)`),
      // Inbound messages may have moved last_inbound_at since the capture.
      fixUnreadBase: p(`UPDATE conversations SET unread = ${UNREAD_SQL}
                        WHERE id IN (SELECT conversation_id FROM conversation_base) AND unread IS NOT ${UNREAD_SQL}`),
      clearBase: p('DELETE FROM conversation_base'),
      captureAll: p(`INSERT OR REPLACE INTO conversation_base (conversation_id, ${BASE_COLUMNS})
                     SELECT id, ${BASE_COLUMNS} FROM conversations
                     WHERE id IN (SELECT conversation_id FROM outbox WHERE conversation_id IS NOT NULL)`),
      captureOne: p(`INSERT OR IGNORE INTO conversation_base (conversation_id, ${BASE_COLUMNS})
                     SELECT id, ${BASE_COLUMNS} FROM conversations WHERE id = ?`),
      rows: p('SELECT * FROM outbox ORDER BY mutation_id'),
      sendMessage: p(`INSERT OR IGNORE INTO messages (id, scope, conversation_id, direction, author_type, author_id, body,
                        attachments, status, status_reason, provider_id, created_at, local)
                      SELECT @messageId, scope, id, 'out', 'user', @me, @body, @attachments, 'queued', NULL, NULL, @at, 1
                      FROM conversations WHERE id = @conversationId`),
      sendConversation: p(`UPDATE conversations SET
                             preview = CASE WHEN @at >= coalesce(last_message_at, 0) THEN @body ELSE preview END,
                             last_message_at = max(coalesce(last_message_at, 0), @at),
                             with_me = 1,
                             participant_ids = CASE WHEN EXISTS (SELECT 1 FROM json_each(participant_ids) WHERE value = @me)
                               THEN participant_ids ELSE json_insert(participant_ids, '$[#]', @me) END
                           WHERE id = @conversationId`),
      // A retried reply shows as queued again at once; server frames rewrite the row and the replay redoes this.
      retryMessage: p("UPDATE messages SET status = 'queued', status_reason = NULL WHERE id = ? AND conversation_id = ? AND status = 'failed'"),
      assign: p('UPDATE conversations SET assignee_id = ? WHERE id = ?'),
      setStatus: p('UPDATE conversations SET status = ?, closed_at = ? WHERE id = ?'),
      markRead: p('UPDATE conversations SET read_at = max(coalesce(read_at, 0), ?) WHERE id = ?'),
      fixUnread: p(`UPDATE conversations SET unread = ${UNREAD_SQL} WHERE id = ? AND unread IS NOT ${UNREAD_SQL}`),
    };
  }

  hasEntries(): boolean {
    return (this.st.count as Database.Statement<[], number>).get() !== 0;
  }

  /** Back to server truth for every conversation an outbox entry touched. */
  rewind(): void {
    this.st.rewind?.run();
    this.st.fixUnreadBase?.run();
    this.st.clearBase?.run();
    this.contacts.rewind();
    this.workflow.rewind();
  }

  /** An entry was acknowledged: drop truth copies nothing pending needs any more. */
  settled(): void {
    this.contacts.settle();
    this.workflow.settle();
  }

  /** Captures server truth, then re-applies every outbox effect in mutation order. */
  replay(changed: ChangeCollector): void {
    this.st.captureAll?.run();
    for (const row of (this.st.rows as Database.Statement<[], OutboxRow>).all()) this.apply(row, changed);
  }

  /** Applies one new entry's effect (capturing truth first if this conversation had none pending). */
  applyNew(row: OutboxRow, changed: ChangeCollector): void {
    if (row.conversation_id) this.st.captureOne?.run(row.conversation_id);
    this.apply(row, changed);
  }

  private apply(row: OutboxRow, changed: ChangeCollector): void {
    const parsed = Mutation.safeParse(JSON.parse(row.mutation));
    if (!parsed.success) return;
    const m = parsed.data;
    const me = this.cache.userId;
    switch (m.name) {
      case 'message.send':
        this.st.sendMessage?.run({
          messageId: m.args.messageId,
          me,
          body: m.args.body,
          attachments: JSON.stringify(m.args.attachments),
          at: row.taken_at,
          conversationId: m.args.conversationId,
        });
        this.st.sendConversation?.run({
          at: row.taken_at,
          body: m.args.body.trim() || attachmentSummary(m.args.attachments),
          me,
          conversationId: m.args.conversationId,
        });
        break;
      case 'message.sendTemplate': {
        const template = conversationTemplate(this.cache.db, m.args.conversationId, m.args.templateId);
        if (!template) break;
        const body = fillTemplate(template.body, m.args.parameters);
        this.st.sendMessage?.run({ messageId: m.args.messageId, me, body, attachments: '[]', at: row.taken_at, conversationId: m.args.conversationId });
        this.st.sendConversation?.run({ at: row.taken_at, body, me, conversationId: m.args.conversationId });
        break;
      }
      case 'survey.send': {
        // The server writes the inbox's text and the link; until then the timeline says what is on its way.
        const body = 'Satisfaction survey';
        this.st.sendMessage?.run({ messageId: m.args.messageId, me, body, attachments: '[]', at: row.taken_at, conversationId: m.args.conversationId });
        this.st.sendConversation?.run({ at: row.taken_at, body, me, conversationId: m.args.conversationId });
        break;
      }
      case 'message.retry':
        this.st.retryMessage?.run(m.args.messageId, m.args.conversationId);
        break;
      case 'conversation.assign':
        this.st.assign?.run(m.args.assigneeId, m.args.conversationId);
        break;
      case 'conversation.setStatus':
        this.st.setStatus?.run(m.args.status, m.args.status === 'closed' ? row.taken_at : null, m.args.conversationId);
        break;
      case 'conversation.markRead':
        this.st.markRead?.run(m.args.readAt, m.args.conversationId);
        this.st.fixUnread?.run(m.args.conversationId);
        break;
      case 'contact.create':
      case 'contact.update':
      case 'contact.setFavourite':
      case 'contact.setOptOut':
      case 'conversation.linkContact':
        this.contacts.apply(m, changed);
        return;
      case 'conversation.create':
      case 'conversation.setArchived':
      case 'conversation.markUnread':
      case 'conversation.addTag':
      case 'conversation.removeTag':
      case 'cannedResponse.save':
      case 'cannedResponse.delete':
      case 'inbox.create':
      case 'inbox.update':
        this.workflow.apply(m, row.taken_at, changed);
        return;
      case 'inbox.setMember':
      case 'chat.send':
      case 'chat.create':
      case 'chat.rename':
      case 'chat.setMembers':
      case 'chat.markRead':
      case 'privateNumber.moveToInbox':
      case 'channel.setRegistration':
      case 'queue.login':
      case 'queue.logout':
      case 'queue.setCapacity':
      case 'queue.settings':
      case 'offer.accept':
      case 'offer.decline':
      case 'org.setSoftphone':
      case 'conversation.noteCall':
        // No local view shows these before the server answers.
        return;
    }
    changed.all();
    changed.conversation(m.args.conversationId);
  }
}
