import type { Channel, Conversation, EntityRecord, Inbox, Message, User } from '../../protocol/domain.ts';
import type { Scope } from '../../protocol/scope.ts';
import { SYNC_LIMITS } from '../../protocol/sync.ts';
import { FrameApplier, MAX_FRAMES_PER_TRANSACTION, type DataFrame } from '../../main/core/cache/apply-frame.ts';
import { cacheFilePath, cacheName, openCache } from '../../main/core/cache/cache-file.ts';
import { newCacheKey, type CacheKey } from '../../main/core/cache/cache-key.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * A warm client cache for the renderer bench, written through the real apply path (snapshot frames →
 * FrameApplier, deferred search indexes built at the end) exactly where the client core looks for the signed-in
 * person's cache, so a core resuming that session serves it. `conversations` conversations with `perConversation`
 * messages each, plus one conversation of BIG_CONVERSATION_MESSAGES messages, the most recent, so it is first in
 * the list. All are in Sales (the inbox the window opens on), so its list is the whole cache.
 */

export const BENCH_USER_ID = 'user_me';
export const BIG_CONVERSATION_ID = 'c_big';
export const BIG_CONVERSATION_MESSAGES = 5_000;
const INBOXES = ['inbox_a', 'inbox_b'] as const;
const T0 = 1_700_000_000_000;

export interface BenchCache {
  dataDir: string;
  serverUrl: string;
  user: User;
  key: CacheKey;
  /** The name the key vault keeps the key under. */
  keyName: string;
  conversations: number;
  messages: number;
}

function person(i: number): User {
  const id = i === 0 ? BENCH_USER_ID : `user_${i}`;
  return { id, orgId: 'org_bench', name: i === 0 ? 'Bench Manager' : `Agent ${i}`, email: `${id}@bench.invalid`, role: i === 0 ? 'manager' : 'member', status: 'active', avatarColor: '#336699' };
}

function channelsOf(inboxId: string): Channel[] {
  return (['sms', 'whatsapp', 'webchat'] as const).map((kind, k) => ({
    id: `${inboxId}_${kind}`,
    inboxId,
    kind,
    name: `${inboxId === 'inbox_a' ? 'Sales' : 'Support'} ${kind === 'sms' ? 'SMS' : kind === 'whatsapp' ? 'WhatsApp' : 'web chat'}`,
    address: kind === 'webchat' ? `widget_${inboxId}` : `+1415555${String(100 + k).padStart(4, '0')}`,
    registration: kind === 'webchat' ? null : 'approved',
  }));
}

function messagesOf(conversationId: string, count: number, start: number): Message[] {
  return Array.from({ length: count }, (_, k) => ({
    id: `${conversationId}_m${k}`,
    conversationId,
    direction: k % 2 === 0 ? 'in' : 'out',
    authorType: k % 2 === 0 ? 'contact' : 'user',
    authorId: k % 2 === 0 ? null : BENCH_USER_ID,
    body: k % 2 === 0 ? 'Hi, is the Ridgeline 45L pack in stock in green?' : 'Yes — want me to hold one for you until Saturday?',
    attachments: [],
    status: 'delivered',
    statusReason: null,
    providerId: null,
    createdAt: start + k * 30_000,
  }));
}

function conversationOf(i: number, total: number, messages: readonly Message[]): Conversation {
  const r = seededRandom(i + 1);
  // All in Sales, the inbox the window opens on, so its list holds every conversation; Support stays empty.
  const inboxId = INBOXES[0] as string;
  const last = messages[messages.length - 1];
  return {
    id: i === total ? BIG_CONVERSATION_ID : `c${i}`,
    inboxId,
    channelId: `${inboxId}_${(['sms', 'whatsapp', 'webchat'] as const)[Math.floor(r() * 3)]}`,
    contactId: null,
    customerAddress: `+1415${String(5_000_000 + (i % 4_000_000)).padStart(7, '0')}`,
    status: 'open',
    assigneeId: r() < 0.25 ? null : person(Math.floor(r() * 20)).id,
    tags: [],
    createdAt: T0 + i * 60_000,
    closedAt: null,
    lastMessageAt: last ? last.createdAt : null,
    lastMessagePreview: last ? last.body : '',
    participantIds: [],
  };
}

/** Records of one inbox scope in snapshot order: inbox, channels, members, conversations, then messages. */
function* inboxRecords(inboxIndex: number, conversations: number, perConversation: number): Generator<EntityRecord> {
  const inboxId = INBOXES[inboxIndex] as string;
  const inbox: Inbox = { id: inboxId, orgId: 'org_bench', name: inboxIndex === 0 ? 'Sales' : 'Support', kind: 'shared', assignmentMode: true };
  yield { entity: 'inbox', record: inbox };
  for (const c of channelsOf(inboxId)) yield { entity: 'channel', record: c };
  yield { entity: 'inboxMember', record: { id: `${inboxId}:${BENCH_USER_ID}`, inboxId, userId: BENCH_USER_ID } };
  const mine = (): boolean => inboxIndex === 0;
  const all = conversations + 1; // the big one is number `conversations`
  const messagesFor = (i: number): Message[] =>
    i === conversations ? messagesOf(BIG_CONVERSATION_ID, BIG_CONVERSATION_MESSAGES, T0 + (all + 1) * 60_000) : messagesOf(`c${i}`, perConversation, T0 + i * 60_000 + 30_000);
  for (let i = 0; i < all; i++) if (mine()) yield { entity: 'conversation', record: conversationOf(i, conversations, messagesFor(i)) };
  for (let i = 0; i < all; i++) if (mine()) for (const m of messagesFor(i)) yield { entity: 'message', record: m };
}

/** Writes the cache through the apply path and leaves it closed, keyed by a fresh key. */
export function buildRendererCache(dataDir: string, conversations: number, perConversation: number): BenchCache {
  const serverUrl = 'http://127.0.0.1:9'; // never answers: the core stays offline and serves the cache
  const user = person(0);
  const key = newCacheKey();
  const cache = openCache(dataDir, serverUrl, user.id, key);
  const applier = new FrameApplier(cache);
  let queued: DataFrame[] = [];
  const push = (frame: DataFrame, last = false): void => {
    queued.push(frame);
    if (queued.length === MAX_FRAMES_PER_TRANSACTION || last) {
      applier.applyBatch(queued);
      queued = [];
    }
  };
  const stream = (scope: Scope, records: Iterable<EntityRecord>): void => {
    let page: EntityRecord[] = [];
    let first = true;
    for (const record of records) {
      page.push(record);
      if (page.length === SYNC_LIMITS.maxBatch) {
        push({ type: 'snapshot', scope, reset: first, done: false, records: page, cursor: 1 });
        first = false;
        page = [];
      }
    }
    push({ type: 'snapshot', scope, reset: first, done: true, records: page, cursor: 1 });
  };
  stream('org:org_bench', (function* () {
    for (let i = 0; i < 20; i++) yield { entity: 'user', record: person(i) } as EntityRecord;
  })());
  stream('inbox:inbox_a', inboxRecords(0, conversations, perConversation));
  stream('inbox:inbox_b', inboxRecords(1, conversations, perConversation));
  push({ type: 'changes', entries: [], cursor: 1, caughtUp: true }, true);
  cache.setMeta('user', JSON.stringify(user));
  cache.db.exec('ANALYZE');
  cache.close();
  return {
    dataDir,
    serverUrl,
    user,
    key,
    keyName: cacheName(cacheFilePath(dataDir, serverUrl, user.id)),
    conversations: conversations + 1,
    messages: conversations * perConversation + BIG_CONVERSATION_MESSAGES,
  };
}
