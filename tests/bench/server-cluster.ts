/**
 * Server fan-out and cluster benchmark (part of `npm run bench:server`): prints a table, asserts nothing.
 *
 * Real server processes (server/cli.ts, as deployed) with the Sales SMS channel on the Twilio simulator, and
 * BENCH_CLIENTS (default 1,000) raw sync clients signed in as Maya, spread over the instances. For:
 *   SQLite, 1 instance, 1 client (the baseline, same run) · SQLite, 1 instance · PostgreSQL, 1 instance ·
 *   PostgreSQL, 2 instances + Redis (the clients and webhooks split between them, as a load balancer would)
 * it measures
 *  1. inbound webhooks stored per second: BENCH_WEBHOOKS signed webhooks, 16 at a time, each answered 200 once
 *     committed, and the CPU the server processes used meanwhile (/proc; PostgreSQL's own is not counted);
 *  2. webhook → client latency: BENCH_PACED webhooks at 10/s, from just before the POST until the `changes`
 *     frame carrying the message reached each observing client (p50 and p99 over webhooks × observers);
 *  3. reconnect catch-up: with the clients gone, 10,000 changes are written to Maya's scopes; one client
 *     comes back with its old cursor; ms from its hello to the `caughtUp` frame.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Scope } from '../../protocol/scope.ts';
import { putRecord, scopeOf } from '../../server/domain/change-log.ts';
import { Domain } from '../../server/domain/domain.ts';
import { TwilioSimulator } from '../../server/simulator/twilio-simulator.ts';
import { openPostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../server/storage/storage.ts';
import { freePort, ServerProcess } from '../integration/support/server-process.ts';
import { tempDir } from '../server/support/fixtures.ts';
import { createTestDatabase } from '../server/support/postgres.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../server/support/redis.ts';
import { MAYA, signIn, SyncClient } from '../server/support/sync-client.ts';
import { percentile } from './percentiles.ts';
import { SyncFleet } from './sync-fleet.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const PACED = Number(process.env.BENCH_PACED ?? 100);
const PACE_MS = 100;
const CATCH_UP = 10_000;
const CONCURRENCY = 16;
const OBSERVERS = 20;
const PUBLIC_URL = 'https://switchboard.example';
const OUR_NUMBER = '+14155550100';
const TICK_MS = 10; // /proc counts CPU in clock ticks of 1/100 s (getconf CLK_TCK)

interface Config {
  name: string;
  instances: number;
  postgres: boolean;
  clients: number;
}

interface Result {
  config: Config;
  webhooksPerSecond: number;
  /** Webhooks answered 5xx and posted again (counted from the warm-up through the burst). */
  retried: number;
  cpuMsPer1000: number;
  p50: number;
  p99: number;
  missing: number;
  catchUpMs: number;
}

const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
};

async function postAll(count: number, post: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) await post(i);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

/** The storage the servers use, opened by the bench itself (as an admin command would). */
async function adminStorage(config: Config, where: { url?: string; dataDir: string }): Promise<Storage> {
  return config.postgres ? openPostgresStorage({ url: where.url! }) : openSqliteStorage({ file: `${where.dataDir}/switchboard.sqlite` });
}

/** 10,000 message puts into a Sales conversation (Maya's scope), in transactions of 500; returns the head before them. */
async function writeMissedChanges(storage: Storage): Promise<number> {
  const domain = await Domain.open({ storage });
  const before = await domain.head();
  const template = (await domain.read((tx) => tx.recentMessagesOfConversation('conv_sales_0001', 1)))[0]!;
  for (let batch = 0; batch < CATCH_UP / 500; batch++) {
    await domain.write(async (tx) => {
      const conversation = (await tx.get('conversation', 'conv_sales_0001'))!;
      for (let i = 0; i < 500; i++) {
        const n = batch * 500 + i;
        await putRecord(tx, scopeOf.conversation(conversation), 'message', { ...template, id: `bench_missed_${n}`, providerId: null, body: `Missed ${n}`, createdAt: template.createdAt + n });
      }
    });
  }
  domain.close();
  return before;
}

