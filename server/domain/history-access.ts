import type { EntityOf, EntityRecord } from '../../protocol/domain.ts';
import type { ScopedRecord } from '../../protocol/history.ts';
import { isId } from '../../protocol/id.ts';
import { recordId, scope, type Scope } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import { scopesOfUser } from './change-log.ts';
import { Rejection } from './errors.ts';

/**
 * What one person may read through the history API (issue 13): exactly what their sync scopes hold
 * (change-log.ts scopesOfUser: active users only; their inboxes and chats; their own records; their
 * organisation's directory). Anything else is answered as if it did not exist.
 */
export interface Reader {
  user: EntityOf<'user'>;
  inboxIds: ReadonlySet<string>;
  chatIds: ReadonlySet<string>;
}

export const notFound = (what: string): Rejection => new Rejection('not_found', `No ${what} with that id.`);

export async function readerOf(tx: StorageTx, userId: string): Promise<Reader> {
  const user = await tx.get('user', userId);
  const scopes = await scopesOfUser(tx, userId);
  if (!user || scopes.length === 0) throw new Rejection('forbidden', 'This account may not read anything.');
  const inboxIds = new Set<string>();
  const chatIds = new Set<string>();
  for (const s of scopes) {
    if (s.startsWith('inbox:')) inboxIds.add(s.slice('inbox:'.length));
    else if (s.startsWith('chat:')) chatIds.add(s.slice('chat:'.length));
  }
  return { user, inboxIds, chatIds };
}

/** A conversation of one of the reader's inboxes, or 404. */
export async function visibleConversation(tx: StorageTx, reader: Reader, id: string): Promise<EntityOf<'conversation'>> {
  const conversation = isId(id) ? await tx.get('conversation', id) : null;
  if (!conversation || !reader.inboxIds.has(conversation.inboxId)) throw notFound('conversation');
  return conversation;
}

/** Shared contacts of the reader's organisation and their own private ones; anyone else's private contact is not there. */
export function contactVisible(reader: Reader, contact: EntityOf<'contact'>): boolean {
  return contact.orgId === reader.user.orgId && (contact.ownerId === null || contact.ownerId === reader.user.id);
}

/** The scope a visible record is cached under (the one its change-log entries carry). */
export function scopeOfRecord(reader: Reader, r: EntityRecord): Scope {
  switch (r.entity) {
    case 'contact':
      return r.record.ownerId === null ? scope.org(r.record.orgId) : scope.user(r.record.ownerId);
    case 'conversation':
      return scope.inbox(r.record.inboxId);
    case 'message':
    case 'survey':
      throw new Error('messages and surveys take their conversation’s scope: use inboxScoped');
    case 'chatMessage':
      return scope.chat(r.record.chatId);
    case 'conversationUserState':
      return scope.user(reader.user.id);
    default:
      throw new Error(`the history API does not send ${r.entity} records`);
  }
}

/** Collects an answer's records with their scopes, each record once. */
export class Answer {
  readonly records: ScopedRecord[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly reader: Reader) {}

  add(r: EntityRecord, inboxId?: string): void {
    const key = `${r.entity}\u0000${r.record.id}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const s = inboxId !== undefined ? scope.inbox(inboxId) : scopeOfRecord(this.reader, r);
    this.records.push({ scope: s, ...r } as ScopedRecord);
  }

  /** A conversation with what its list row shows: its last message, its contact (when visible), the reader's state. */
  addRow(conversation: EntityOf<'conversation'>, extras: RowExtras): void {
    this.add({ entity: 'conversation', record: conversation });
    const last = extras.lastMessages.get(conversation.id);
    if (last) this.add({ entity: 'message', record: last }, conversation.inboxId);
    const state = extras.states.get(conversation.id);
    if (state) this.add({ entity: 'conversationUserState', record: state });
    if (conversation.contactId) {
      const contact = extras.contacts.get(conversation.contactId) ?? null;
      if (contact && contactVisible(this.reader, contact)) this.add({ entity: 'contact', record: contact });
    }
  }
}

/** What rows of many conversations need, read together. */
export interface RowExtras {
  lastMessages: Map<string, EntityOf<'message'>>;
  states: Map<string, EntityOf<'conversationUserState'>>;
  contacts: Map<string, EntityOf<'contact'>>;
}

export async function rowExtras(
  tx: StorageTx,
  reader: Reader,
  conversations: readonly EntityOf<'conversation'>[],
  known: Map<string, EntityOf<'conversationUserState'> | null> = new Map(),
): Promise<RowExtras> {
  const ids = conversations.map((c) => c.id);
  const lastMessages = new Map((await tx.latestMessagesOf(ids, 1)).map((m) => [m.conversationId, m] as const));
  const states = new Map<string, EntityOf<'conversationUserState'>>();
  const missing = ids.filter((id) => !known.has(id));
  for (const [id, state] of known) if (state) states.set(id, state);
  if (missing.length > 0) {
    const stateIds = missing.map((id) => recordId.conversationUserState(id, reader.user.id));
    for (const s of await tx.getMany('conversationUserState', stateIds)) if (s.userId === reader.user.id) states.set(s.conversationId, s);
  }
  const contactIds = [...new Set(conversations.map((c) => c.contactId).filter((id): id is string => id !== null))];
  const contacts = new Map((await tx.getMany('contact', contactIds)).map((c) => [c.id, c] as const));
  return { lastMessages, states, contacts };
}
