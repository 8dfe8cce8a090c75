/**
 * The supervisor's Queues view refresh (issue 10 §5): `queues.overview` over an encrypted cache of N routed
 * conversations (100,000 × BENCH_SCALE) in two queues, 30 days of history, with 24 agents — the query main runs
 * on every changed-views event while the view is open. Printed beside two baselines measured in the same run:
 * the same query over 1,000 conversations, and the naive computation (every conversation row of the queues read
 * and the figures worked out in JavaScript), which is what the indexes of cache migrations 11 and 13 avoid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_QUEUE_SETTINGS } from '../../protocol/contact-center.ts';
import { openCache, type CacheDb } from '../../main/core/cache/cache-file.ts';
import { newCacheKey } from '../../main/core/cache/cache-key.ts';
import { queueOverview } from '../../main/core/queries/queue-overview.ts';
import { median, startOfLocalDay } from '../../main/core/queries/queue-metrics.ts';
import { WaitingHistory } from '../../main/core/queries/waiting-history.ts';
import { measure } from './percentiles.ts';
import { seededRandom } from '../support/seeded-random.ts';

const ME = 'user_sup';
const QUEUES = ['queue_billing', 'queue_tech'];
const AGENTS = Array.from({ length: 24 }, (_, i) => `agent_${i}`);
const DAY = 24 * 60 * 60 * 1000;
/** One frame at 60 Hz: a refresh on every change never holds the view back. */
const TARGET_MS = 16;

