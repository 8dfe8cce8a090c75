import type { EntityKind, EntityOf, EntityRecord } from '../../protocol/domain.ts';
import { lastActivityAt, type SnapshotPhase, type SyncWindow } from '../../protocol/history.ts';
import { parseScope, type Scope, type ScopeKind } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import { partsOf, readParts, type SnapshotCursor } from './snapshot.ts';

/**
 * The windowed snapshot of a scope (issue 13, protocol/history.ts): the same records a full snapshot would
 * send, cut to a window and split into phases. Every kind a full snapshot sends that is not windowed below
 * belongs to `sidebar`, so a kind added to partsOf (snapshot.ts) lands there by itself.
 */
const WINDOWED: ReadonlySet<EntityKind> = new Set(['conversation', 'message', 'survey', 'chatMessage', 'contact']);

/** The phases each kind of scope has records in; a scope's window is whole after its last one. */
const PHASES_OF: Record<ScopeKind, readonly SnapshotPhase[]> = {
  org: ['sidebar', 'contacts'],
  user: ['sidebar', 'contacts'],
  inbox: ['sidebar', 'open', 'recent'],
  chat: ['sidebar', 'recent'],
};

export function phasesOf(target: Scope): readonly SnapshotPhase[] {
  return PHASES_OF[parseScope(target).kind];
}

/** Conversations read per page of the open and recent phases (each followed by its messages). */
const CONVERSATIONS_PER_READ = 100;

/** What a windowed snapshot reads by, fixed when it starts. */
export interface WindowPlan {
  window: SyncWindow;
  /** Closed conversations with last activity at or after this are in the window. */
  since: number;
  /** The shared contacts of the `contacts` phase (read once, by windowContactIds), sorted. */
  contactIds: readonly string[];
}

/** Where the next page of one scope's phase starts. */
export type WindowCursor = { kind: 'parts'; at: SnapshotCursor } | { kind: 'activity'; at: number; id: string } | { kind: 'offset'; offset: number };

export interface WindowPage {
  records: EntityRecord[];
  next: WindowCursor | null;
}

/** The shared contacts the person's window uses: those of open and recent conversations, and their favourites. */
export async function windowContactIds(tx: StorageTx, userId: string, inboxIds: readonly string[], since: number): Promise<string[]> {
  const used = new Set(await tx.windowContactIds(inboxIds, since));
  for (let after = ''; ; ) {
    const favourites = await tx.list('contactFavourite', { userId }, after, 500);
    for (const f of favourites) used.add(f.contactId);
    if (favourites.length < 500) break;
    after = favourites[favourites.length - 1]!.id;
  }
  return [...used].sort();
}

/** One page of a scope's phase; `limit` bounds the conversations' own count, not their messages. */
export async function readWindowPage(
  tx: StorageTx,
  target: Scope,
  phase: SnapshotPhase,
  plan: WindowPlan,
  from: WindowCursor | null,
  limit: number,
): Promise<WindowPage> {
  const { kind, id } = parseScope(target);
  if (phase === 'sidebar') {
    const parts = (await partsOf(tx, target)).filter((p) => !WINDOWED.has(p.kind));
    const page = await readParts(tx, parts, from?.kind === 'parts' ? from.at : null, limit);
    return { records: page.records, next: page.next ? { kind: 'parts', at: page.next } : null };
  }
  if (kind === 'inbox' && (phase === 'open' || phase === 'recent')) return conversationsPage(tx, id, phase, plan, from, limit);
  if (kind === 'chat' && phase === 'recent') {
    const messages = await tx.chatMessagesBefore(id, null, plan.window.messagesPerConversation);
    return { records: messages.map((record) => ({ entity: 'chatMessage', record })), next: null };
  }
  if (kind === 'org' && phase === 'contacts') {
    const offset = from?.kind === 'offset' ? from.offset : 0;
    const ids = plan.contactIds.slice(offset, offset + limit);
    const contacts = (await tx.getMany('contact', ids)).filter((c) => c.ownerId === null && c.orgId === id);
    const next = offset + limit < plan.contactIds.length ? { kind: 'offset' as const, offset: offset + limit } : null;
    return { records: contacts.map((record) => ({ entity: 'contact', record })), next };
  }
  if (kind === 'user' && phase === 'contacts') {
    const user = await tx.get('user', id);
    if (!user) return { records: [], next: null };
    const page = await readParts(tx, [{ kind: 'contact', by: { orgId: user.orgId, ownerId: id } }], from?.kind === 'parts' ? from.at : null, limit);
    return { records: page.records, next: page.next ? { kind: 'parts', at: page.next } : null };
  }
  return { records: [], next: null };
}

/** Open conversations (latest N messages each), or recently active closed ones (last message each), newest first. */
async function conversationsPage(
  tx: StorageTx,
  inboxId: string,
  phase: 'open' | 'recent',
  plan: WindowPlan,
  from: WindowCursor | null,
  limit: number,
): Promise<WindowPage> {
  const take = Math.min(limit, CONVERSATIONS_PER_READ);
  const before = from?.kind === 'activity' ? { at: from.at, id: from.id } : null;
  const conversations =
    phase === 'open'
      ? await tx.conversationsByActivity(inboxId, 'open', 0, before, take)
      : await tx.conversationsByActivity(inboxId, 'closed', plan.since, before, take);
  const ids = conversations.map((c) => c.id);
  const messages = await tx.latestMessagesOf(ids, phase === 'open' ? plan.window.messagesPerConversation : 1);
  const sent = new Set(messages.map((m) => m.id));
  const surveys = (await tx.surveysOfConversations(ids)).filter((s) => sent.has(s.messageId));
  const byConversation = new Map<string, EntityRecord[]>();
  for (const record of messages) pushTo(byConversation, record.conversationId, { entity: 'message', record });
  for (const record of surveys) pushTo(byConversation, record.conversationId, { entity: 'survey', record });
  const records: EntityRecord[] = [];
  for (const record of conversations) records.push({ entity: 'conversation', record }, ...(byConversation.get(record.id) ?? []));
  const last = conversations[conversations.length - 1];
  const next = conversations.length === take && last ? { kind: 'activity' as const, at: lastActivityAt(last), id: last.id } : null;
  return { records, next };
}

function pushTo(map: Map<string, EntityRecord[]>, key: string, record: EntityRecord): void {
  const list = map.get(key);
  if (list) list.push(record);
  else map.set(key, [record]);
}

/** The conversations a window holds: the rule the storage reads above follow, for tests and the bench. */
export function inWindow(c: EntityOf<'conversation'>, since: number): boolean {
  return c.status === 'open' || lastActivityAt(c) >= since;
}
