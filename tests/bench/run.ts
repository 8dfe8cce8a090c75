/**
 * Client cache benchmark (`npm run bench`): prints a table, asserts nothing.
 *
 *  1. Ingest of N conversations / 10·N messages, each frame as JSON text going
 *     through the real path (JSON.parse → parseServerFrame validation →
 *     FrameApplier, frames grouped per transaction as the client core does),
 *     each beside a raw better-sqlite3 bulk insert of the same final rows into
 *     the same schema (same indexes) in one transaction:
 *     a. first sync: `snapshot` frames into an empty cache, FTS indexes built
 *        once at the end (deferred-fts.ts), that build included;
 *     b. catch-up: `changes` frames, FTS indexes kept row by row by triggers.
 *  2. Page-query latency of every list view at N conversations.
 *  3. Full-text search latency over 10·N messages (search-bench.ts).
 *  4. The renderer in Chromium against a warm cache of N conversations served by the browser host, beside a
 *     1,000-conversation baseline (renderer-bench.ts): reload → usable list, JS heap after scrolling the whole
 *     list, frame times while scrolling at full speed, opening a 5,000-message conversation.
 * Caches are encrypted in the product (README "Shared workstations"); 1 and 2 run on unencrypted caches as
 * before and again, through the apply path, on encrypted ones, printing what encryption costs.
 *
 * BENCH_SCALE (default 1 → 100,000 conversations / 1,000,000 messages), e.g.
 * BENCH_SCALE=0.05 for a quick smoke run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Conversation, EntityRecord, Message } from '../../protocol/domain.ts';
import { AssignmentFilter, ConversationListQuery, ListSort, ReadFilter } from '../../protocol/ipc.ts';
import { SYNC_LIMITS, type ChangeEntry, type SnapshotFrame } from '../../protocol/sync.ts';
import { parseServerFrame } from '../../main/core/server-frame.ts';
import type { Scope } from '../../protocol/scope.ts';
import { FrameApplier, MAX_FRAMES_PER_TRANSACTION, type DataFrame } from '../../main/core/cache/apply-frame.ts';
import { openCache, type CacheDb } from '../../main/core/cache/cache-file.ts';
import { newCacheKey, type CacheKey } from '../../main/core/cache/cache-key.ts';
import { ConversationListQueries } from '../../main/core/queries/conversation-list.ts';
import { runSearchBench } from './search-bench.ts';
import { runRendererBench } from './renderer-bench.ts';
import { runAssistantBench } from './assistant-bench.ts';
import { runQueueOverviewBench } from './queue-overview-bench.ts';
import { runWindowBench } from './window-bench.ts';
import { measure, percentile } from './percentiles.ts';
import { seededRandom } from '../support/seeded-random.ts';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const CONVERSATIONS = Math.max(100, Math.round(100_000 * scale));
const PER_CONVERSATION = 10;
const MESSAGES = CONVERSATIONS * PER_CONVERSATION;
const ME = 'user_me';
const USERS = Array.from({ length: 20 }, (_, i) => (i === 0 ? ME : `user_${i}`));
const INBOXES = ['inbox_a', 'inbox_b'];
const CHANNELS = INBOXES.flatMap((i) => [`${i}_sms`, `${i}_wa`, `${i}_web`]);
const T0 = 1_700_000_000_000;

interface Generated {
  scope: Scope;
  conversation: Conversation;
  messages: Message[];
  readAt: number | null;
}

/** Conversation i with its messages (some conversations have none, for the NULLs-first rule). */
function generate(i: number): Generated {
  const r = seededRandom(i + 1);
  const inboxIndex = i % 2;
  const channelId = CHANNELS[inboxIndex * 3 + Math.floor(r() * 3)] as string;
  const createdAt = T0 + i * 60_000;
  const count = i % 50 === 0 ? 0 : PER_CONVERSATION + (i % 50 === 1 ? (CONVERSATIONS / 50) * 0 : 0);
  const n = i % 50 === 0 ? 0 : count;
  const messages: Message[] = [];
  let lastInbound: number | null = null;
  for (let k = 0; k < n; k++) {
    const inbound = k % 2 === 0;
    const at = createdAt + (k + 1) * 30_000;
    if (inbound) lastInbound = at;
    messages.push({
      id: `m${i}_${k}`,
      conversationId: `c${i}`,
      direction: inbound ? 'in' : 'out',
      authorType: inbound ? 'contact' : 'user',
      authorId: inbound ? null : (USERS[Math.floor(r() * USERS.length)] as string),
      body: inbound ? 'Hi, is the Ridgeline 45L pack in stock in green?' : 'Yes — want me to hold one for you until Saturday?',
      attachments: [],
      status: 'delivered',
      statusReason: null,
      providerId: null,
      createdAt: at,
    });
  }
  const closed = r() < 0.3;
  const assignee = r() < 0.25 ? null : (USERS[Math.floor(r() * USERS.length)] as string);
  const last = messages[messages.length - 1];
  const conversation: Conversation = {
    id: `c${i}`,
    inboxId: INBOXES[inboxIndex] as string,
    channelId,
    contactId: `k${i % 5000}`,
    customerAddress: `+1415${String(5_000_000 + (i % 4_000_000)).padStart(7, '0')}`,
    status: closed ? 'closed' : 'open',
    assigneeId: assignee,
    tags: i % 17 === 0 ? ['vip'] : [],
    createdAt,
    closedAt: closed ? createdAt + 3_600_000 : null,
    lastMessageAt: last ? last.createdAt : null,
    lastMessagePreview: last ? last.body : '',
    participantIds: r() < 0.2 ? [ME] : [],
  };
  const readAt = lastInbound !== null && r() < 0.7 ? lastInbound + 1 : null;
  return { scope: `inbox:${conversation.inboxId}`, conversation, messages, readAt };
}