async function run(config: Config): Promise<Result> {
  const db = config.postgres ? await createTestDatabase() : null;
  const prefix = uniqueRedisPrefix();
  const dirs = Array.from({ length: config.instances }, () => tempDir('switchboard-bench-'));
  const env: Record<string, string> = db ? { SWITCHBOARD_DATABASE_URL: db.url } : {};
  if (config.instances > 1) Object.assign(env, { SWITCHBOARD_REDIS_URL: TEST_REDIS_URL, SWITCHBOARD_REDIS_KEY_PREFIX: prefix });
  const servers: ServerProcess[] = [];
  const sim = await TwilioSimulator.start();
  sim.autoStatuses = [];
  let fleet: SyncFleet | null = null;
  let retried = 0;
  try {
    for (const dir of dirs) servers.push(await ServerProcess.start(dir.path, await freePort(), env));
    const admin = await adminStorage(config, { url: db?.url, dataDir: dirs[0]!.path });
    const adminDomain = await Domain.open({ storage: admin });
    await adminDomain.providers.configureTwilioChannel('ch_sales_sms', { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, publicUrl: PUBLIC_URL });
    adminDomain.close();

    const urls = servers.map((s) => s.url);
    // A 5xx is retried with the same MessageSid, as Twilio does (PostgreSQL answers one when a transaction lost
    // its serialization race more often than its retries allow); the retries are counted and printed.
    const webhook = async (i: number, body: string) => {
      const params = sim.inboundParams({ from: `+1206${String(5_000_000 + (i % 500)).padStart(7, '0')}`, to: OUR_NUMBER, body });
      for (let attempt = 1; ; attempt++) {
        const res = await sim.postSigned(`${urls[i % urls.length]}/webhooks/twilio/sms`, params, { signedUrl: `${PUBLIC_URL}/webhooks/twilio/sms` });
        if (res.status === 200) return;
        if (res.status < 500 || attempt === 10) throw new Error(`webhook answered ${res.status}`);
        retried += 1;
      }
    };
    await postAll(50, (i) => webhook(i, `Warm-up ${i}`));

    const token = await signIn(urls[0]!, MAYA);
    const first = await SyncClient.connect(urls[0]!);
    const welcome = await first.sync(token);
    const cursor = first.lastCursor();
    first.close();
    const scopes = welcome.scopes as Scope[];
    fleet = await SyncFleet.connect({ urls, count: config.clients, observers: Math.min(OBSERVERS, config.clients), token, cursor, scopes });

    // 1. Throughput and CPU.
    const cpuBefore = servers.reduce((sum, s) => sum + cpuMs(s.pid), 0);
    const started = performance.now();
    await postAll(WEBHOOKS, (i) => webhook(i, `Burst ${i}`));
    const webhooksPerSecond = WEBHOOKS / ((performance.now() - started) / 1000);
    const retriedInBurst = retried;
    const cpuMsPer1000 = ((servers.reduce((sum, s) => sum + cpuMs(s.pid), 0) - cpuBefore) / WEBHOOKS) * 1000;
    let missing = await fleet.waitFor(Array.from({ length: WEBHOOKS }, (_, i) => `Burst ${i}`));

    // 2. Latency at a steady pace.
    const sentAt = new Map<string, number>();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < PACED; i++) {
      const body = `Paced ${i}`;
      sentAt.set(body, performance.now());
      inFlight.push(webhook(i, body));
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    await Promise.all(inFlight);
    missing += await fleet.waitFor([...sentAt.keys()]);
    const latencies = fleet.arrivals.flatMap((seen) => [...sentAt].flatMap(([body, at]) => (seen.has(body) ? [seen.get(body)! - at] : []))).sort((a, b) => a - b);
    fleet.close();
    fleet = null;

    // 3. Catch-up of 10,000 missed changes, read from the database (nobody is connected to keep them in memory).
    const missedFrom = await writeMissedChanges(admin);
    await admin.close();
    const back = await SyncClient.connect(urls[0]!);
    const hello = performance.now();
    const from = back.frames.length;
    back.hello(token, { cursor: missedFrom, scopes });
    await back.until(() => back.find('changes', (f) => f.caughtUp, from), 'catch-up', 60_000);
    const catchUpMs = performance.now() - hello;
    const caught = back.entries(from).filter((e) => e.entity === 'message' && e.op === 'put' && e.record.body.startsWith('Missed ')).length;
    back.close();
    if (caught !== CATCH_UP) throw new Error(`catch-up delivered ${caught} of ${CATCH_UP} missed changes`);

    return { config, webhooksPerSecond, retried: retriedInBurst, cpuMsPer1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), missing, catchUpMs };
  } catch (err) {
    for (const s of servers) process.stderr.write(`${s.url}:\n${s.output.slice(-30).join('\n')}\n`);
    throw err;
  } finally {
    fleet?.close();
    for (const s of servers) await s.stop('SIGTERM');
    await sim.close();
    for (const dir of dirs) dir.remove();
    await db?.drop();
    if (config.instances > 1) await dropRedisPrefix(prefix);
  }
}

