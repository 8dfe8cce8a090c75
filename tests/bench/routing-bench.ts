/**
 * Routing decision benchmark (issue 10 §5; part of `npm run bench:server`): prints a table, asserts nothing.
 *
 * A queue with BENCH_WAITING (default 10,000) waiting conversations and BENCH_AGENTS (500) logged-in, connected
 * agents, every one at capacity (3 open conversations each). Each round one agent's conversation is closed
 * (outside the timing), then one routing pass runs in its own write transaction: it finds the oldest waiting
 * conversation, the one agent with room among the 500 (in longest-idle order), and assigns it. p50 and p99 of
 * that pass (the decision: its reads and writes inside the transaction; and its p50 with the commit), on SQLite and
 * PostgreSQL; the baseline is the same decision in a queue of 100 waiting and 10 agents.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEFAULT_QUEUE_SETTINGS, type EntityOf } from '../../protocol/domain.ts';
import { recordId } from '../../protocol/scope.ts';
import { routeQueue } from '../../server/domain/routing/route-queue.ts';
import { openPostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage, StorageTx } from '../../server/storage/storage.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { createTestDatabase } from '../server/support/postgres.ts';
import { percentile } from './percentiles.ts';

const WAITING = Number(process.env.BENCH_WAITING ?? 10_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUTING_ROUNDS ?? 300);
const CAPACITY = 3;
const TARGET_P99_MS = 20;
const Q = 'queue_bench';

const conversation = (id: string, at: number, assigneeId: string | null): EntityOf<'conversation'> => ({
  id, inboxId: Q, channelId: 'ch_bench', contactId: null, customerAddress: `+1415${String(at).padStart(7, '0')}`, status: 'open', assigneeId,
  tags: [], createdAt: at, closedAt: null, lastMessageAt: at, lastMessagePreview: 'Hello', participantIds: [],
  routing: { waitingSince: at, firstQueuedAt: at, offer: null, assignedAt: assigneeId ? at : null, firstResponseAt: null, handledBy: assigneeId ? [assigneeId] : [], inProgressWhenLoggedOut: false },
});

async function seed(storage: Storage, waiting: number, agents: number): Promise<string[]> {
  const assigned: string[] = [];
  await storage.transaction(async (tx: StorageTx) => {
    await tx.putOrg({ id: 'org_bench', name: 'Bench' });
    await tx.put('inbox', { id: Q, orgId: 'org_bench', name: 'Bench', kind: 'queue', assignmentMode: true, queue: { ...DEFAULT_QUEUE_SETTINGS, defaultCapacity: CAPACITY } });
    await tx.put('channel', { id: 'ch_bench', inboxId: Q, kind: 'sms', name: 'Bench', address: '+14155550100', registration: 'approved' });
    for (let a = 0; a < agents; a++) {
      const userId = `agent_${a}`;
      await tx.put('user', { id: userId, orgId: 'org_bench', name: userId, email: `${userId}@bench.test`, role: 'agent', status: 'active', avatarColor: '#333' });
      await tx.put('queueAgent', {
        id: recordId.queueAgent(Q, userId), inboxId: Q, userId, loggedIn: true, connected: true, capacity: null, since: 0,
        loggedOutReason: null, missedOffers: 0, lastRoutedAt: 1_000 + a, lastActivityAt: null,
      });
      for (let k = 0; k < CAPACITY; k++) {
        const id = `busy_${a}_${k}`;
        await tx.put('conversation', conversation(id, 1_000 + a, userId));
        assigned.push(id);
      }
    }
    for (let i = 0; i < waiting; i++) await tx.put('conversation', conversation(`wait_${i}`, 100_000 + i, null));
  });
  return assigned;
}

interface Timing {
  p50: number;
  p99: number;
  /** The whole write transaction, commit included (SQLite: synchronous FULL, an fsync per commit). */
  committedP50: number;
}

async function measure(storage: Storage, waiting: number, agents: number, afterSeed: () => Promise<void> = async () => {}): Promise<Timing> {
  const busy = await seed(storage, waiting, agents);
  await afterSeed();
  const times: number[] = [];
  const committed: number[] = [];
  let now = 10_000_000;
  for (let round = 0; round < Math.min(ROUNDS + 5, waiting); round++) {
    // Free one slot of a random agent, without routing (that is what is timed next).
    const pick = Math.floor(Math.random() * busy.length);
    const id = busy[pick]!;
    await storage.transaction(async (tx) => {
      const c = await tx.get('conversation', id);
      await tx.put('conversation', { ...c!, status: 'closed', closedAt: now });
    });
    const start = performance.now();
    let decided = 0;
    const routed = await storage.transaction(async (tx) => {
      const begun = performance.now();
      const n = await routeQueue(tx, Q, (now += 1));
      decided = performance.now() - begun;
      return n;
    });
    if (round >= 5) {
      times.push(decided);
      committed.push(performance.now() - start);
    }
    if (routed !== 1) throw new Error(`expected one routing decision, made ${routed}`);
    // The conversation just routed takes the freed one's place among the busy.
    busy[pick] = (await storage.transaction((tx) => tx.list('conversation', { inboxId: Q }, '', 1_000_000), { kind: 'read' }))
      .find((c) => c.status === 'open' && c.routing?.assignedAt === now)!.id;
  }
  times.sort((a, b) => a - b);
  committed.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), committedP50: percentile(committed, 50) };
}

async function sqlite(waiting: number, agents: number): Promise<Timing> {
  const dir = tempDir('switchboard-routing-bench-');
  const storage = openSqliteStorage({ file: `${dir.path}/bench.sqlite` });
  try {
    return await measure(storage, waiting, agents);
  } finally {
    await storage.close();
    dir.remove();
  }
}

async function postgres(waiting: number, agents: number): Promise<Timing> {
  const db = await createTestDatabase();
  const storage = await openPostgresStorage({ url: db.url });
  try {
    // What autovacuum does to a live database: statistics for the planner, the visibility map for index-only scans.
    return await measure(storage, waiting, agents, async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('VACUUM ANALYZE');
      await client.end();
    });
  } finally {
    await storage.close();
    await db.drop();
  }
}

const rows: Array<[string, Timing, Timing]> = [];
for (const [name, run] of [['SQLite', sqlite], ['PostgreSQL', postgres]] as const) {
  process.stderr.write(`bench: routing on ${name}…\n`);
  const base = await run(100, 10);
  const big = await run(WAITING, AGENTS);
  rows.push([name, big, base]);
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
console.log(`\nRouting decision: ${WAITING.toLocaleString('en')} waiting, ${AGENTS} agents at capacity ${CAPACITY}, one slot freed per round (${ROUNDS} rounds); baseline: 100 waiting, 10 agents\n`);
const header = ['engine', 'decision p50', `decision p99 (target ≤ ${TARGET_P99_MS} ms)`, 'with commit p50', 'baseline p50', 'baseline p99'];
console.log(header.join(' | '));
console.log(header.map((h) => '-'.repeat(h.length)).join('-|-'));
for (const [name, big, base] of rows) {
  console.log(
    [
      name.padEnd(header[0]!.length),
      ms(big.p50).padStart(header[1]!.length),
      `${ms(big.p99)} ${big.p99 <= TARGET_P99_MS ? '✓' : '✗'}`.padStart(header[2]!.length),
      ms(big.committedP50).padStart(header[3]!.length),
      ms(base.p50).padStart(header[4]!.length),
      ms(base.p99).padStart(header[5]!.length),
    ].join(' | '),
  );
}
