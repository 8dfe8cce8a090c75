import type { EntityOf } from '../../protocol/domain.ts';
import type {
  ChatMessagesRequest,
  ContactConversationsAnswer,
  ContactConversationsRequest,
  ConversationsAnswer,
  ConversationsRequest,
  FillAnswer,
  FillCursor,
  FillRequest,
  MessagesAnswer,
  MessagesRequest,
  MessagesThroughAnswer,
  MessagesThroughRequest,
  SearchAnswer,
  SearchHit,
  SearchRequest,
  TotalsAnswer,
  TotalsRequest,
  UnreadAnswer,
  UnreadRequest,
} from '../../protocol/history.ts';
import { HISTORY_LIMITS } from '../../protocol/history.ts';
import { isId } from '../../protocol/id.ts';
import { recordId, scope } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import { Answer, contactVisible, notFound, readerOf, rowExtras, visibleConversation, type Reader } from './history-access.ts';
import { listPage, listTotals } from './history-lists.ts';
import { serverUnread } from './server-unread.ts';
import { contactNeedle, searchTerms, snippetOf } from './search-text.ts';

type Read = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

/** Newest first by (createdAt, id). */
const newestFirst = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * History on demand (issue 13, protocol/history.ts): what the windowed first sync left out, read page by page,
 * only ever from the reader's scopes (history-access.ts). Every answer is read in one transaction together with
 * the log head it saw, so the client can tell it from newer live changes.
 */
export class HistoryService {
  constructor(private readonly read: Read) {}

  private answer<T>(userId: string, fn: (tx: StorageTx, reader: Reader, answer: Answer) => Promise<T>): Promise<T & { records: Answer['records']; head: number }> {
    return this.read(async (tx) => {
      const reader = await readerOf(tx, userId);
      const answer = new Answer(reader);
      const rest = await fn(tx, reader, answer);
      return { ...rest, records: answer.records, head: await tx.head() };
    });
  }