const CONFIGS: Config[] = [
  { name: 'SQLite, 1 instance (baseline: 1 client)', instances: 1, postgres: false, clients: 1 },
  { name: 'SQLite, 1 instance', instances: 1, postgres: false, clients: CLIENTS },
  { name: 'PostgreSQL, 1 instance', instances: 1, postgres: true, clients: CLIENTS },
  { name: 'PostgreSQL, 2 instances + Redis', instances: 2, postgres: true, clients: CLIENTS },
];
const only = process.env.BENCH_CONFIGS?.split(',').map(Number);
const results: Result[] = [];
for (const [i, config] of CONFIGS.entries()) {
  if (only && !only.includes(i)) continue;
  process.stderr.write(`bench: ${config.name}, ${config.clients} client(s)…\n`);
  results.push(await run(config));
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mark = (ok: boolean) => (ok ? '✓' : '✗');
console.log(
  `\nServer fan-out: ${WEBHOOKS} signed Twilio webhooks ${CONCURRENCY} at a time (throughput, CPU of the server processes); ` +
    `${PACED} webhooks at ${1000 / PACE_MS}/s (webhook → client latency at ${OBSERVERS} observing clients); catch-up of ${CATCH_UP.toLocaleString('en')} missed changes\n`,
);
const header = ['configuration', 'clients', 'webhooks/s', 'server CPU / 1,000 webhooks', 'latency p50', 'latency p99 (≤ 50 ms)', 'catch-up (≤ 1,000 ms)'];
console.log(header.join(' | '));
console.log(header.map((h) => '-'.repeat(h.length)).join('-|-'));
for (const r of results) {
  const big = r.config.clients >= 1000;
  console.log(
    [
      r.config.name.padEnd(header[0]!.length),
      String(r.config.clients).padStart(7),
      r.webhooksPerSecond.toFixed(0).padStart(10),
      `${r.cpuMsPer1000.toFixed(0)} ms`.padStart(header[3]!.length),
      ms(r.p50).padStart(header[4]!.length),
      `${ms(r.p99)} ${big ? mark(r.p99 <= 50) : ' '}`.padStart(header[5]!.length),
      `${ms(r.catchUpMs)} ${mark(r.catchUpMs <= 1000)}`.padStart(header[6]!.length),
    ].join(' | ') + (r.retried ? `  (${r.retried} webhooks answered 5xx and retried)` : '') + (r.missing ? `  (${r.missing} deliveries missing!)` : ''),
  );
}
const one = results.find((r) => r.config.postgres && r.config.instances === 1);
const two = results.find((r) => r.config.instances === 2);
if (one && two) {
  const ratio = two.webhooksPerSecond / one.webhooksPerSecond;
  console.log(
    `\n2 instances: ${ratio.toFixed(2)}× the webhook throughput of 1 (target ≥ 1.6×) ${mark(ratio >= 1.6)}; CPU per 1,000 webhooks ` +
      `${two.cpuMsPer1000.toFixed(0)} ms vs ${one.cpuMsPer1000.toFixed(0)} ms (${(two.cpuMsPer1000 / one.cpuMsPer1000).toFixed(2)}×): on this ${cpus().length}-core machine the ` +
      'instances, PostgreSQL, Redis and the bench share the cores, so the CPU per webhook is what carries over to more machines.',
  );
}