/** Fills a cache with `count` routed conversations ending at `now`: mostly closed history, today's traffic, a live queue. */
function fill(cache: CacheDb, count: number, now: number): void {
  const db = cache.db;
  const r = seededRandom(7);
  const users = db.prepare(`INSERT INTO users (id, scope, org_id, name, email, role, status, avatar_color) VALUES (?, 'org:o', 'o', ?, ?, ?, 'active', '#336699')`);
  const inboxes = db.prepare(`INSERT INTO inboxes (id, scope, org_id, name, kind, assignment_mode, queue_settings) VALUES (?, ?, 'o', ?, 'queue', 1, ?)`);
  const members = db.prepare('INSERT INTO inbox_members (id, scope, inbox_id, user_id) VALUES (?, ?, ?, ?)');
  const agents = db.prepare(`INSERT INTO queue_agents (id, scope, inbox_id, user_id, logged_in, connected, capacity, since, logged_out_reason, missed_offers,
    last_routed_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL, 0, ?, ?)`);
  const contacts = db.prepare(`INSERT INTO contacts (id, scope, org_id, owner_id, name, phones, email, company, notes, sms_opt_out) VALUES (?, 'org:o', 'o', NULL, ?, '[]', NULL, NULL, NULL, 0)`);
  const conv = db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status, assignee_id, tags, created_at,
    closed_at, last_message_at, preview, participant_ids, routing, waiting_since, first_queued_at, first_response_at, assigned_at, offer_user_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, '', '[]', NULL, ?, ?, ?, ?, NULL)`);
  db.transaction(() => {
    users.run(ME, 'Sofia Reyes', 'sofia@bench.invalid', 'supervisor');
    AGENTS.forEach((a, i) => users.run(a, `Agent ${i}`, `${a}@bench.invalid`, 'agent'));
    for (let k = 0; k < 5000; k++) contacts.run(`k${k}`, `Customer ${k}`);
    for (const q of QUEUES) {
      inboxes.run(q, `inbox:${q}`, q, JSON.stringify(DEFAULT_QUEUE_SETTINGS));
      for (const u of [ME, ...AGENTS]) members.run(`${q}:${u}`, `inbox:${q}`, q, u);
      AGENTS.forEach((a, i) => agents.run(`${q}:${a}`, `inbox:${q}`, q, a, i % 4 === 3 ? 0 : 1, i % 8 === 1 ? 0 : 1, now - 3_600_000, now - 600_000, now - 60_000));
    }
    for (let i = 0; i < count; i++) {
      const q = QUEUES[i % 2] as string;
      // Older conversations first: the last ~3 % arrive today, the newest few hundred are still open.
      const queuedAt = now - Math.floor((1 - i / count) * 30 * DAY) - 1;
      const open = i >= count - Math.max(40, Math.round(count * 0.003));
      const waiting = open && i % 3 === 0;
      const assignee = waiting ? null : (AGENTS[Math.floor(r() * AGENTS.length)] as string);
      const responded = waiting ? null : queuedAt + Math.floor(r() * 180_000);
      const closedAt = open ? null : Math.min(now - 1, queuedAt + 600_000 + Math.floor(r() * 3_600_000));
      conv.run(`c${i}`, `inbox:${q}`, q, `${q}_sms`, `k${i % 5000}`, `+1415${String(5_000_000 + (i % 4_000_000)).padStart(7, '0')}`, open ? 'open' : 'closed',
        assignee, queuedAt, closedAt, queuedAt, waiting ? queuedAt : null, queuedAt, responded, assignee ? queuedAt + 1000 : null);
    }
  })();
  db.exec('ANALYZE');
}

/** The naive refresh: every conversation row of the queues, figures computed in JavaScript. */
function naive(cache: CacheDb, now: number): number {
  const dayStart = startOfLocalDay(now);
  let total = 0;
  for (const q of QUEUES) {
    const rows = cache.db
      .prepare('SELECT status, assignee_id, waiting_since, first_queued_at, first_response_at, closed_at FROM conversations WHERE inbox_id = ?')
      .all(q) as { status: string; assignee_id: string | null; waiting_since: number | null; first_queued_at: number; first_response_at: number | null; closed_at: number | null }[];
    const waiting = rows.filter((c) => c.waiting_since !== null).length;
    const loads = new Map<string, number>();
    for (const c of rows) if (c.status === 'open' && c.assignee_id) loads.set(c.assignee_id, (loads.get(c.assignee_id) ?? 0) + 1);
    const handled = rows.filter((c) => c.status === 'closed' && (c.closed_at ?? 0) >= dayStart).length;
    const firsts = median(rows.filter((c) => (c.first_response_at ?? 0) >= dayStart).map((c) => (c.first_response_at as number) - c.first_queued_at));
    // The rule of README "Supervisor view", row by row.
    let counted = 0;
    for (const c of rows) {
      if (c.first_queued_at < dayStart) continue;
      const waited = (c.first_response_at ?? (c.status === 'open' ? now : (c.closed_at ?? now))) - c.first_queued_at;
      if (c.first_response_at !== null || waited > 60_000) counted++;
    }
    const sl = { counted };
    total += waiting + loads.size + handled + (firsts ?? 0) + sl.counted;
  }
  return total;
}

export function runQueueOverviewBench(scale: number, iterations: number): void {
  const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
  const count = Math.max(1_000, Math.round(100_000 * scale));
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-queues-'));
  try {
    const big = openCache(join(dir, 'big'), 'http://bench.invalid', ME, newCacheKey());
    const start = performance.now();
    fill(big, count, now);
    const fillMs = performance.now() - start;
    const small = openCache(join(dir, 'small'), 'http://bench.invalid', ME, newCacheKey());
    fill(small, 1_000, now);
    const history = new WaitingHistory();
    const sample = queueOverview(big, now, history);
    const rows: [string, { p50: number; p99: number }, boolean][] = [
      [`queues.overview, ${fmt(count)} conversations`, measure(() => queueOverview(big, Date.now(), history), iterations), true],
      ['baseline: queues.overview, 1,000 conversations', measure(() => queueOverview(small, Date.now(), history), iterations), false],
      [`baseline: naive (read every row, compute in JS), ${fmt(count)}`, measure(() => naive(big, Date.now()), Math.max(5, Math.round(iterations / 10))), false],
    ];
    console.log(`\nSupervisor view refresh (queues.overview; 2 queues, 24 agents, encrypted cache filled in ${fmt(fillMs / 1000, 1)} s; ${iterations} runs)`);
    const q = sample.queues[0];
    if (q) console.log(`  ${q.name}: ${fmt(q.waiting)} waiting, ${fmt(q.handledToday)} handled today, ${fmt(q.firstResponsesToday)} first answers today, service level ${fmt((q.serviceLevel.share ?? 0) * 100)} %`);
    console.log(`  ${pad('query', 62)}${lpad('p50 ms', 10)}${lpad('p99 ms', 10)}   target`);
    for (const [label, t, targeted] of rows) {
      const verdict = targeted ? `   p99 ≤ ${TARGET_MS} ms ${t.p99 <= TARGET_MS ? 'met' : 'MISSED'}` : '';
      console.log(`  ${pad(label, 62)}${lpad(fmt(t.p50, 3), 10)}${lpad(fmt(t.p99, 3), 10)}${verdict}`);
    }
    big.close();
    small.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
