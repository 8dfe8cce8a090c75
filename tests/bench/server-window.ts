/**
 * Server side of issue 13 (`npm run bench:server`, or `tsx tests/bench/server-window.ts`): prints a table,
 * asserts nothing. On the large demo (SWITCHBOARD_DEMO_SIZE's generator: two years of history, most of it
 * closed; BENCH_WINDOW_CONVERSATIONS, default 100,000 conversations ≈ 1,000,000 messages), for SQLite and
 * PostgreSQL (the test database; BENCH_WINDOW_POSTGRES=0 skips it):
 *  1. the time the server takes to stream a manager's first sync: the window (to `sidebar`+`open`, and to
 *     `windowDone`) beside today's full snapshot, measured in the same run on the same data;
 *  2. server search p99 over HTTP (POST /api/search, BENCH_SEARCHES queries, default 200) beside the naive
 *     baseline a server without a search index would run (a LIKE scan of every message body);
 *  3. view totals p50 / p99 over HTTP (POST HISTORY_PATHS.totals, BENCH_TOTALS rounds of TALLY_VIEWS; the tally
 *     on the plain columns of SQLite migration 16 / PostgreSQL migration 7) beside the tally this server ran
 *     before them on the JSON (tally-baseline.ts: its SQL alone, on the same database).
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { DEFAULT_SYNC_WINDOW, HISTORY_PATHS, type SyncWindow } from '../../protocol/history.ts';
import { ServerFrame } from '../../protocol/sync.ts';
import { PROTOCOL_VERSION } from '../../protocol/version.ts';
import { DATABASE_FILE, startServer, type RunningServer } from '../../server/app.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { createTestDatabase, uniqueSchema } from '../server/support/postgres.ts';
import { percentile } from './percentiles.ts';
import { jsonTallyPostgres, jsonTallySqlite, TALLY_VIEWS, tallyTimes, type Timing } from './tally-baseline.ts';

const CONVERSATIONS = Number(process.env.BENCH_WINDOW_CONVERSATIONS ?? 100_000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 200);
const WITH_POSTGRES = process.env.BENCH_WINDOW_POSTGRES !== '0';
/** Only PostgreSQL (its seed of the large demo is slow: run it on its own when short of time). */
const ONLY_POSTGRES = process.env.BENCH_WINDOW_POSTGRES === 'only';
const MAYA = { email: 'maya@demo.switchboard.test', password: 'demo-manager' };
/** Words of the generated history (common ones match 100,000s of messages), and a few that match nothing. */
const WORDS = ['order', 'refund', 'jacket', 'warranty', 'discount', 'canada', 'zipper', 'thanks', 'boots', 'xylophone', 'ordr', 'trail runners'];
const TARGETS = { usableMs: 2000, searchP99Ms: 250, totalsP99Ms: 50 };

interface SyncTiming {
  /** Until the inbox is usable: the first frame past `open` (window), or the end of the snapshot (full). */
  usableMs: number;
  /** Until the snapshot is whole: windowDone, or the caught-up changes frame (full). */
  wholeMs: number;
  records: number;
  bytes: number;
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MAYA) });
  return ((await res.json()) as { token: string }).token;
}

