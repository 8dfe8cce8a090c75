/**
 * Windowed first sync (issue 13), part of `npm run bench`: a demo server of N conversations (about 10 messages
 * each; 100,000 / ~1,000,000 at BENCH_SCALE 1) on loopback, signed in to by a client core asking for the window
 * (the default) and, in the same run, by one asking for today's full snapshot (`syncWindow: null`):
 *  - sign-in to a usable inbox: sidebar + first page of the default list + its counts (the server's);
 *  - time to the whole window (or the whole snapshot);
 *  - cache size after it;
 *  - background fill rows/s (for BENCH_FILL_SECONDS at most);
 *  - opening an uncached 500-message conversation: its first page, then all of it;
 *  - server search p99.
 * The server's data dir is kept under .data/ (BENCH_WINDOW_DIR) so a second run does not seed again.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EntityOf } from '../../protocol/domain.ts';
import type { ConversationListPage, HistorySettingsView, IpcEvents, ListCounts, MessagesPage, SidebarView } from '../../protocol/ipc.ts';
import { scope } from '../../protocol/scope.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { withServerDomain } from '../../server/channels/offline-domain.ts';
import { putRecord } from '../../server/domain/change-log.ts';
import { createClientCore, type ClientCore } from '../../main/core/client-core.ts';
import { cacheFilePath, CACHE_FILE_SUFFIXES } from '../../main/core/cache/cache-file.ts';
import { historyApi } from '../../main/core/history/history-api.ts';
import { createIpcRouter } from '../../main/ipc-router.ts';
import type { IpcMethod, IpcOutput } from '../../protocol/ipc.ts';
import { percentile } from './percentiles.ts';
import { printPhaseTable } from './window-phases.ts';

const MAYA = { email: 'maya@demo.switchboard.test', password: 'demo-manager' };
const LONG = 'conv_bench_500';
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const mb = (bytes: number): string => `${fmt(bytes / 1_048_576, 1)} MB`;

interface Client {
  core: ClientCore;
  dir: string;
  call<M extends IpcMethod>(method: M, input: unknown): Promise<IpcOutput<M>>;
  progress: IpcEvents['syncProgress'][];
}

async function client(extra: Parameters<typeof createClientCore>[0]['syncWindow'] | undefined): Promise<Client> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-window-'));
  const core = await createClientCore({ dataDir: dir, defaultServerUrl: 'http://127.0.0.1:1', ...(extra === undefined ? {} : { syncWindow: extra }) });
  const router = createIpcRouter(core.handlers);
  const progress: IpcEvents['syncProgress'][] = [];
  core.events.on('syncProgress', (p) => progress.push(p));
  return {
    core,
    dir,
    progress,
    call: async (method, input) => {
      const r = await router.call(method, input);
      if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
      return r.value as never;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 600_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('bench: timed out');
    await sleep(5);
  }
}

function cacheBytes(c: Client, serverUrl: string): number {
  const path = cacheFilePath(c.dir, serverUrl, 'user_maya');
  return CACHE_FILE_SUFFIXES.reduce((n, s) => n + (existsSync(path + s) ? statSync(path + s).size : 0), 0);
}

interface SignInFigures {
  /** When each phase of the window was first reported (ms after sign-in). */
  phases: string;
  seen: Map<string, number>;
  usableMs: number;
  wholeMs: number;
  cacheBytes: number;
  counts: ListCounts;
}

