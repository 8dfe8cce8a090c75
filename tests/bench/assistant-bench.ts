/**
 * Message Assistant benchmark (part of `npm run bench`, issue 12 §3). Prints tables, asserts nothing.
 *  1. Past-reply suggestions (main/core/assistant/past-replies.ts) at 1,000,000 cached messages × BENCH_SCALE,
 *     beside the naive ranking (bm25 over every match). Target: p99 ≤ 50 ms.
 *  2. Time to the first streamed token through our server (client → server → provider simulator → back) beside
 *     the simulator's own time to first token, at two simulator latencies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { ASSISTANT_PATHS } from '../../protocol/assistant.ts';
import { anyTermQuery, PastReplies, significantTerms } from '../../main/core/assistant/past-replies.ts';
import { openCache, type CacheDb } from '../../main/core/cache/cache-file.ts';
import { startServer } from '../../server/app.ts';
import { InProcessAssistantRateLimit } from '../../server/assistant/rate-limit.ts';
import { OpenAiSimulator } from '../../server/simulator/openai-simulator.ts';
import { percentile } from './percentiles.ts';
import { seededRandom } from '../support/seeded-random.ts';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fe', 'gu', 'hi', 'jo', 'be', 'ci', 'mo', 'ta', 'xu'];
const VOCABULARY = 20_000;
const PER_CONVERSATION = 10;
const T0 = 1_700_000_000_000;

function word(i: number): string {
  let n = i;
  let w = '';
  for (let k = 0; k < 4 && (k < 3 || n > 0); k++) {
    w += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return w;
}
/** Zipf-like: a few words in most messages, most words in a few (as in search-bench.ts). */
const body = (r: () => number, words: number): string => Array.from({ length: words }, () => word(Math.floor(VOCABULARY * r() ** 3))).join(' ');

/** Conversations of alternating customer messages and agent replies, inserted through the real schema and FTS triggers. */
function fill(cache: CacheDb, messages: number): number {
  const db = cache.db;
  db.prepare(`INSERT INTO users (id, scope, org_id, name, email, role, status, avatar_color) VALUES ('u1', 'org:o', 'o', 'Maya Patel', 'm@x', 'member', 'active', '#333')`).run();
  const conv = db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status, tags, created_at,
    last_message_at, preview, participant_ids) VALUES (?, 'inbox:i', 'i', 'ch', NULL, ?, 'open', '[]', ?, ?, '', '[]')`);
  const msg = db.prepare(`INSERT INTO messages (id, scope, conversation_id, direction, author_type, author_id, body, attachments, status,
    status_reason, provider_id, created_at) VALUES (?, 'inbox:i', ?, ?, ?, ?, ?, '[]', 'delivered', NULL, NULL, ?)`);
  const r = seededRandom(12);
  const start = performance.now();
  db.exec('BEGIN');
  for (let i = 0; i < messages; i++) {
    const c = Math.floor(i / PER_CONVERSATION);
    const at = T0 + i * 1000;
    const inbound = i % 2 === 0;
    if (i % PER_CONVERSATION === 0) conv.run(`c${c}`, `+1415${String(5_000_000 + c).padStart(7, '0')}`, at, at + PER_CONVERSATION * 1000);
    msg.run(`m${i}`, `c${c}`, inbound ? 'in' : 'out', inbound ? 'contact' : 'user', inbound ? null : 'u1', body(r, 12), at);
    if (i % 50_000 === 49_999) {
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  db.exec('COMMIT');
  return performance.now() - start;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};

function pastRepliesTable(scale: number, iterations: number): void {
  const messages = Math.max(10_000, Math.round(1_000_000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-assist-'));
  const cache = openCache(dir, 'http://bench.invalid', 'u1', null);
  try {
    const fillMs = fill(cache, messages);
    cache.db.exec('ANALYZE');
    const past = new PastReplies(cache);
    const conversations = messages / PER_CONVERSATION;
    // Tick the first two customer messages of conversation k (pseudo-random k).
    const pick = (i: number) => {
      const c = (i * 7919) % conversations;
      return { conversationId: `c${c}`, ids: [`m${c * PER_CONVERSATION}`, `m${c * PER_CONVERSATION + 2}`] };
    };
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < iterations + 5; i++) {
      const p = pick(i);
      const start = performance.now();
      found += past.suggest(p.conversationId, p.ids).length;
      if (i >= 5) times.push(performance.now() - start);
    }
    // Baseline: bm25 over every match (what ranking without the window costs), same terms.
    const naive = cache.db.prepare(`SELECT rowid, bm25(messages_fts) AS score FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank LIMIT 24`);
    const bodyOf = cache.db.prepare('SELECT body FROM messages WHERE id = ?').pluck();
    const naiveTimes: number[] = [];
    for (let i = 0; i < Math.min(iterations, 60) + 2; i++) {
      const p = pick(i);
      const q = anyTermQuery(significantTerms(p.ids.map((id) => bodyOf.get(id) as string).join(' ')));
      const start = performance.now();
      if (q) naive.all(q);
      if (i >= 2) naiveTimes.push(performance.now() - start);
    }
    const ours = stats(times);
    const base = stats(naiveTimes);
    console.log(`\nMessage Assistant: past-reply suggestions over ${fmt(messages)} cached messages (fill ${fmt(fillMs / 1000, 1)} s; ${iterations} runs, 2 ticked messages each)`);
    console.log(`  ${pad('query', 64)}${lpad('p50 ms', 10)}${lpad('p99 ms', 10)}   target`);
    console.log(`  ${pad('past replies: bm25 over the newest 2,000 matches + reply lookup + pre-written', 64)}${lpad(fmt(ours.p50, 2), 10)}${lpad(fmt(ours.p99, 2), 10)}   ≤ 50 ms ${ours.p99 <= 50 ? 'met' : 'MISSED'}`);
    console.log(`  ${pad('baseline: bm25 over every match (ranking only, no replies)', 64)}${lpad(fmt(base.p50, 2), 10)}${lpad(fmt(base.p99, 2), 10)}`);
    console.log(`  suggestions found per request: ${fmt(found / (iterations + 5), 2)} on average`);
  } finally {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ms until the first content arrives: straight from the simulator (SSE), or through our server (NDJSON delta). */
async function firstTokenDirect(sim: OpenAiSimulator): Promise<number> {
  const start = performance.now();
  const res = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Contact: Jo\nCustomer: where is my parcel' }] }),
  });
  let first = 0;
  const parser = createParser({
    onEvent(e) {
      if (!first && e.data !== '[DONE]' && /"content":"[^"]/.test(e.data)) first = performance.now() - start;
    },
  });
  for await (const chunk of res.body!) parser.feed(new TextDecoder().decode(chunk as Uint8Array));
  return first;
}

async function firstTokenThroughServer(url: string, token: string, conversationId: string, messageId: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(`${url}${ASSISTANT_PATHS.suggest}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, messageIds: [messageId] }),
  });
  let first = 0;
  let text = '';
  for await (const chunk of res.body!) {
    text += new TextDecoder().decode(chunk as Uint8Array);
    if (!first && text.includes('"type":"delta"')) first = performance.now() - start;
  }
  return first;
}

