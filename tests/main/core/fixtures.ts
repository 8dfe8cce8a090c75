import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel, Contact, Conversation, ConversationUserState, Inbox, Message, User } from '../../../protocol/domain.ts';
import type { ChangeEntry, ChangesFrame } from '../../../protocol/sync.ts';
import type { Scope } from '../../../protocol/scope.ts';
import { FrameApplier } from '../../../main/core/cache/apply-frame.ts';
import { openCache, type CacheDb } from '../../../main/core/cache/cache-file.ts';
import { Outbox } from '../../../main/core/outbox.ts';

export const ME = 'u_me';
export const OTHER = 'u_other';
export const INBOX: Scope = 'inbox:inbox_a';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-core-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Harness {
  cache: CacheDb;
  applier: FrameApplier;
  outbox: Outbox;
  seq: () => number;
  cleanup: () => void;
}

/** A fixed cache key: unit tests care about the cache, not about keys (tests/main/core/cache-key.test.ts does). */
export const TEST_CACHE_KEY = '5a'.repeat(32);

/** `userId`: whose cache it is (ME unless a test signs in as someone else). */
export function harness(now: () => number = () => 1_000_000, userId = ME): Harness {
  const { dir, cleanup } = tempDir();
  const cache = openCache(dir, 'http://127.0.0.1:1', userId, TEST_CACHE_KEY);
  const applier = new FrameApplier(cache);
  const outbox = new Outbox(cache, applier.layer, now);
  let s = 0;
  return {
    cache,
    applier,
    outbox,
    seq: () => ++s,
    cleanup: () => {
      cache.close();
      cleanup();
    },
  };
}

export const user = (id: string, name = id, role: User['role'] = 'member'): User => ({
  id,
  orgId: 'org_1',
  name,
  email: `${id}@example.test`,
  role,
  status: 'active',
  avatarColor: '#336699',
});
export const inbox = (id: string, over: Partial<Inbox> = {}): Inbox => ({
  id,
  orgId: 'org_1',
  name: id,
  kind: 'shared',
  assignmentMode: true,
  ...over,
});
export const channel = (id: string, inboxId: string): Channel => ({
  id,
  inboxId,
  kind: 'sms',
  name: id,
  address: '+14155550100',
  registration: 'approved',
});
export const conversation = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  inboxId: 'inbox_a',
  channelId: 'ch_a',
  contactId: null,
  customerAddress: '+14155550123',
  status: 'open',
  assigneeId: null,
  tags: [],
  createdAt: 1000,
  closedAt: null,
  lastMessageAt: null,
  lastMessagePreview: '',
  participantIds: [],
  ...over,
});
export const message = (id: string, conversationId: string, over: Partial<Message> = {}): Message => ({
  id,
  conversationId,
  direction: 'in',
  authorType: 'contact',
  authorId: null,
  body: `body ${id}`,
  attachments: [],
  status: 'delivered',
  statusReason: null,
  providerId: null,
  createdAt: 2000,
  ...over,
});
export const contact = (id: string, over: Partial<Contact> = {}): Contact => ({
  id,
  orgId: 'org_1',
  ownerId: null,
  name: `Contact ${id}`,
  phones: [],
  email: null,
  company: null,
  notes: null,
  smsOptOut: false,
  ...over,
});
export const userState = (conversationId: string, over: Partial<ConversationUserState> = {}): ConversationUserState => ({
  id: `${conversationId}:${ME}`,
  conversationId,
  userId: ME,
  readAt: null,
  archived: false,
  ...over,
});

type Put = Extract<ChangeEntry, { op: 'put' }>;
export function put<E extends Put['entity']>(seq: number, scope: Scope, entity: E, record: Extract<Put, { entity: E }>['record']): ChangeEntry {
  return { seq, scope, op: 'put', entity, record } as ChangeEntry;
}

export function changes(entries: ChangeEntry[], cursor?: number): ChangesFrame {
  return { type: 'changes', entries, cursor: cursor ?? entries.reduce((m, e) => Math.max(m, e.seq), 0), caughtUp: true };
}

/** The base workspace: me, a colleague, one inbox with one channel. */
export function seedWorkspace(h: Harness): void {
  h.applier.apply(
    changes([
      put(h.seq(), 'org:org_1', 'user', user(ME, 'Me Myself')),
      put(h.seq(), 'org:org_1', 'user', user(OTHER, 'Olga Other')),
      put(h.seq(), INBOX, 'inbox', inbox('inbox_a', { name: 'Sales' })),
      put(h.seq(), INBOX, 'channel', channel('ch_a', 'inbox_a')),
      put(h.seq(), INBOX, 'inboxMember', { id: `inbox_a:${ME}`, inboxId: 'inbox_a', userId: ME }),
    ]),
  );
}

export function count(h: Harness, sql: string, ...params: unknown[]): number {
  return h.cache.db.prepare(sql).pluck().get(...params) as number;
}
