import { fc } from '@fast-check/vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import type { ScopedRecord } from '../../../protocol/history.ts';
import { recordId, scope, type Scope } from '../../../protocol/scope.ts';
import type { StorageTx } from '../../../server/storage/storage.ts';

/**
 * Generated organisations for the history API's scope properties (history-scopes.test.ts): a few people with
 * random inbox and chat memberships, conversations (some linked to another person's private contact, some
 * read-only previous ones), messages, read states and chat messages.
 */
export const USERS = ['u0', 'u1', 'u2', 'u3'] as const;
export const INBOXES = ['i0', 'i1', 'i2'] as const;
export const CHATS = ['h0', 'h1'] as const;
export const CONTACTS = [
  { id: 'k0', ownerId: null },
  { id: 'k1', ownerId: null },
  { id: 'k2', ownerId: 'u0' },
  { id: 'k3', ownerId: 'u1' },
] as const;
export const WORDS = ['parcel', 'refund', 'boots', 'jacket', 'order'] as const;

export interface World {
  disabled: string | null;
  members: Record<string, string[]>;
  chatMembers: Record<string, string[]>;
  conversations: EntityOf<'conversation'>[];
  messages: EntityOf<'message'>[];
  states: EntityOf<'conversationUserState'>[];
  chatMessages: EntityOf<'chatMessage'>[];
}

const subset = <T>(values: readonly T[]) => fc.subarray([...values]);
const time = fc.integer({ min: 1, max: 1000 });

const conversationArb = (i: number) =>
  fc
    .record({
      inbox: fc.constantFrom(...INBOXES),
      status: fc.constantFrom('open' as const, 'closed' as const),
      contact: fc.option(fc.constantFrom(...CONTACTS.map((c) => c.id)), { nil: null }),
      assignee: fc.option(fc.constantFrom(...USERS), { nil: null }),
      participants: subset(USERS),
      createdAt: time,
      closedAt: time,
      lastMessageAt: fc.option(time, { nil: null }),
      previous: fc.boolean().map((b) => b && i % 5 === 4),
      tags: subset(['vip', 'late']),
      messages: fc.array(fc.record({ direction: fc.constantFrom('in' as const, 'out' as const), at: time, words: fc.subarray([...WORDS], { minLength: 1 }) }), { maxLength: 4 }),
      states: fc.array(fc.record({ user: fc.constantFrom(...USERS), readAt: fc.option(time, { nil: null }), archived: fc.boolean() }), { maxLength: 2 }),
    })
    .map((g) => ({ i, ...g }));

export const worldArb: fc.Arbitrary<World> = fc
  .record({
    disabled: fc.option(fc.constantFrom(...USERS), { nil: null }),
    members: fc.record(Object.fromEntries(USERS.map((u) => [u, subset(INBOXES)])) as Record<string, fc.Arbitrary<string[]>>),
    chatMembers: fc.record(Object.fromEntries(CHATS.map((c) => [c, subset(USERS)])) as Record<string, fc.Arbitrary<string[]>>),
    conversations: fc.integer({ min: 0, max: 10 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => conversationArb(i)))),
    chatMessages: fc.array(fc.record({ chat: fc.constantFrom(...CHATS), at: time, author: fc.constantFrom(...USERS) }), { maxLength: 6 }),
  })
  .map((g) => {
    const conversations: EntityOf<'conversation'>[] = [];
    const messages: EntityOf<'message'>[] = [];
    const states: EntityOf<'conversationUserState'>[] = [];
    for (const c of g.conversations) {
      const id = `c${c.i}`;
      conversations.push({
        id,
        inboxId: c.inbox,
        channelId: `ch_${c.inbox}`,
        contactId: c.contact,
        customerAddress: `+1415555${String(1000 + c.i)}`,
        status: c.status,
        assigneeId: c.assignee,
        tags: c.tags,
        createdAt: c.createdAt,
        closedAt: c.status === 'closed' ? c.closedAt : null,
        lastMessageAt: c.lastMessageAt,
        lastMessagePreview: '',
        participantIds: c.participants,
        ...(c.previous ? { previousOfChannelId: `ch_${c.inbox}` } : {}),
      });
      c.messages.forEach((m, j) =>
        messages.push({
          id: `${id}_m${j}`,
          conversationId: id,
          direction: m.direction,
          authorType: m.direction === 'in' ? 'contact' : 'user',
          authorId: null,
          body: m.words.join(' '),
          attachments: [],
          status: 'delivered',
          statusReason: null,
          providerId: null,
          createdAt: m.at,
        }),
      );
      for (const s of c.states) {
        const sid = recordId.conversationUserState(id, s.user);
        if (!states.some((x) => x.id === sid)) states.push({ id: sid, conversationId: id, userId: s.user, readAt: s.readAt, archived: s.archived });
      }
    }
    const chatMessages = g.chatMessages.map((m, i) => ({ id: `cm${i}`, chatId: m.chat, authorId: m.author, body: `hello ${i}`, createdAt: m.at }));
    return { disabled: g.disabled, members: g.members, chatMembers: g.chatMembers, conversations, messages, states, chatMessages };
  });