/** One first sync as a raw client, timed from hello. */
function timeSync(url: string, tok: string, window: SyncWindow | null): Promise<SyncTiming> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/sync`, { maxPayload: 64 * 1024 * 1024 });
    const t: SyncTiming = { usableMs: NaN, wholeMs: NaN, records: 0, bytes: 0 };
    let start = 0;
    ws.on('error', reject);
    // A heartbeat of our own: a full snapshot on a loaded machine outlasts the server's silence timeout.
    const beat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ping', t: Date.now() })), 5000);
    ws.on('close', (code) => {
      clearInterval(beat);
      reject(new Error(`the sync socket closed (${code}) before catching up`));
    });
    ws.on('open', () => {
      start = performance.now();
      ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: tok, clientId: `bench-${Math.floor(Math.random() * 1e9)}`, cursor: null, scopes: [], ...(window ? { window } : {}) }));
    });
    ws.on('message', (data) => {
      const text = data.toString();
      t.bytes += text.length;
      const frame = ServerFrame.parse(JSON.parse(text));
      const at = performance.now() - start;
      if (frame.type === 'snapshot') {
        t.records += frame.records.length;
        if (Number.isNaN(t.usableMs) && (frame.phase === 'recent' || frame.phase === 'contacts')) t.usableMs = at;
      } else if (frame.type === 'windowDone') {
        if (Number.isNaN(t.usableMs)) t.usableMs = at;
        t.wholeMs = at;
      } else if (frame.type === 'changes' && frame.caughtUp) {
        if (Number.isNaN(t.usableMs)) t.usableMs = at;
        if (Number.isNaN(t.wholeMs)) t.wholeMs = at;
        ws.close();
        resolve(t);
      }
    });
  });
}

async function searchTimes(url: string, tok: string): Promise<{ p50: number; p99: number; hits: number }> {
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < SEARCHES; i++) {
    const text = WORDS[i % WORDS.length] as string;
    const start = performance.now();
    const res = await fetch(`${url}${HISTORY_PATHS.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
      body: JSON.stringify({ text, limit: 50 }),
    });
    hits += ((await res.json()) as { hits: unknown[] }).hits.length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), hits };
}

