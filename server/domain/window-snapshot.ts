import type { EntityKind, EntityOf, EntityRecord } from '../../protocol/domain.ts';
import { FIRST_LIST_QUERY, lastActivityAt, OPEN_FIRST_CONVERSATIONS, windowSince, type SnapshotPhase, type SyncWindow } from '../../protocol/history.ts';
import { parseScope, recordId, type Scope, type ScopeKind } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import { scopesOfUser } from './change-log.ts';
import { readerOf } from './history-access.ts';
import { listPage } from './history-lists.ts';
import { partsOf, readParts, type SnapshotCursor } from './snapshot.ts';

/**
 * The windowed snapshot of a scope (issue 13, protocol/history.ts): the same records a full snapshot would
 * send, cut to a window and split into phases. Every kind a full snapshot sends that is not windowed below
 * belongs to `sidebar`, so a kind added to partsOf (snapshot.ts) lands there by itself.
 */
const WINDOWED: ReadonlySet<EntityKind> = new Set(['conversation', 'message', 'survey', 'chatMessage', 'contact', 'conversationUserState']);

/** The phases each kind of scope has records in; a scope's window is whole after its last one. */
const PHASES_OF: Record<ScopeKind, readonly SnapshotPhase[]> = {
  org: ['sidebar', 'contacts'],
  // `open`: one's read states of the window's conversations past the first page, when openFirst was asked for.
  user: ['sidebar', 'open', 'contacts'],
  inbox: ['sidebar', 'openFirst', 'open', 'recent'],
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
  /**
   * The shared contacts of the `contacts` phase (read once, by windowContactIds), sorted; null until that phase
   * begins (at 100,000 conversations the read takes most of a second, which must not come before the sidebar).
   */
  contactIds: readonly string[] | null;
  /** The `openFirst` conversations (the first page of FIRST_LIST_QUERY), in list order; empty unless asked for. */
  firstPage: readonly string[];
}

/** The ids of the first page of the list a client shows first, as the history API would answer it. */
export async function firstPageIds(tx: StorageTx, userId: string): Promise<string[]> {
  const reader = await readerOf(tx, userId).catch(() => null);
  if (!reader) return [];
  const ids: string[] = [];
  let after = null;
  do {
    const page = await listPage(tx, reader, FIRST_LIST_QUERY, after, OPEN_FIRST_CONVERSATIONS - ids.length);
    ids.push(...page.rows.map((r) => r.conversation.id));
    after = page.next;
  } while (after && ids.length < OPEN_FIRST_CONVERSATIONS);
  return ids;
}

