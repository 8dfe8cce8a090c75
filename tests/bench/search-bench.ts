/**
 * Search benchmark (part of `npm run bench`): full-text search over the
 * client cache (SQLite FTS5 kept by triggers) at 1,000,000 messages ×
 * BENCH_SCALE, beside the naive baseline — a LIKE scan over a table ten times
 * smaller. Prints a table, asserts nothing. Target: p99 ≤ 20 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openCache, type CacheDb } from '../../main/core/cache/cache-file.ts';
import { SearchQueries } from '../../main/core/queries/search.ts';
import { measure } from './percentiles.ts';
import { seededRandom } from '../support/seeded-random.ts';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fe', 'gu', 'hi', 'jo', 'be', 'ci', 'mo', 'ta', 'xu'];
const VOCABULARY = 20_000;
const WORDS_PER_MESSAGE = 12;
const PER_CONVERSATION = 10;
const T0 = 1_700_000_000_000;

/** Word i of a synthetic language: three or four syllables, distinct for every i. */
function word(i: number): string {
  let n = i;
  let w = '';
  for (let k = 0; k < 4 && (k < 3 || n > 0); k++) {
    w += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return w;
}

/** Zipf-like: a few words in most messages, most words in a few. */
function body(r: () => number): string {
  const words: string[] = [];
  for (let k = 0; k < WORDS_PER_MESSAGE; k++) words.push(word(Math.floor(VOCABULARY * r() ** 3)));
  return words.join(' ');
}

/** Raw inserts through the real schema, so the FTS triggers do their work as in a catch-up. */
function fill(cache: CacheDb, messages: number): number {
  const db = cache.db;
  const conv = db.prepare(`INSERT INTO conversations (id, scope, inbox_id, channel_id, contact_id, customer_address, status, tags, created_at,
    last_message_at, preview, participant_ids) VALUES (?, 'inbox:i', 'i', 'ch', NULL, ?, 'open', '[]', ?, ?, '', '[]')`);
  const msg = db.prepare(`INSERT INTO messages (id, scope, conversation_id, direction, author_type, author_id, body, attachments, status,
    status_reason, provider_id, created_at) VALUES (?, 'inbox:i', ?, ?, 'contact', NULL, ?, '[]', 'delivered', NULL, NULL, ?)`);
  db.prepare(`INSERT INTO channels (id, scope, inbox_id, kind, name, address, registration) VALUES ('ch', 'inbox:i', 'i', 'sms', 'SMS', '+14155550100', 'approved')`).run();
  const r = seededRandom(7);
  const start = performance.now();
  db.exec('BEGIN');
  for (let i = 0; i < messages; i++) {
    const c = Math.floor(i / PER_CONVERSATION);
    const at = T0 + i * 1000;
    if (i % PER_CONVERSATION === 0) conv.run(`c${c}`, `+1415${String(5_000_000 + c).padStart(7, '0')}`, at, at + PER_CONVERSATION * 1000);
    msg.run(`m${i}`, `c${c}`, i % 2 === 0 ? 'in' : 'out', body(r), at);
    if (i % 50_000 === 49_999) {
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  db.exec('COMMIT');
  return performance.now() - start;
}

export function runSearchBench(scale: number, iterations: number): void {
  const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
  const messages = Math.max(10_000, Math.round(1_000_000 * scale));
  const baselineMessages = Math.max(1_000, Math.round(messages / 10));

  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-search-'));
  try {
    const cache = openCache(dir, 'http://bench.invalid', 'user_me', null);
    const ingestMs = fill(cache, messages);
    cache.db.exec('ANALYZE');
    const baseline = openCache(join(dir, 'baseline'), 'http://bench.invalid', 'user_me', null);
    fill(baseline, baselineMessages);

    const search = new SearchQueries(cache);
    const like = baseline.db.prepare(
      "SELECT id, body FROM messages WHERE body LIKE '%' || ? || '%' ORDER BY rowid DESC LIMIT 20",
    );
    // From the most common word to ones found in a handful of messages, a prefix while typing, two words, a number, nothing.
    const cases: { name: string; text: string; like: string }[] = [
      { name: 'most common word', text: word(0), like: word(0) },
      { name: 'common word', text: word(40), like: word(40) },
      { name: 'rare word', text: word(15_000), like: word(15_000) },
      { name: 'prefix while typing (2 letters)', text: word(3).slice(0, 2), like: word(3).slice(0, 2) },
      { name: 'prefix while typing (3 letters)', text: word(3).slice(0, 3), like: word(3).slice(0, 3) },
      { name: 'prefix while typing (5 letters)', text: word(0).slice(0, 5), like: word(0).slice(0, 5) },
      { name: 'two words', text: `${word(5)} ${word(900)}`, like: word(900) },
      { name: 'phone digits', text: '415 501 00', like: '41550100' },
      { name: 'no match', text: 'zzqx', like: 'zzqx' },
    ];

    console.log(
      `\nSearch (FTS5 over ${fmt(messages)} messages, kept by triggers; ${iterations} runs each) beside a LIKE scan over ${fmt(baselineMessages)} messages`,
    );
    console.log(`  ingest with FTS triggers: ${fmt(messages / (ingestMs / 1000))} messages/s`);
    console.log(`  ${pad('query', 34)}${lpad('hits', 6)}${lpad('FTS p50', 10)}${lpad('FTS p99', 10)}${lpad('LIKE p50', 10)}${lpad('LIKE p99', 10)}`);
    let worst = 0;
    for (const c of cases) {
      const found = search.search(c.text, 20);
      const hits = found.messages.length + found.conversations.length + found.contacts.length;
      const fts = measure(() => search.search(c.text, 20), iterations);
      const scan = measure(() => like.all(c.like), Math.max(10, Math.round(iterations / 10)));
      worst = Math.max(worst, fts.p99);
      console.log(
        `  ${pad(`${c.name} "${c.text}"`, 34)}${lpad(String(hits), 6)}${lpad(fmt(fts.p50, 3), 10)}${lpad(fmt(fts.p99, 3), 10)}${lpad(fmt(scan.p50, 3), 10)}${lpad(fmt(scan.p99, 3), 10)}`,
      );
    }
    console.log(`\n  worst search p99: ${fmt(worst, 3)} ms at ${fmt(messages)} messages (target p99 ≤ 20 ms)`);
    cache.close();
    baseline.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
