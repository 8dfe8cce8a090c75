/**
 * Server ingest benchmark (`npm run bench:server`): prints a table, asserts nothing.
 *
 * For SQLite `synchronous = NORMAL` and `FULL` side by side, on the real server (in this process, on a
 * loopback port) with a Twilio channel pointed at the simulator:
 *  1. inbound webhooks stored per second: signed Twilio webhooks posted CONCURRENCY at a time, each
 *     answered 200 only once committed;
 *  2. the duplicate-send window of outbound messages: HELP webhooks, each answered by an automatic reply
 *     sent through the send worker, and how long each provider answer took to be committed.
 *
 * BENCH_WEBHOOKS (default 2000) and BENCH_REPLIES (default 300) change the counts.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DATABASE_FILE, startServer } from '../../server/app.ts';
import { configureTwilioChannel } from '../../server/channels/twilio-cli.ts';
import { TwilioSimulator } from '../../server/simulator/twilio-simulator.ts';
import { tempDir } from '../server/support/fixtures.ts';

const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const REPLIES = Number(process.env.BENCH_REPLIES ?? 300);
const CONCURRENCY = 8;
const OUR_NUMBER = '+14155550100';

interface Result {
  mode: 'NORMAL' | 'FULL';
  webhooksPerSecond: number;
  window: string;
}

async function postAll(count: number, post: (i: number) => Promise<Response>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const res = await post(i);
      if (res.status !== 200) throw new Error(`webhook ${i} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

async function settledReplies(dataDir: string): Promise<void> {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    for (;;) {
      const left = db.prepare("SELECT count(*) FROM send_jobs").pluck().get() as number;
      if (left === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    db.close();
  }
}

async function run(mode: 'NORMAL' | 'FULL'): Promise<Result> {
  const dir = tempDir('switchboard-bench-');
  const sim = await TwilioSimulator.start();
  sim.autoStatuses = [];
  const lines: string[] = [];
  let webhooksPerSecond = 0;
  const server = await startServer({ dataDir: dir.path, port: 0, demo: true, log: (l) => lines.push(l), sqliteSynchronous: mode });
  try {
    configureTwilioChannel(dir.path, 'ch_sales_sms', { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, publicUrl: server.url });
    const url = `${server.url}/webhooks/twilio/sms`;
    const from = (i: number) => `+1206${String(5_000_000 + i).padStart(7, '0')}`;
    await postAll(50, (i) => sim.postSigned(url, sim.inboundParams({ from: from(i), to: OUR_NUMBER, body: 'warm-up' })));

    const start = performance.now();
    await postAll(WEBHOOKS, (i) => sim.postSigned(url, sim.inboundParams({ from: from(i % 500), to: OUR_NUMBER, body: `Message ${i}` })));
    webhooksPerSecond = WEBHOOKS / ((performance.now() - start) / 1000);

    await postAll(REPLIES, (i) => sim.postSigned(url, sim.inboundParams({ from: from(1000 + i), to: OUR_NUMBER, body: 'HELP' })));
    await settledReplies(dir.path);
  } finally {
    await server.close();
    await sim.close();
    dir.remove();
  }
  const window = lines.find((l) => l.includes('provider answer → committed'))?.replace(/^send jobs: /, '') ?? 'no sends recorded';
  return { mode, webhooksPerSecond, window };
}

const results: Result[] = [];
for (const mode of ['NORMAL', 'FULL'] as const) results.push(await run(mode));
const [normal, full] = results as [Result, Result];

console.log(`\nServer ingest: ${WEBHOOKS} signed Twilio webhooks, ${CONCURRENCY} at a time; ${REPLIES} HELP replies through the send worker\n`);
console.log('synchronous | inbound webhooks/s | duplicate-send window (per sent reply)');
console.log('------------|--------------------|---------------------------------------');
for (const r of results) console.log(`${r.mode.padEnd(11)} | ${r.webhooksPerSecond.toFixed(0).padStart(18)} | ${r.window}`);
console.log(`\nFULL costs ${(100 * (1 - full.webhooksPerSecond / normal.webhooksPerSecond)).toFixed(1)}% of the NORMAL webhook throughput (the server uses FULL).`);