/** Sign-in → usable inbox (sidebar, first page, counts) → whole window/snapshot. */
async function signIn(c: Client, url: string, windowed: boolean): Promise<SignInFigures> {
  const start = performance.now();
  const seen = new Map<string, number>();
  c.core.events.on('syncProgress', (p) => {
    const key = p.phase ?? (p.syncing ? 'syncing' : 'done');
    if (!seen.has(key)) seen.set(key, performance.now() - start);
  });
  await c.call('session.signIn', { serverUrl: url, ...MAYA });
  // Usable: the progress says so (window) or the sync ended (full), and the first page and counts answer.
  await until(() => {
    const last = c.progress[c.progress.length - 1];
    return last && (last.usable === true || !last.syncing);
  });
  seen.set('usable flag', performance.now() - start);
  const [sidebar, page] = await Promise.all([
    c.call('sidebar.get', {}) as Promise<SidebarView>,
    c.call('conversations.list', { query: {}, offset: 0, limit: 50 }) as Promise<ConversationListPage>,
  ]);
  // Correct counts: with a window, the server's (the cache's own count only what the window brought).
  const counts = await until(async () => {
    const n = (await c.call('conversations.counts', {})) as ListCounts;
    return n.source === 'server' || !windowed ? n : undefined;
  });
  seen.set('server counts', performance.now() - start);
  if (sidebar.inboxes.length === 0 || page.items.length === 0) throw new Error('bench: the inbox is not usable yet');
  const usableMs = performance.now() - start;
  await until(async () => (await c.call('app.state', {})).syncProgress === null);
  const wholeMs = performance.now() - start;
  const phases = [...seen].map(([k, ms]) => `${k} ${fmt(ms)}`).join(', ');
  return { phases, seen, usableMs, wholeMs, cacheBytes: cacheBytes(c, url), counts };
}

async function seedLongConversation(dataDir: string): Promise<void> {
  const DAY = 86_400_000;
  const createdAt = Date.now() - 500 * DAY;
  await withServerDomain(dataDir, (domain) =>
    domain.write(async (tx) => {
      if (await tx.getMeta('bench-long-conversation')) return;
      const target = scope.inbox('inbox_sales');
      const messages: EntityOf<'message'>[] = Array.from({ length: 500 }, (_, i) => ({
        id: `${LONG}_${i}`, conversationId: LONG, direction: i % 2 ? 'out' : 'in', authorType: i % 2 ? 'user' : 'contact',
        authorId: i % 2 ? 'user_maya' : null, body: `Line ${i} of a long conversation about the Ridgeline pack`, attachments: [],
        status: 'delivered', statusReason: null, providerId: null, createdAt: createdAt + i * 60_000,
      }));
      const last = messages[499]!;
      await putRecord(tx, target, 'conversation', {
        id: LONG, inboxId: 'inbox_sales', channelId: 'ch_sales_sms', contactId: null, customerAddress: '+14155550999', status: 'closed',
        assigneeId: 'user_maya', tags: [], createdAt, closedAt: last.createdAt + 60_000, lastMessageAt: last.createdAt,
        lastMessagePreview: last.body, participantIds: ['user_maya'],
      });
      for (const m of messages) await putRecord(tx, target, 'message', m);
      await tx.setMeta('bench-long-conversation', '1');
    }),
  );
}

/** Opens the 500-message conversation: its row comes with a search hit (as a person would find it); then the pages. */
async function openLong(c: Client): Promise<{ firstMs: number; allMs: number; messages: number }> {
  await c.call('search.query', { text: 'Ridgeline long conversation', limit: 5 });
  const start = performance.now();
  let page = (await c.call('messages.list', { conversationId: LONG, before: null, limit: 50 })) as MessagesPage;
  const firstMs = performance.now() - start;
  let n = page.items.length;
  while (page.hasMore) {
    page = (await c.call('messages.list', { conversationId: LONG, before: page.items[0]!.createdAt, limit: 50 })) as MessagesPage;
    n += page.items.length;
  }
  return { firstMs, allMs: performance.now() - start, messages: n };
}

async function fillRate(c: Client, seconds: number): Promise<{ rows: number; rowsPerSecond: number; done: boolean }> {
  const before = (await c.call('history.settings', {})) as HistorySettingsView;
  const start = performance.now();
  const end = Date.now() + seconds * 1000;
  let now = before;
  while (Date.now() < end && !now.fill.done) {
    await sleep(250);
    now = (await c.call('history.settings', {})) as HistorySettingsView;
  }
  const rows = now.fill.rows - before.fill.rows;
  return { rows, rowsPerSecond: rows / ((performance.now() - start) / 1000), done: now.fill.done };
}