function* entries(): Generator<ChangeEntry> {
  let seq = 0;
  for (let i = 0; i < CONVERSATIONS; i++) {
    const g = generate(i);
    yield { seq: ++seq, scope: g.scope, op: 'put', entity: 'conversation', record: g.conversation };
    for (const m of g.messages) yield { seq: ++seq, scope: g.scope, op: 'put', entity: 'message', record: m };
    if (g.readAt !== null) {
      yield {
        seq: ++seq,
        scope: `user:${ME}`,
        op: 'put',
        entity: 'conversationUserState',
        record: { id: `c${i}:${ME}`, conversationId: `c${i}`, userId: ME, readAt: g.readAt, archived: i % 40 === 3 },
      };
    }
  }
}

const SCOPES: readonly Scope[] = [...INBOXES.map((id): Scope => `inbox:${id}`), `user:${ME}`];

/** The conversations of one snapshot scope (user scope: all of them, for their read states). */
function* generatedOf(scope: Scope): Generator<Generated> {
  for (let i = 0; i < CONVERSATIONS; i++) {
    if (scope.startsWith('user:') || scope === `inbox:${INBOXES[i % 2] as string}`) yield generate(i);
  }
}

/** The same records as entries(), in the order the server snapshots them: per scope, conversations before messages. */
function* snapshotRecords(scope: Scope): Generator<EntityRecord> {
  if (scope.startsWith('user:')) {
    for (const g of generatedOf(scope)) {
      if (g.readAt === null) continue;
      const i = Number(g.conversation.id.slice(1));
      yield { entity: 'conversationUserState', record: { id: `c${i}:${ME}`, conversationId: `c${i}`, userId: ME, readAt: g.readAt, archived: i % 40 === 3 } };
    }
    return;
  }
  for (const g of generatedOf(scope)) yield { entity: 'conversation', record: g.conversation };
  for (const g of generatedOf(scope)) for (const m of g.messages) yield { entity: 'message', record: m };
}

