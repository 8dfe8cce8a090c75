import { entitySchemas, IdGrammarError, isId, isPairId, PairId, type EntityKind, type EntityOf } from '../../protocol/domain.ts';
import { scope, type Scope } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';

/**
 * The only way domain code changes a record: the record and its change-log
 * entry are written by the same call, inside the caller's transaction, so the
 * log can never miss or invent a change.
 */
export async function putRecord<K extends EntityKind>(tx: StorageTx, target: Scope, kind: K, record: EntityOf<K>): Promise<number> {
  checkRecordId(kind, record.id);
  await tx.put(kind, record);
  return await tx.appendChange({ scope: target, op: 'put', entity: kind, id: record.id, record });
}

export async function deleteRecord(tx: StorageTx, target: Scope, kind: EntityKind, id: string): Promise<number> {
  checkRecordId(kind, id);
  await tx.remove(kind, id);
  return await tx.appendChange({ scope: target, op: 'delete', entity: kind, id });
}

/** The last guard before the log: a record id no client could read is never written (the scope is checked by its builder). */
function checkRecordId(kind: EntityKind, id: string): void {
  if (!(PER_PERSON.has(kind) ? isPairId(id) : isId(id))) throw new IdGrammarError(`${kind} id`, id);
}
/** Kinds whose ids are `<id>:<userId>` (built by recordId.*), as their schemas say. */
const PER_PERSON = new Set<EntityKind>((Object.keys(entitySchemas) as EntityKind[]).filter((k) => entitySchemas[k].shape.id === PairId));

/** Which scope a record travels in (protocol/scope.ts). Messages travel with their conversation's inbox. */
export const scopeOf = {
  user: (r: EntityOf<'user'>): Scope => scope.org(r.orgId),
  contact: (r: EntityOf<'contact'>): Scope => (r.ownerId ? scope.user(r.ownerId) : scope.org(r.orgId)),
  inbox: (r: EntityOf<'inbox'>): Scope => scope.inbox(r.id),
  inboxMember: (r: EntityOf<'inboxMember'>): Scope => scope.inbox(r.inboxId),
  channel: (r: EntityOf<'channel'>): Scope => scope.inbox(r.inboxId),
  conversation: (r: EntityOf<'conversation'>): Scope => scope.inbox(r.inboxId),
  conversationUserState: (r: EntityOf<'conversationUserState'>): Scope => scope.user(r.userId),
  chat: (r: EntityOf<'chat'>): Scope => scope.chat(r.id),
  chatMessage: (r: EntityOf<'chatMessage'>): Scope => scope.chat(r.chatId),
  contactFavourite: (r: EntityOf<'contactFavourite'>): Scope => scope.user(r.userId),
  chatUserState: (r: EntityOf<'chatUserState'>): Scope => scope.user(r.userId),
  cannedResponse: (r: EntityOf<'cannedResponse'>): Scope => scope.inbox(r.inboxId),
  notice: (r: EntityOf<'notice'>): Scope => scope.user(r.userId),
  survey: (r: EntityOf<'survey'>): Scope => scope.inbox(r.inboxId),
  org: (r: EntityOf<'org'>): Scope => scope.org(r.id),
  queueAgent: (r: EntityOf<'queueAgent'>): Scope => scope.inbox(r.inboxId),
};

/**
 * The scopes a user holds right now. Disabled users hold none. An inbox or chat whose id predates the id
 * grammar (a client could once choose `x:0969eb`) has no scope a client can read, so it is left out rather
 * than offered: its members keep syncing everything else.
 */
export async function scopesOfUser(tx: StorageTx, userId: string): Promise<Scope[]> {
  const user = await tx.get('user', userId);
  if (!user || user.status !== 'active') return [];
  return [
    scope.org(user.orgId),
    scope.user(user.id),
    ...(await tx.inboxIdsOfUser(user.id)).filter(isId).map(scope.inbox),
    ...(await tx.chatIdsOfUser(user.id)).filter(isId).map(scope.chat),
  ];
}
