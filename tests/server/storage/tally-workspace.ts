import { fc } from '@fast-check/vitest';
import { conversationFacts, countInto, emptyCounts, inView, isListed } from '../../../protocol/conversation-views.ts';
import type { EntityOf } from '../../../protocol/domain.ts';
import type { ConversationListQuery, ListCounts } from '../../../protocol/ipc-views.ts';
import type { StorageTx } from '../../../server/storage/storage.ts';
import { channel, contact, conversation, inbox, message, user } from './contract-fixtures.ts';

/**
 * Generated workspaces and views for the tally tests (tally-properties.test.ts, tally-migration.test.ts), and
 * the totals worked out the old way: from the records themselves (their JSON), by the view rules of
 * protocol/conversation-views.ts, one conversation at a time.
 */

export const USERS = ['user_a', 'user_b', 'user_c'] as const;
/** Tags that stress the list columns: a prefix of another, a newline, a backslash, empty. */
const TAGS = ['vip', 'v', 'x', 'a\nb', 'a', 'b', 'b\\', '\\n', ''] as const;

const someone = fc.constantFrom(...USERS);
const attrs = fc.record({
  inbox: fc.nat(1),
  channel: fc.nat(1),
  status: fc.constantFrom('open' as const, 'closed' as const),
  assignee: fc.option(someone, { nil: null }),
  tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
  participants: fc.uniqueArray(someone, { maxLength: 3 }),
  previous: fc.boolean(),
});
const conversationSpec = fc.record({
  /** A version put first and overwritten by the final one (the columns must follow the upsert). */
  first: fc.option(attrs, { nil: null }),
  final: attrs,
  messages: fc.array(fc.record({ inbound: fc.boolean(), at: fc.integer({ min: 1, max: 60 }) }), { maxLength: 3 }),
  /** The people's states in put order: a person named twice has the later one. */
  states: fc.array(
    fc.record({ user: someone, readAt: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }), archived: fc.boolean() }),
    { maxLength: 4 },
  ),
});
type Arb<A> = A extends fc.Arbitrary<infer T> ? T : never;
export type WorkspaceSpec = Array<Arb<typeof conversationSpec>>;
export const workspaceSpec: fc.Arbitrary<WorkspaceSpec> = fc.array(conversationSpec, { maxLength: 14 });

export interface Workspace {
  inboxIds: string[];
  channelIds: string[];
  contacts: EntityOf<'contact'>[];
  /** In put order: earlier versions before the final ones. */
  puts: Array<{ kind: 'conversation'; record: EntityOf<'conversation'> } | { kind: 'message'; record: EntityOf<'message'> } | { kind: 'conversationUserState'; record: EntityOf<'conversationUserState'> }>;
  conversations: EntityOf<'conversation'>[];
  states: Map<string, EntityOf<'conversationUserState'>>;
  lastInbound: Map<string, number>;
}