/** `key` null: unencrypted, as before encryption, for the figures encryption is measured against. */
function freshCache(key: CacheKey | null = null): { cache: CacheDb; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const cache = openCache(dir, 'http://bench.invalid', ME, key);
  return {
    cache,
    cleanup: () => {
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The real path: wire text → JSON → protocol validation → FrameApplier, with
 * frames grouped per transaction exactly as the client core groups frames that
 * arrive while the previous ones are being applied (MAX_FRAMES_PER_TRANSACTION).
 */
const phases = { json: 0, zod: 0, apply: 0 };
function ingestThroughApply(cache: CacheDb): { ms: number; rows: number } {
  const applier = new FrameApplier(cache);
  let queued: DataFrame[] = [];
  let batch: ChangeEntry[] = [];
  let ms = 0;
  let rows = 0;
  const flush = (caughtUp: boolean): void => {
    const last = batch[batch.length - 1];
    const text = JSON.stringify({ type: 'changes', entries: batch, cursor: last ? last.seq : 0, caughtUp });
    const start = performance.now();
    const json: unknown = JSON.parse(text);
    const t1 = performance.now();
    const parsed = parseServerFrame(json);
    if (!parsed.success) throw parsed.error;
    const frame = parsed.data;
    const t2 = performance.now();
    if (frame.type !== 'changes') throw new Error('unexpected frame');
    queued.push(frame);
    if (queued.length === MAX_FRAMES_PER_TRANSACTION || caughtUp) {
      applier.applyBatch(queued);
      queued = [];
    }
    const t3 = performance.now();
    phases.json += t1 - start;
    phases.zod += t2 - t1;
    phases.apply += t3 - t2;
    ms += t3 - start;
    rows += batch.length;
    batch = [];
  };
  for (const e of entries()) {
    batch.push(e);
    if (batch.length === SYNC_LIMITS.maxBatch) flush(false);
  }
  flush(true);
  return { ms, rows };
}

/**
 * A first sync through the real path: every scope's snapshot in SYNC_LIMITS.maxBatch-record frames, then
 * the empty `changes` frame that ends catch-up (which builds the deferred indexes), grouped per transaction
 * as the client core groups them. `buildMs` is the share of `ms` spent building the indexes.
 */
function snapshotThroughApply(cache: CacheDb): { ms: number; rows: number; buildMs: number } {
  const applier = new FrameApplier(cache);
  const resume = cache.fts.resume.bind(cache.fts);
  let buildMs = 0;
  cache.fts.resume = () => {
    const start = performance.now();
    resume();
    buildMs += performance.now() - start;
  };
  let queued: DataFrame[] = [];
  let ms = 0;
  let rows = 0;
  const cursor = 2 * MESSAGES;
  const send = (frame: SnapshotFrame | { type: 'changes'; entries: []; cursor: number; caughtUp: true }, last: boolean): void => {
    const text = JSON.stringify(frame);
    const start = performance.now();
    const parsed = parseServerFrame(JSON.parse(text) as unknown);
    if (!parsed.success) throw parsed.error;
    queued.push(parsed.data as DataFrame);
    if (queued.length === MAX_FRAMES_PER_TRANSACTION || last) {
      applier.applyBatch(queued);
      queued = [];
    }
    ms += performance.now() - start;
  };
  for (const scope of SCOPES) {
    // One frame of look-ahead: the last frame of a scope carries done.
    let records: EntityRecord[] = [];
    let pending: EntityRecord[] | null = null;
    let first = true;
    const flush = (done: boolean): void => {
      if (pending === null) return;
      send({ type: 'snapshot', scope, reset: first, done, records: pending, cursor }, false);
      rows += pending.length;
      first = false;
      pending = null;
    };
    for (const rec of snapshotRecords(scope)) {
      records.push(rec);
      if (records.length === SYNC_LIMITS.maxBatch) {
        flush(false);
        pending = records;
        records = [];
      }
    }
    flush(records.length === 0);
    if (records.length > 0) pending = records;
    flush(true);
  }
  send({ type: 'changes', entries: [], cursor, caughtUp: true }, true);
  cache.fts.resume = resume;
  return { ms, rows, buildMs };
}

/**
 * The floor: the same final rows, prepared statements, one transaction, no validation. `order` 'snapshot'
 * writes them in snapshotRecords() order; `deferFts` drops the FTS triggers first and builds the indexes
 * at the end (same code as the apply path), `buildMs` being that build's share of `ms`.
 */
function ingestRaw(cache: CacheDb, options: { order: 'catchUp' | 'snapshot'; deferFts: boolean }): { ms: number; rows: number; buildMs: number } {
  const db = cache.db;
  const conv = db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status, assignee_id,
    tags, created_at, closed_at, last_message_at, preview, participant_ids, with_me, read_at, archived, last_inbound_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const tag = db.prepare('INSERT INTO conversation_tags (conversation_id, tag) VALUES (?, ?)');
  const msg = db.prepare(`INSERT INTO messages (id, scope, conversation_id, direction, author_type, author_id, body, attachments, status,
    status_reason, provider_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const state = db.prepare(`INSERT INTO conversation_user_state (id, scope, conversation_id, user_id, read_at, archived) VALUES (?, ?, ?, ?, ?, ?)`);
  let ms = 0;
  let rows = 0;
  const BATCH = 100;
  let pending: Generated[] = [];
  const parts = { conversation: true, messages: true, state: true };
  const run = (): void => {
    const start = performance.now();
    for (const g of pending) {
      const c = g.conversation;
      const i = Number(c.id.slice(1));
      if (parts.conversation) {
        const lastInbound = g.messages.filter((m) => m.direction === 'in').reduce<number | null>((a, m) => Math.max(a ?? 0, m.createdAt), null);
        conv.run(c.id, g.scope, c.inboxId, c.channelId, c.contactId, c.customerAddress, c.status, c.assigneeId, JSON.stringify(c.tags),
          c.createdAt, c.closedAt, c.lastMessageAt, c.lastMessagePreview, JSON.stringify(c.participantIds), c.participantIds.includes(ME) ? 1 : 0,
          g.readAt, g.readAt !== null && i % 40 === 3 ? 1 : 0, lastInbound);
        for (const t of c.tags) tag.run(c.id, t);
        rows += 1;
      }
      if (parts.messages) {
        for (const m of g.messages) {
          msg.run(m.id, g.scope, m.conversationId, m.direction, m.authorType, m.authorId, m.body, JSON.stringify(m.attachments), m.status,
            m.statusReason, m.providerId, m.createdAt);
        }
        rows += g.messages.length;
      }
      if (parts.state && g.readAt !== null) {
        state.run(`${c.id}:${ME}`, `user:${ME}`, c.id, ME, g.readAt, i % 40 === 3 ? 1 : 0);
        rows += 1;
      }
    }
    ms += performance.now() - start;
    pending = [];
  };
  const pass = (source: Iterable<Generated>, only: Partial<typeof parts>): void => {
    Object.assign(parts, { conversation: false, messages: false, state: false }, only);
    for (const g of source) {
      pending.push(g);
      if (pending.length === BATCH) run();
    }
    run();
  };
  const start = performance.now();
  db.exec('BEGIN IMMEDIATE');
  if (options.deferFts) cache.fts.defer();
  ms += performance.now() - start;
  if (options.order === 'catchUp') {
    pass(generatedOf(`user:${ME}`), { conversation: true, messages: true, state: true });
  } else {
    for (const scope of SCOPES) {
      if (scope.startsWith('user:')) pass(generatedOf(scope), { state: true });
      else {
        pass(generatedOf(scope), { conversation: true });
        pass(generatedOf(scope), { messages: true });
      }
    }
  }
  const build = performance.now();
  if (options.deferFts) cache.fts.resume();
  const buildMs = performance.now() - build;
  db.exec('COMMIT');
  ms += performance.now() - build;
  return { ms, rows, buildMs };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

console.log(`Switchboard client cache bench — ${fmt(CONVERSATIONS)} conversations, ${fmt(MESSAGES - Math.floor(CONVERSATIONS / 50) * PER_CONVERSATION)} messages (BENCH_SCALE=${scale})\n`);

const rate = (r: { rows: number; ms: number }): number => r.rows / (r.ms / 1000);
const line = (label: string, r: { rows: number; ms: number }): void =>
  console.log(`    ${pad(label, 74)}${lpad(fmt(r.rows), 12)}${lpad(fmt(r.ms / 1000, 2), 10)}${lpad(fmt(rate(r)), 12)}`);
const frames = `${SYNC_LIMITS.maxBatch}-record frames ×${MAX_FRAMES_PER_TRANSACTION}/txn`;

// Each run gets its own fresh cache file; the last one (catch-up) is kept for the page queries below.
const rawSnap = freshCache();
const rawSnapResult = ingestRaw(rawSnap.cache, { order: 'snapshot', deferFts: true });
rawSnap.cleanup();
const snap = freshCache();
const snapResult = snapshotThroughApply(snap.cache);
const snapDeferred = snap.cache.fts.deferred;
snap.cleanup();
const raw = freshCache();
const rawResult = ingestRaw(raw.cache, { order: 'catchUp', deferFts: false });
raw.cleanup();
const real = freshCache();
const applyResult = ingestThroughApply(real.cache);
const plainPhases = { ...phases };
// The same two apply paths on encrypted caches (the product's configuration).
const encSnap = freshCache(newCacheKey());
const encSnapResult = snapshotThroughApply(encSnap.cache);
encSnap.cleanup();
const realEncrypted = freshCache(newCacheKey());
const encApplyResult = ingestThroughApply(realEncrypted.cache);
Object.assign(phases, plainPhases);
const encryptionCost = (encrypted: { rows: number; ms: number }, plain: { rows: number; ms: number }): string =>
  `    encrypted (SQLCipher AES-256 + HMAC-SHA512 per page): ${fmt(rate(encrypted))} rows/s, time vs unencrypted ${signedPercent(rate(plain) / rate(encrypted) - 1)}`;
const signedPercent = (fraction: number): string => `${fraction >= 0 ? '+' : ''}${fmt(fraction * 100, 0)} %`;

console.log('Ingest (same rows, same schema and indexes, fresh empty cache each; seconds include every commit)');
console.log(`    ${pad('path', 74)}${lpad('rows', 12)}${lpad('seconds', 10)}${lpad('rows/s', 12)}`);
console.log('  First sync: snapshot frames into an empty cache, FTS deferred (built once at the end)');
line(`raw bulk insert, 1 txn, snapshot order, + FTS build (${fmt(rawSnapResult.buildMs / 1000, 2)} s)`, rawSnapResult);
line(`apply path: JSON+zod+apply, ${frames}, + FTS build and unread settle (${fmt(snapResult.buildMs / 1000, 2)} s)`, snapResult);
const snapRatio = rate(snapResult) / rate(rawSnapResult);
console.log(`    ratio apply/raw = ${fmt(snapRatio, 2)}   target ≥ 0.50   ${snapRatio >= 0.5 ? 'met' : 'MISSED'}${snapDeferred ? '   (indexes NOT built: bug)' : ''}`);
line('apply path as above, encrypted cache', encSnapResult);
console.log(encryptionCost(encSnapResult, snapResult));
console.log('  Catch-up: changes frames, FTS kept row by row by triggers (every cache that already holds data)');
line('raw bulk insert, 1 txn, catch-up order, FTS triggers per row', rawResult);
line(`apply path: JSON+zod+apply, ${frames.replace('record', 'entry')}`, applyResult);
console.log(`    apply path phases: JSON.parse ${fmt(phases.json / 1000, 2)} s, zod ${fmt(phases.zod / 1000, 2)} s, SQLite ${fmt(phases.apply / 1000, 2)} s`);
const ratio = rate(applyResult) / rate(rawResult);
console.log(`    ratio apply/raw = ${fmt(ratio, 2)}   target ≥ 0.50   ${ratio >= 0.5 ? 'met' : 'MISSED'}`);
line('apply path as above, encrypted cache', encApplyResult);
console.log(encryptionCost(encApplyResult, applyResult));
console.log(`  first sync vs catch-up through the apply path: ×${fmt(rate(snapResult) / rate(applyResult), 2)} rows/s\n`);

const iterations = Number(process.env.BENCH_ITERATIONS ?? '300');
const views: { name: string; query: ConversationListQuery }[] = [];
for (const folder of ['open', 'closed'] as const)
  for (const assignment of AssignmentFilter.options)
    for (const read of ReadFilter.options)
      for (const sort of ListSort.options) {
        views.push({ name: `${folder}/${assignment}/${read}/${sort}`, query: ConversationListQuery.parse({ folder, assignment, read, sort }) });
      }
views.push({ name: 'open/all/all/recentMessages inbox_a', query: ConversationListQuery.parse({ inboxId: 'inbox_a' }) });
views.push({ name: 'open/all/all/recentMessages inbox_a_sms', query: ConversationListQuery.parse({ channelId: 'inbox_a_sms' }) });
views.push({ name: 'open/all/all/recentMessages tag vip', query: ConversationListQuery.parse({ tag: 'vip' }) });
const PAGE_TARGET_MS = 2;
const mark = (p99: number): string => (p99 <= PAGE_TARGET_MS ? '   ≤ 2 ms met' : '   ≤ 2 ms MISSED');

/** The page-query table over one cache; returns its worst p99s and the mean of its p50s. */
function pageQueries(cache: CacheDb): { warm: number; cold: number; warmP50: number; coldP50: number } {
  cache.db.exec('ANALYZE');
  const lists = new ConversationListQueries(cache);
  console.log(`  ${pad('view (folder/assignment/read/sort)', 52)}${lpad('total', 9)}${lpad('warm p50', 10)}${lpad('warm p99', 10)}${lpad('cold p50', 10)}${lpad('cold p99', 10)}   target`);
  let worstWarm = 0;
  let worstCold = 0;
  let warmP50 = 0;
  let coldP50 = 0;
  for (const v of views) {
    const total = lists.page(v.query, 0, 50).total;
    const warm = measure(() => lists.page(v.query, 0, 50), iterations);
    const cold = measure(() => {
      cache.version++;
      lists.page(v.query, 0, 50);
    }, iterations);
    worstWarm = Math.max(worstWarm, warm.p99);
    worstCold = Math.max(worstCold, cold.p99);
    warmP50 += warm.p50 / views.length;
    coldP50 += cold.p50 / views.length;
    const ms = (n: number): string => `${fmt(n, 3)}`;
    console.log(
      `  ${pad(v.name, 52)}${lpad(fmt(total), 9)}${lpad(ms(warm.p50), 10)}${lpad(ms(warm.p99), 10)}${lpad(ms(cold.p50), 10)}${lpad(ms(cold.p99), 10)}${mark(Math.max(warm.p99, cold.p99))}`,
    );
  }
  const counts = measure(() => {
    cache.version++;
    lists.counts(null, null);
  }, iterations);
  worstCold = Math.max(worstCold, counts.p99);
  console.log(`  ${pad('counts (6 totals, cold)', 52)}${lpad('', 9)}${lpad('', 10)}${lpad('', 10)}${lpad(fmt(counts.p50, 3), 10)}${lpad(fmt(counts.p99, 3), 10)}${mark(counts.p99)}`);

  // The first page after a real synced write: one inbound message applied (not timed), then the page (timed).
  const afterWrite = (() => {
    const applier = new FrameApplier(cache);
    const times: number[] = [];
    let seq = 10_000_000;
    for (let i = 0; i < iterations + 5; i++) {
      const c = generate((i * 7919) % CONVERSATIONS).conversation;
      const at = T0 + 1_000_000_000 + i;
      applier.apply({
        type: 'changes',
        cursor: ++seq,
        caughtUp: true,
        entries: [
          { seq, scope: `inbox:${c.inboxId}`, op: 'put', entity: 'message', record: { id: `w${i}`, conversationId: c.id, direction: 'in', authorType: 'contact', authorId: null, body: 'One more question', attachments: [], status: 'delivered', statusReason: null, providerId: null, createdAt: at } },
          { seq, scope: `inbox:${c.inboxId}`, op: 'put', entity: 'conversation', record: { ...c, lastMessageAt: at, lastMessagePreview: 'One more question' } },
        ],
      });
      const start = performance.now();
      lists.page(ConversationListQuery.parse({ read: 'unread' }), 0, 50);
      lists.counts(null, null);
      if (i >= 5) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  })();
  worstCold = Math.max(worstCold, afterWrite.p99);
  console.log(
    `  ${pad('after a synced message: unread page + 6 counts', 52)}${lpad('', 9)}${lpad('', 10)}${lpad('', 10)}${lpad(fmt(afterWrite.p50, 3), 10)}${lpad(fmt(afterWrite.p99, 3), 10)}${mark(afterWrite.p99)}`,
  );
  console.log(`\n  worst p99: warm ${fmt(worstWarm, 3)} ms, cold ${fmt(worstCold, 3)} ms   target ≤ 2 ms   ${Math.max(worstWarm, worstCold) <= PAGE_TARGET_MS ? 'met' : 'MISSED'}`);
  return { warm: worstWarm, cold: worstCold, warmP50, coldP50 };
}

console.log(`Page queries (first page of 50, ${iterations} runs each). "warm" = total memoised (scrolling, no writes in between);`);
console.log('"cold" = total recounted every time (first render after a write).');
const plainPages = pageQueries(real.cache);
real.cleanup();
console.log('\nPage queries on the encrypted cache (same data, same runs)');
const encryptedPages = pageQueries(realEncrypted.cache);
realEncrypted.cleanup();
const delta = (enc: number, plain: number): string => `${enc >= plain ? '+' : ''}${fmt(enc - plain, 3)} ms`;
console.log(
  `  encryption cost on page queries: mean p50 warm ${delta(encryptedPages.warmP50, plainPages.warmP50)}, cold ${delta(encryptedPages.coldP50, plainPages.coldP50)}; ` +
    `worst p99 warm ${delta(encryptedPages.warm, plainPages.warm)}, cold ${delta(encryptedPages.cold, plainPages.cold)}`,
);

// 3. Search: FTS5 over 1,000,000 messages × BENCH_SCALE (its own cache and data: see search-bench.ts).
runSearchBench(scale, iterations);

// 4. The renderer in Chromium (its own caches: see renderer-bench.ts).
await runRendererBench(scale);

// 5. Message Assistant (issue 12): past-reply suggestions at 1,000,000 messages × BENCH_SCALE and the time to the first
// streamed token through our server (assistant-bench.ts).
await runAssistantBench(scale, iterations);

// 6. The supervisor's Queues view (issue 10): queues.overview at 100,000 routed conversations × BENCH_SCALE (queue-overview-bench.ts).
runQueueOverviewBench(scale, iterations);
// 7. Windowed first sync (issue 13): sign-in to a usable inbox, the window, the fill and history on demand against a
// demo server of 100,000 conversations × BENCH_SCALE, beside today's full first sync (window-bench.ts).
await runWindowBench(scale);