export async function plant(tx: StorageTx, w: World): Promise<void> {
  await tx.putOrg({ id: 'org_1', name: 'Org' });
  for (const u of USERS) {
    await tx.put('user', { id: u, orgId: 'org_1', name: u, email: `${u}@x.test`, role: 'agent', status: w.disabled === u ? 'disabled' : 'active', avatarColor: '#000' });
  }
  for (const i of INBOXES) {
    await tx.put('inbox', { id: i, orgId: 'org_1', name: i, kind: 'shared', assignmentMode: false });
    await tx.put('channel', { id: `ch_${i}`, inboxId: i, kind: 'sms', name: i, address: '+14155550100', registration: null });
  }
  for (const [u, inboxes] of Object.entries(w.members)) {
    for (const i of inboxes) await tx.put('inboxMember', { id: recordId.inboxMember(i, u), inboxId: i, userId: u });
  }
  for (const c of CONTACTS) {
    await tx.put('contact', { id: c.id, orgId: 'org_1', ownerId: c.ownerId, name: `${c.id} parcel person`, phones: [], email: null, company: null, notes: null, smsOptOut: false });
  }
  for (const c of w.conversations) await tx.put('conversation', c);
  for (const m of w.messages) await tx.put('message', m);
  for (const s of w.states) await tx.put('conversationUserState', s);
  for (const [chat, members] of Object.entries(w.chatMembers)) {
    await tx.put('chat', { id: chat, kind: 'team', name: chat, memberIds: members, lastMessageAt: null });
  }
  for (const m of w.chatMessages) await tx.put('chatMessage', m);
}

/** The scopes a person holds in the world (change-log.ts scopesOfUser's rule). */
export function scopesIn(w: World, user: string): Set<Scope> {
  if (w.disabled === user) return new Set();
  return new Set<Scope>([
    scope.org('org_1'),
    scope.user(user),
    ...(w.members[user] ?? []).map(scope.inbox),
    ...Object.entries(w.chatMembers)
      .filter(([, members]) => members.includes(user))
      .map(([chat]) => scope.chat(chat)),
  ]);
}

/** The scope a record truly belongs to, and whether a person holding `scopes` may see it. */
export function mayRead(w: World, user: string, r: ScopedRecord): boolean {
  const held = scopesIn(w, user);
  const inbox = (conversationId: string) => w.conversations.find((c) => c.id === conversationId)?.inboxId;
  let own: Scope | null;
  switch (r.entity) {
    case 'conversation':
      own = scope.inbox(r.record.inboxId);
      break;
    case 'message':
    case 'survey': {
      const i = inbox(r.record.conversationId);
      own = i ? scope.inbox(i) : null;
      break;
    }
    case 'chatMessage':
      own = scope.chat(r.record.chatId);
      break;
    case 'contact':
      own = r.record.ownerId === null ? scope.org(r.record.orgId) : scope.user(r.record.ownerId);
      break;
    case 'conversationUserState':
      own = scope.user(r.record.userId);
      break;
    default:
      own = null;
  }
  return own !== null && own === r.scope && held.has(own);
}