/** The records of a spec, every id under `prefix` (one storage holds many workspaces side by side). */
export function buildWorkspace(prefix: string, spec: WorkspaceSpec): Workspace {
  const inboxIds = [`${prefix}_i0`, `${prefix}_i1`];
  const channelIds = inboxIds.flatMap((i) => [`${i}_c0`, `${i}_c1`]);
  const ws: Workspace = { inboxIds, channelIds, contacts: [], puts: [], conversations: [], states: new Map(), lastInbound: new Map() };
  spec.forEach((c, n) => {
    const id = `${prefix}_conv${n}`;
    const record = (a: Arb<typeof attrs>): EntityOf<'conversation'> => {
      const inboxId = inboxIds[a.inbox] as string;
      return conversation(id, {
        inboxId,
        channelId: `${inboxId}_c${a.channel}`,
        status: a.status,
        closedAt: a.status === 'closed' ? 5000 : null,
        assigneeId: a.assignee,
        tags: a.tags,
        participantIds: a.participants,
        ...(a.previous ? { previousOfChannelId: `${prefix}_old` } : {}),
      });
    };
    if (c.first) ws.puts.push({ kind: 'conversation', record: record(c.first) });
    const final = record(c.final);
    ws.puts.push({ kind: 'conversation', record: final });
    ws.conversations.push(final);
    c.messages.forEach((m, k) => {
      const msg = message(`${id}_m${k}`, { conversationId: id, createdAt: m.at, ...(m.inbound ? { direction: 'in', authorType: 'contact', authorId: null } : {}) });
      ws.puts.push({ kind: 'message', record: msg });
      if (m.inbound) ws.lastInbound.set(id, Math.max(ws.lastInbound.get(id) ?? -1, m.at));
    });
    for (const s of c.states) {
      const state: EntityOf<'conversationUserState'> = { id: `${id}:${s.user}`, conversationId: id, userId: s.user, readAt: s.readAt, archived: s.archived };
      ws.puts.push({ kind: 'conversationUserState', record: state });
      ws.states.set(state.id, state);
    }
    const phones = [`+1415555${String(n).padStart(4, '0')}`];
    ws.contacts.push({ ...contact(`${id}_ct`, phones), name: `Name ${n}\\${prefix}`, email: n % 2 ? `p${n}@x.test` : null, company: n % 3 ? null : `Co\n${n}` });
  });
  return ws;
}

/** org_1 and the three people: once per storage. */
export async function putPeople(tx: StorageTx): Promise<void> {
  await tx.putOrg({ id: 'org_1', name: 'Org' });
  for (const u of USERS) await tx.put('user', user(u));
}

export async function putWorkspace(tx: StorageTx, ws: Workspace): Promise<void> {
  for (const id of ws.inboxIds) await tx.put('inbox', inbox(id));
  for (const id of ws.channelIds) await tx.put('channel', channel(id, { inboxId: id.replace(/_c\d$/, '') }));
  for (const c of ws.contacts) await tx.put('contact', c);
  for (const p of ws.puts) await tx.put(p.kind, p.record as never);
}

/** A view over the workspace: any inbox or channel of it (or all), any filter. */
export const viewOf = (ws: Workspace): fc.Arbitrary<ConversationListQuery> =>
  fc.record({
    inboxId: fc.option(fc.constantFrom(...ws.inboxIds), { nil: null }),
    channelId: fc.option(fc.constantFrom(...ws.channelIds), { nil: null }),
    folder: fc.constantFrom('open' as const, 'closed' as const),
    assignment: fc.constantFrom('all' as const, 'me' as const, 'others' as const, 'unassigned' as const, 'withMe' as const),
    read: fc.constantFrom('all' as const, 'unread' as const, 'archived' as const),
    sort: fc.constant('recentMessages' as const),
    tag: fc.option(fc.constantFrom(...TAGS, 'absent'), { nil: null }),
  });

/** listTotals' answer worked out from the records, one conversation at a time (what it was before the tally). */
export function expectedTotals(ws: Workspace, me: string, q: ConversationListQuery): { total: number; counts: ListCounts } {
  const inboxOfChannel = q.channelId?.replace(/_c\d$/, '');
  const inboxIds = q.channelId !== null ? [inboxOfChannel] : q.inboxId !== null ? [q.inboxId] : ws.inboxIds;
  const counts = emptyCounts();
  let total = 0;
  const entry = { inboxId: q.channelId === null ? q.inboxId : null, channelId: q.channelId };
  for (const c of ws.conversations) {
    if (!inboxIds.includes(c.inboxId) || (q.channelId !== null && c.channelId !== q.channelId) || !isListed(c)) continue;
    const facts = conversationFacts(c, ws.states.get(`${c.id}:${me}`) ?? null, ws.lastInbound.get(c.id) ?? null, me);
    countInto(counts, entry, facts, me);
    if (inView(q, facts, me)) total += 1;
  }
  return { total, counts };
}