  /** A conversation's messages older than `before`, newest first, with the surveys they carry. */
  messages(userId: string, body: MessagesRequest): Promise<MessagesAnswer> {
    return this.answer(userId, async (tx, reader, answer) => {
      const conversation = await visibleConversation(tx, reader, body.conversationId);
      const before = body.before ? { at: body.before.createdAt, id: body.before.id } : null;
      const messages = await tx.messagesBefore(conversation.id, before, body.limit);
      const ids = new Set(messages.map((m) => m.id));
      for (const record of messages) answer.add({ entity: 'message', record }, conversation.inboxId);
      for (const record of await tx.surveysOfConversations([conversation.id])) {
        if (ids.has(record.messageId)) answer.add({ entity: 'survey', record }, conversation.inboxId);
      }
      const last = messages[messages.length - 1];
      return { next: messages.length === body.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    });
  }

  /**
   * A conversation opened at one message (a search hit): every message below the client's oldest down to that
   * one, or — more than HISTORY_LIMITS.messagesReach of them — the page around it (protocol/history.ts).
   */
  messagesThrough(userId: string, body: MessagesThroughRequest): Promise<MessagesThroughAnswer> {
    return this.answer(userId, async (tx, reader, answer) => {
      const conversation = await visibleConversation(tx, reader, body.conversationId);
      const target = isId(body.messageId) ? await tx.get('message', body.messageId) : null;
      if (!target || target.conversationId !== conversation.id) throw notFound('message');
      const at = { at: target.createdAt, id: target.id };
      const before = body.before ? { at: body.before.createdAt, id: body.before.id } : null;
      const reach = HISTORY_LIMITS.messagesReach;
      const run = await tx.messagesFrom(conversation.id, at, before, reach + 1);
      const through = run.length <= reach;
      const half = HISTORY_LIMITS.messagesPage / 2;
      const messages = through ? run.reverse() : [...run.slice(0, half).reverse(), ...(await tx.messagesBefore(conversation.id, at, half))];
      const older = through && (await tx.messagesBefore(conversation.id, at, 1)).length > 0;
      answer.add({ entity: 'conversation', record: conversation });
      const contact = conversation.contactId ? await tx.get('contact', conversation.contactId) : null;
      if (contact && contactVisible(reader, contact)) answer.add({ entity: 'contact', record: contact });
      const ids = new Set(messages.map((m) => m.id));
      for (const record of messages) answer.add({ entity: 'message', record }, conversation.inboxId);
      for (const record of await tx.surveysOfConversations([conversation.id])) {
        if (ids.has(record.messageId)) answer.add({ entity: 'survey', record }, conversation.inboxId);
      }
      return { reach: through ? ('through' as const) : ('around' as const), next: older ? { createdAt: target.createdAt, id: target.id } : null };
    });
  }

  chatMessages(userId: string, body: ChatMessagesRequest): Promise<MessagesAnswer> {
    return this.answer(userId, async (tx, reader, answer) => {
      if (!reader.chatIds.has(body.chatId)) throw notFound('chat');
      const before = body.before ? { at: body.before.createdAt, id: body.before.id } : null;
      const messages = await tx.chatMessagesBefore(body.chatId, before, body.limit);
      for (const record of messages) answer.add({ entity: 'chatMessage', record });
      const last = messages[messages.length - 1];
      return { next: messages.length === body.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    });
  }

  conversations(userId: string, body: ConversationsRequest): Promise<ConversationsAnswer> {
    return this.answer(userId, async (tx, reader, answer) => {
      const page = await listPage(tx, reader, body.query, body.after, body.limit);
      const conversations = page.rows.map((r) => r.conversation);
      const extras = await rowExtras(tx, reader, conversations, new Map(page.rows.map((r) => [r.conversation.id, r.state] as const)));
      for (const c of conversations) answer.addRow(c, extras);
      return { next: page.next };
    });
  }

  contactConversations(userId: string, body: ContactConversationsRequest): Promise<ContactConversationsAnswer> {
    return this.answer(userId, async (tx, reader, answer) => {
      const contact = await tx.get('contact', body.contactId);
      if (!contact || !contactVisible(reader, contact)) throw notFound('contact');
      const conversations = await tx.conversationsOfContact(contact.id, [...reader.inboxIds], body.limit);
      const extras = await rowExtras(tx, reader, conversations);
      answer.add({ entity: 'contact', record: contact });
      for (const c of conversations) answer.addRow(c, extras);
      return {};
    });
  }

  totals(userId: string, body: TotalsRequest): Promise<TotalsAnswer> {
    return this.read(async (tx) => {
      const reader = await readerOf(tx, userId);
      return { ...(await listTotals(tx, reader, body.query)), head: await tx.head() };
    });
  }

  /** Whether conversations are unread for the reader, for a client that does not hold their messages. */
  unread(userId: string, body: UnreadRequest): Promise<UnreadAnswer> {
    return this.read(async (tx) => {
      const reader = await readerOf(tx, userId);
      return { conversations: await serverUnread(tx, reader, body), head: await tx.head() };
    });
  }

  /** The next page of older history: the reader's inboxes' messages (each after its conversation), then chats'. */
  fill(userId: string, body: FillRequest): Promise<FillAnswer> {
    return this.answer(userId, async (tx, reader, answer) => {
      const before = body.after ? { at: body.after.createdAt, id: body.after.id } : null;
      if (!body.after || body.after.part === 'messages') {
        const merged: EntityOf<'message'>[] = [];
        for (const inboxId of reader.inboxIds) merged.push(...(await tx.inboxMessagesBefore(inboxId, body.olderThan, before, body.limit)));
        const page = merged.sort(newestFirst).slice(0, body.limit);
        const conversations = new Map((await tx.getMany('conversation', [...new Set(page.map((m) => m.conversationId))])).map((c) => [c.id, c] as const));
        // The person's own state of each conversation comes with it (a window holds only its own conversations' states).
        const stateIds = [...conversations.keys()].map((id) => recordId.conversationUserState(id, reader.user.id));
        const states = new Map((await tx.getMany('conversationUserState', stateIds)).map((st) => [st.conversationId, st] as const));
        for (const record of page) {
          const conversation = conversations.get(record.conversationId);
          if (!conversation) continue;
          answer.add({ entity: 'conversation', record: conversation });
          const state = states.get(conversation.id);
          if (state) answer.add({ entity: 'conversationUserState', record: state });
          answer.add({ entity: 'message', record }, conversation.inboxId);
        }
        const last = page[page.length - 1];
        if (page.length === body.limit && last) return { next: { part: 'messages', createdAt: last.createdAt, id: last.id } satisfies FillCursor };
        // Messages are done: the chats' turn, from the newest below olderThan (every id sorts after the start).
        return { next: { part: 'chatMessages', createdAt: body.olderThan, id: '_' } satisfies FillCursor };
      }
      const merged: EntityOf<'chatMessage'>[] = [];
      for (const chatId of reader.chatIds) merged.push(...(await tx.chatMessagesOlderThan(chatId, body.olderThan, before, body.limit)));
      const page = merged.sort(newestFirst).slice(0, body.limit);
      for (const record of page) answer.add({ entity: 'chatMessage', record });
      const last = page[page.length - 1];
      return { next: page.length === body.limit && last ? ({ part: 'chatMessages', createdAt: last.createdAt, id: last.id } satisfies FillCursor) : null };
    });
  }

  /** Contacts first (few, and what a person usually looks for), then messages newest first. */
  search(userId: string, body: SearchRequest): Promise<SearchAnswer> {
    return this.read(async (tx) => {
      const reader = await readerOf(tx, userId);
      const terms = searchTerms(body.text);
      const hits: SearchHit[] = [];
      const needle = contactNeedle(body.text);
      for (const contact of needle ? await tx.searchContacts(reader.user.orgId, reader.user.id, needle, body.limit) : []) {
        if (!contactVisible(reader, contact)) continue;
        const s = contact.ownerId === null ? scope.org(contact.orgId) : scope.user(contact.ownerId);
        hits.push({ entity: 'contact', scope: s, record: contact, snippet: contact.name });
      }
      const room = body.limit - hits.length;
      const messages = room > 0 ? await tx.searchMessages([...reader.inboxIds].filter(isId), terms, room) : [];
      for (const { message, conversation } of messages) {
        if (!reader.inboxIds.has(conversation.inboxId)) continue;
        hits.push({ entity: 'message', scope: scope.inbox(conversation.inboxId), record: message, conversation, snippet: snippetOf(message.body, terms) });
      }
      return { hits: hits.slice(0, body.limit), head: await tx.head() };
    });
  }
}