async function searchP99(server: RunningServer, token: string): Promise<{ p50: number; p99: number }> {
  const words = ['order', 'refund', 'zipper', 'Canada', 'discount', 'warranty', 'fitting', 'boots', 'jacket', 'delivery'];
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const start = performance.now();
    await historyApi.search({ serverUrl: server.url, token }, { text: words[i % words.length]!, limit: 20 });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export async function runWindowBench(scale: number): Promise<void> {
  const size = Math.max(1_000, Math.round(100_000 * scale));
  const dataDir = process.env.BENCH_WINDOW_DIR ?? join('.data', `bench-window-${size}`);
  mkdirSync(dataDir, { recursive: true });
  const seedStart = performance.now();
  const server = await startServer({ dataDir, port: 0, demo: true, demoSize: size, sqliteSynchronous: 'NORMAL', log: () => {} });
  await seedLongConversation(dataDir);
  console.log(`\nWindowed first sync (issue 13): demo server of ${fmt(size)} conversations on loopback (ready in ${fmt((performance.now() - seedStart) / 1000, 1)} s, kept in ${dataDir})`);
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const windowed = await client(undefined);
    cleanups.push(async () => { await windowed.core.close(); rmSync(windowed.dir, { recursive: true, force: true }); });
    const w = await signIn(windowed, server.url, true);
    const fill = await fillRate(windowed, Number(process.env.BENCH_FILL_SECONDS ?? '30'));
    const wOpen = await openLong(windowed);

    const full = await client(null);
    cleanups.push(async () => { await full.core.close(); rmSync(full.dir, { recursive: true, force: true }); });
    const f = await signIn(full, server.url, false);
    const fOpen = await openLong(full);
    const session = await fetch(new URL('/api/session', server.url), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MAYA),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const search = await searchP99(server, session.token);

    const row = (name: string, a: string, b: string, target = ''): void => console.log(`  ${pad(name, 46)}${lpad(a, 16)}${lpad(b, 16)}   ${target}`);
    row('', 'window', 'full snapshot');
    row('sign-in → usable inbox (sidebar, page, counts)', `${fmt(w.usableMs)} ms`, `${fmt(f.usableMs)} ms`, `target ≤ 2,000 ms: ${w.usableMs <= 2000 ? 'met' : 'MISSED'}`);
    console.log(`  phases reported (ms after sign-in): window: ${w.phases}; full: ${f.phases}`);
    row('sign-in → whole window / snapshot', `${fmt(w.wholeMs)} ms`, `${fmt(f.wholeMs)} ms`);
    row('cache size after it', mb(w.cacheBytes), mb(f.cacheBytes));
    row('counts (open / closed)', `${fmt(w.counts.open)} / ${fmt(w.counts.closed)}`, `${fmt(f.counts.open)} / ${fmt(f.counts.closed)}`, w.counts.open === f.counts.open && w.counts.closed === f.counts.closed ? 'equal' : 'DIFFER');
    row('background fill', `${fmt(fill.rowsPerSecond)} rows/s`, '—', `${fmt(fill.rows)} rows${fill.done ? ', budget reached' : ''}`);
    row('open uncached 500 messages: first page', `${fmt(wOpen.firstMs, 1)} ms`, `${fmt(fOpen.firstMs, 1)} ms`, `target ≤ 300 ms: ${wOpen.firstMs <= 300 ? 'met' : 'MISSED'}`);
    row('  … and scroll through all of it', `${fmt(wOpen.allMs, 1)} ms`, `${fmt(fOpen.allMs, 1)} ms`, `${fmt(wOpen.messages)} / ${fmt(fOpen.messages)} messages`);
    row('server search (/api/search) p50 / p99', `${fmt(search.p50, 1)} / ${fmt(search.p99, 1)} ms`, '—', `${fmt(size * 10)} messages`);
    printPhaseTable(w, f, 2000);
  } finally {
    for (const c of cleanups.reverse()) await c();
    await server.close();
  }
}