/** Where the next page of one scope's phase starts. */
export type WindowCursor =
  | { kind: 'parts'; at: SnapshotCursor }
  | { kind: 'states'; afterId: string }
  | { kind: 'firstStates' }
  | { kind: 'activity'; at: number; id: string }
  | { kind: 'offset'; offset: number };

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
    if (from?.kind === 'states') return statesPage(tx, id, plan, from.afterId, limit);
    if (from?.kind === 'firstStates') return firstPageStates(tx, id, plan);
    const parts = (await partsOf(tx, target)).filter((p) => !WINDOWED.has(p.kind));
    const page = await readParts(tx, parts, from?.kind === 'parts' ? from.at : null, limit);
    if (page.next) return { records: page.records, next: { kind: 'parts', at: page.next } };
    if (kind !== 'user') return { records: page.records, next: null };
    // One's own records end with the read states of the window's conversations (those of the rest come with
    // them); with openFirst only the first page's, the others in `open` (thousands of records before usable).
    return { records: page.records, next: plan.window.firstPage ? { kind: 'firstStates' } : { kind: 'states', afterId: '' } };
  }
  if (kind === 'user' && phase === 'open') {
    if (!plan.window.firstPage) return { records: [], next: null };
    return statesPage(tx, id, plan, from?.kind === 'states' ? from.afterId : '', limit);
  }
  if (kind === 'inbox' && phase === 'openFirst') return firstPageOf(tx, id, plan);
  if (kind === 'inbox' && (phase === 'open' || phase === 'recent')) return conversationsPage(tx, id, phase, plan, from, limit);
  if (kind === 'chat' && phase === 'recent') {
    const messages = await tx.chatMessagesBefore(id, null, plan.window.messagesPerConversation);
    return { records: messages.map((record) => ({ entity: 'chatMessage', record })), next: null };
  }
  if (kind === 'org' && phase === 'contacts') {
    const offset = from?.kind === 'offset' ? from.offset : 0;
    const all = plan.contactIds ?? [];
    const ids = all.slice(offset, offset + limit);
    const contacts = (await tx.getMany('contact', ids)).filter((c) => c.ownerId === null && c.orgId === id);
    const next = offset + limit < all.length ? { kind: 'offset' as const, offset: offset + limit } : null;
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

/** One's read states of the window's conversations, by id; those of the first page were sent before (firstPageStates). */
async function statesPage(tx: StorageTx, userId: string, plan: WindowPlan, afterId: string, limit: number): Promise<WindowPage> {
  const states = await tx.windowUserStates(userId, plan.since, afterId, limit);
  const last = states[states.length - 1];
  const first = new Set(plan.firstPage);
  const records: EntityRecord[] = states.filter((s) => !first.has(s.conversationId)).map((record) => ({ entity: 'conversationUserState', record }));
  return { records, next: states.length === limit && last ? { kind: 'states', afterId: last.id } : null };
}

/** One's read states of the first page's conversations (the list shows them read or unread at once). */
async function firstPageStates(tx: StorageTx, userId: string, plan: WindowPlan): Promise<WindowPage> {
  const states = await tx.getMany('conversationUserState', plan.firstPage.map((c) => recordId.conversationUserState(c, userId)));
  return { records: states.map((record) => ({ entity: 'conversationUserState', record })), next: null };
}

/** The inbox's part of the first page (at most OPEN_FIRST_CONVERSATIONS rows), in list order, latest N messages each. */
async function firstPageOf(tx: StorageTx, inboxId: string, plan: WindowPlan): Promise<WindowPage> {
  const order = new Map(plan.firstPage.map((id, i) => [id, i] as const));
  const conversations = (await tx.getMany('conversation', [...plan.firstPage]))
    .filter((c) => c.inboxId === inboxId)
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { records: await withMessages(tx, conversations, plan.window.messagesPerConversation), next: null };
}

/**
 * Open conversations (latest N messages each), or recently active closed ones (last message each), newest
 * first; those of the first page were sent in `openFirst` already.
 */
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
  const first = new Set(plan.firstPage);
  const rest = first.size === 0 ? conversations : conversations.filter((c) => !first.has(c.id));
  const records = await withMessages(tx, rest, phase === 'open' ? plan.window.messagesPerConversation : 1);
  const last = conversations[conversations.length - 1];
  const next = conversations.length === take && last ? { kind: 'activity' as const, at: lastActivityAt(last), id: last.id } : null;
  return { records, next };
}

/** Each conversation followed by its latest `perConversation` messages and the surveys they carry. */
async function withMessages(tx: StorageTx, conversations: readonly EntityOf<'conversation'>[], perConversation: number): Promise<EntityRecord[]> {
  if (conversations.length === 0) return [];
  const ids = conversations.map((c) => c.id);
  const messages = await tx.latestMessagesOf(ids, perConversation);
  const sent = new Set(messages.map((m) => m.id));
  const surveys = (await tx.surveysOfConversations(ids)).filter((s) => sent.has(s.messageId));
  const byConversation = new Map<string, EntityRecord[]>();
  for (const record of messages) pushTo(byConversation, record.conversationId, { entity: 'message', record });
  for (const record of surveys) pushTo(byConversation, record.conversationId, { entity: 'survey', record });
  const records: EntityRecord[] = [];
  for (const record of conversations) records.push({ entity: 'conversation', record }, ...(byConversation.get(record.id) ?? []));
  return records;
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

type Read = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

/** The windowed snapshot's reads, each in its own read transaction (Domain.windows). */
export class WindowReads {
  constructor(private readonly read: Read) {}

  /** What a windowed snapshot of this person reads by: the window, its day boundary and its first page. */
  plan(userId: string, window: SyncWindow, now: number): Promise<WindowPlan> {
    const since = windowSince(window, now);
    return this.read(async (tx) => ({ window, since, contactIds: null, firstPage: window.firstPage ? await firstPageIds(tx, userId) : [] }));
  }

  /** Whether the user holds the scope now, and if so one page of its window's phase. */
  page(userId: string, target: Scope, phase: SnapshotPhase, plan: WindowPlan, from: WindowCursor | null, limit: number): Promise<{ held: false } | ({ held: true } & WindowPage)> {
    return this.read(async (tx) => {
      if (!(await scopesOfUser(tx, userId)).includes(target)) return { held: false as const };
      // The contacts the window uses, once, when the contacts phase begins.
      if (phase === 'contacts' && plan.contactIds === null) plan.contactIds = await windowContactIds(tx, userId, await tx.inboxIdsOfUser(userId), plan.since);
      return { held: true as const, ...(await readWindowPage(tx, target, phase, plan, from, limit)) };
    });
  }
}