async function firstTokenTable(iterations: number): Promise<void> {
  const runs = Math.min(iterations, 100);
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-assist-server-'));
  const sim = await OpenAiSimulator.start({ apiKey: null });
  const server = await startServer({
    dataDir: dir,
    port: 0,
    demo: true,
    enableDemoInbound: true,
    log: () => {},
    assistant: { rateLimit: new InProcessAssistantRateLimit({ limit: 1_000_000, windowMs: 60_000 }) },
  });
  try {
    const signIn = async (email: string, password: string) =>
      ((await (await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).json()) as { token: string }).token;
    const admin = await signIn('ava@demo.switchboard.test', 'demo-admin');
    await fetch(`${server.url}${ASSISTANT_PATHS.settings}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ baseUrl: sim.url, model: 'sim', maskContactDetails: true, enabled: true }),
    });
    const sam = await signIn('sam@demo.switchboard.test', 'demo-agent');
    const inbound = (await (await fetch(`${server.url}/api/demo/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channelId: 'ch_sales_sms', from: '+14155550190', body: 'Where is my parcel? It was due on Monday.' }),
    })).json()) as { conversationId: string; messageId: string };
    console.log(`\nMessage Assistant: time to the first streamed token (${runs} requests each, loopback)`);
    console.log(`  ${pad('path', 64)}${lpad('p50 ms', 10)}${lpad('p99 ms', 10)}`);
    for (const latency of [0, 100]) {
      sim.latencyMs = latency;
      const direct: number[] = [];
      const through: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const d = await firstTokenDirect(sim);
        const t = await firstTokenThroughServer(server.url, sam, inbound.conversationId, inbound.messageId);
        if (i >= 3) {
          direct.push(d);
          through.push(t);
        }
      }
      const d = stats(direct);
      const t = stats(through);
      console.log(`  ${pad(`simulator alone (its latency ${latency} ms)`, 64)}${lpad(fmt(d.p50, 2), 10)}${lpad(fmt(d.p99, 2), 10)}`);
      console.log(`  ${pad(`through our server (auth, membership, prompt, audit; same simulator)`, 64)}${lpad(fmt(t.p50, 2), 10)}${lpad(fmt(t.p99, 2), 10)}`);
      console.log(`  ${pad('  added by our server', 64)}${lpad(fmt(t.p50 - d.p50, 2), 10)}${lpad(fmt(t.p99 - d.p99, 2), 10)}`);
    }
  } finally {
    await server.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runAssistantBench(scale: number, iterations: number): Promise<void> {
  pastRepliesTable(scale, iterations);
  await firstTokenTable(iterations);
}