/** What a server without the index would do: scan every body. A few runs (each reads the whole table). */
async function naiveScan(run: (like: string) => Promise<void>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (const word of WORDS.slice(0, 4)) {
    const start = performance.now();
    await run(`%${word}%`);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

interface EngineResult {
  engine: string;
  seedS: number;
  full: SyncTiming;
  window: SyncTiming;
  search: { p50: number; p99: number; hits: number };
  naive: { p50: number; p99: number };
  /** The views without the unread filter, and the unread view, over HTTP. */
  totals: { read: Timing; unread: Timing };
  /** The same views by the JSON tally's SQL. */
  jsonTotals: { read: Timing; unread: Timing };
}

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<EngineResult> {
  // A seeded store to reuse (kept afterwards): BENCH_WINDOW_DATA_DIR (SQLite), BENCH_WINDOW_DATABASE_URL and
  // BENCH_WINDOW_SCHEMA (PostgreSQL); the demo is grown only to the size asked.
  const keptDir = process.env.BENCH_WINDOW_DATA_DIR;
  const keptUrl = process.env.BENCH_WINDOW_DATABASE_URL;
  const dir = engine === 'sqlite' && keptDir ? { path: keptDir, remove: () => {} } : tempDir('switchboard-window-bench-');
  const db = engine === 'postgres' ? (keptUrl ? { url: keptUrl, drop: async () => {} } : await createTestDatabase()) : null;
  const schema = (engine === 'postgres' && keptUrl && process.env.BENCH_WINDOW_SCHEMA) || uniqueSchema();
  let server: RunningServer | null = null;
  try {
    const seedStart = performance.now();
    server = await startServer({
      dataDir: dir.path,
      port: 0,
      demo: true,
      demoSize: CONVERSATIONS,
      sqliteSynchronous: 'NORMAL',
      log: () => {},
      onDemoGrowth: (done: number, of: number) => {
        if (done % 10_000 === 0) process.stderr.write(`  ${engine}: seeded ${done} of ${of} conversations\n`);
      },
      ...(db ? { databaseUrl: db.url, databaseSchema: schema } : {}),
    });
    const seedS = (performance.now() - seedStart) / 1000;
    process.stderr.write(`  ${engine}: seeded in ${seedS.toFixed(0)} s; timing the syncs\n`);
    if (db) {
      // The test server runs with autovacuum off: do what it would have done after a seed of this size (the
      // planner's statistics, the visibility map the index-only scans read).
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('VACUUM (ANALYZE)').finally(() => client.end());
    }
    const tok = await token(server.url);
    // Warm both paths once (statement caches, buffer cache), then measure each in the same run.
    await timeSync(server.url, tok, DEFAULT_SYNC_WINDOW);
    const window = await timeSync(server.url, tok, DEFAULT_SYNC_WINDOW);
    const full = await timeSync(server.url, tok, null);
    process.stderr.write(`  ${engine}: syncs timed; searching\n`);
    const search = await searchTimes(server.url, tok);
    process.stderr.write(`  ${engine}: searched; counting view totals\n`);
    const totals = await tallyTimes(server.url, tok);
    const jsonTotals = db ? await jsonTallyPostgres(db.url, schema, MAYA.email) : await jsonTallySqlite(join(dir.path, DATABASE_FILE), MAYA.email);
    const naive = db
      ? await (async () => {
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          try {
            return await naiveScan(async (like) => void (await client.query(`SELECT count(*) FROM ${schema}.messages WHERE data->>'body' ILIKE $1`, [like])));
          } finally {
            await client.end();
          }
        })()
      : await (async () => {
          const file = new Database(join(dir.path, DATABASE_FILE), { readonly: true });
          try {
            return await naiveScan(async (like) => void file.prepare("SELECT count(*) FROM messages WHERE json_extract(data, '$.body') LIKE ?").get(like));
          } finally {
            file.close();
          }
        })();
    return { engine, seedS, full, window, search, naive, totals, jsonTotals };
  } finally {
    await server?.close();
    await db?.drop();
    dir.remove();
  }
}

const ms = (n: number): string => (Number.isNaN(n) ? '—' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const mb = (n: number): string => `${(n / 1_048_576).toFixed(1)} MB`;

function printHeader(): void {
  console.log(`\nWindowed first sync and server search (issue 13) — ${CONVERSATIONS.toLocaleString('en')} conversations, manager (both inboxes), window ${JSON.stringify(DEFAULT_SYNC_WINDOW)}`);
  console.log('| engine | measure | window (issue 13) | baseline: full snapshot, LIKE scan, JSON tally (today) | target |');
  console.log('|---|---|---|---|---|');
}

/** Each engine's rows as soon as it is measured: a long PostgreSQL seed never hides the SQLite figures. */
function printRows(r: EngineResult): void {
  console.log(`| ${r.engine} | server streams to a usable inbox (sidebar + open) | ${ms(r.window.usableMs)} | ${ms(r.full.usableMs)} | ≤ ${ms(TARGETS.usableMs)} |`);
  console.log(`| ${r.engine} | server streams the whole first sync | ${ms(r.window.wholeMs)} | ${ms(r.full.wholeMs)} | — |`);
  console.log(`| ${r.engine} | records / bytes sent | ${r.window.records.toLocaleString('en')} / ${mb(r.window.bytes)} | ${r.full.records.toLocaleString('en')} / ${mb(r.full.bytes)} | — |`);
  console.log(`| ${r.engine} | search p50 / p99 over HTTP (index) vs LIKE scan (no index) | ${ms(r.search.p50)} / ${ms(r.search.p99)} | ${ms(r.naive.p50)} / ${ms(r.naive.p99)} | p99 ≤ ${ms(TARGETS.searchP99Ms)} |`);
  for (const part of ['read', 'unread'] as const) {
    const views = part === 'read' ? `${TALLY_VIEWS.filter((v) => v.read !== 'unread').length} views without the unread filter` : 'the unread view';
    console.log(
      `| ${r.engine} | view totals p50 / p99 over HTTP, ${views} (columns) vs the JSON tally (its SQL alone) | ${ms(r.totals[part].p50)} / ${ms(r.totals[part].p99)} | ${ms(r.jsonTotals[part].p50)} / ${ms(r.jsonTotals[part].p99)} | p99 ≤ ${ms(TARGETS.totalsP99Ms)} |`,
    );
  }
  console.log(`(${r.engine}: seeded in ${r.seedS.toFixed(0)} s; ${SEARCHES} searches of ${WORDS.length} words, ${r.search.hits} hits)`);
}

async function main(): Promise<void> {
  const engines: Array<'sqlite' | 'postgres'> = ONLY_POSTGRES ? ['postgres'] : WITH_POSTGRES ? ['sqlite', 'postgres'] : ['sqlite'];
  printHeader();
  for (const engine of engines) printRows(await runEngine(engine));
}

await main();
