import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ServerInfo } from '../protocol/http.ts';
import { startServer, type RunningServer } from '../server/app.ts';
import { parseDemoSize } from '../server/domain/demo-scale.ts';
import { startDemoAssistant, type DemoAssistant } from '../server/simulator/demo-assistant.ts';
import { DEFAULT_CC_TRAFFIC_MS } from '../server/simulator/demo-cc-traffic.ts';
import { DEFAULT_DEMO_TRAFFIC_MS, parseDemoTrafficInterval, startDemoTraffic, type DemoTraffic } from '../server/simulator/demo-traffic.ts';
import { createClientCore, type ClientCore } from '../main/core/client-core.ts';
import { startBrowserHost, type BrowserHost } from '../main/hosts/browser-host.ts';
import { switchboardDataDir } from '../main/hosts/data-dir.ts';
import { buildElectron, ROOT } from './build-electron.ts';
import { ensureRendererBuilt } from './renderer-build.ts';
import { openStartLog, startBlock, trafficWords, type StartBlock, type StartLog } from './start-output.ts';

/**
 * `npm start`: everything a fresh checkout needs to show Switchboard.
 *  1. build the renderer when dist/renderer is missing or older than its sources;
 *  2. start the embedded sync server (demo workspace on first start) unless
 *     SWITCHBOARD_SERVER_URL points at another server;
 *  3. in the demo workspace, simulate customers: provider simulators behind the
 *     demo SMS/WhatsApp channels and customers writing in through them;
 *  4. run the Electron app when its binary is installed, otherwise serve the
 *     same app to a browser through the browser host.
 */

const DEFAULT_PORT = 4870;
const DEMO_MARKER = 'demo-workspace';
/** The terminal: progress while starting, the block, and what stops the start. Everything else goes to the log. */
const say = (line: string) => console.log(`[switchboard] ${line}`);
const rendererDir = path.join(ROOT, 'dist', 'renderer');

function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

interface EmbeddedServer {
  server: RunningServer;
  serverDir: string;
  demo: boolean;
}

async function startEmbeddedServer(dataDir: string, logFile: StartLog): Promise<EmbeddedServer> {
  const serverDir = path.join(dataDir, 'server');
  mkdirSync(serverDir, { recursive: true });
  // Demo on first start; afterwards only if the workspace was created as the demo (SWITCHBOARD_DEMO=0/1 overrides).
  const firstStart = readdirSync(serverDir).length === 0;
  const demo = process.env.SWITCHBOARD_DEMO ? process.env.SWITCHBOARD_DEMO !== '0' : firstStart || existsSync(path.join(serverDir, DEMO_MARKER));
  if (demo && firstStart) writeFileSync(path.join(serverDir, DEMO_MARKER), 'This workspace was seeded with the demo data.\n');
  if (demo && firstStart) say('creating the demo workspace (first start only)…');
  const port = Number(process.env.SWITCHBOARD_PORT ?? DEFAULT_PORT);
  const demoSize = demo ? parseDemoSize(process.env.SWITCHBOARD_DEMO_SIZE) : null;
  if (demoSize) say(`growing the demo workspace to ${demoSize.toLocaleString('en-US')} conversations (first start at this size only; resumes if interrupted)…`);
  let lastShown = 0;
  const options = {
    dataDir: serverDir,
    demo,
    demoSize: demoSize ?? undefined,
    // One line per tenth, not per batch: the terminal stays readable.
    onDemoGrowth: (done: number, of: number) => {
      if (done === of || done - lastShown >= of / 10) {
        lastShown = done;
        say(`  ${done.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} generated conversations written`);
      }
    },
    log: (line: string) => logFile.write('server', line),
  };
  try {
    return { server: await startServer({ ...options, port }), serverDir, demo };
  } catch (err) {
    if (!isAddressInUse(err)) throw err;
    logFile.write('start', `port ${port} is in use; the server takes a free port instead`);
    return { server: await startServer({ ...options, port: 0 }), serverDir, demo };
  }
}

/** Demo workspace only: simulated customers (SWITCHBOARD_DEMO_TRAFFIC_MS sets their pace, 0 stops them). */
async function startCustomerSimulation(embedded: EmbeddedServer, logFile: StartLog): Promise<{ traffic: DemoTraffic; banner: string } | null> {
  const raw = process.env.SWITCHBOARD_DEMO_TRAFFIC_MS;
  let intervalMs = parseDemoTrafficInterval(raw);
  if (intervalMs === null) {
    say(`SWITCHBOARD_DEMO_TRAFFIC_MS=${raw} is not a number of milliseconds; using the default`);
    intervalMs = DEFAULT_DEMO_TRAFFIC_MS;
  }
  try {
    const traffic = await startDemoTraffic({
      server: embedded.server,
      dataDir: embedded.serverDir,
      intervalMs,
      // The Contact Center's customers come faster (every 15–30 s), so routing shows within a minute.
      contactCenterIntervalMs: intervalMs === 0 ? 0 : DEFAULT_CC_TRAFFIC_MS,
      log: (line) => logFile.write('demo customers', line),
    });
    return { traffic, banner: trafficWords(intervalMs) };
  } catch (err) {
    const message = `could not start the simulated customers: ${err instanceof Error ? err.message : String(err)}`;
    say(message);
    logFile.write('start', message);
    return null;
  }
}

/** The Electron binary's path when the optional dependency and its download are both present. */
function electronBinary(): string | null {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('electron');
    // electron's index.js exports the binary path (and throws when the download never happened).
    const binary: unknown = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

async function describeServer(serverUrl: string): Promise<Pick<StartBlock, 'workspace' | 'demoAccounts' | 'problem'>> {
  try {
    const res = await fetch(`${serverUrl}/api/info`, { signal: AbortSignal.timeout(3000) });
    const info = ServerInfo.parse(await res.json());
    return { workspace: info.organisation, demoAccounts: info.demoAccounts ?? [] };
  } catch (err) {
    return { workspace: null, demoAccounts: [], problem: `could not reach the server at ${serverUrl}: ${String(err)}` };
  }
}

async function main(): Promise<void> {
  const dataDir = switchboardDataDir(process.platform, process.env, os.homedir());
  const logFile = openStartLog(dataDir);
  const externalServer = process.env.SWITCHBOARD_SERVER_URL ?? null;
  let server: RunningServer | null = null;
  let traffic: DemoTraffic | null = null;
  let demoAssistant: DemoAssistant | null = null;
  let trafficBanner: string | null = null;
  let core: ClientCore | null = null;
  let host: BrowserHost | null = null;
  let electron: ChildProcess | null = null;

  let stopping: Promise<void> | null = null;
  const failed = (what: string) => (err: unknown) => logFile.write('start', `${what} failed: ${String(err)}`);
  const stop = (reason: string, exitCode = 0) => {
    stopping ??= (async () => {
      say(`${reason}: shutting down`);
      logFile.write('start', `${reason}: shutting down`);
      electron?.kill('SIGTERM');
      await host?.close().catch(failed('closing the browser host'));
      await core?.close().catch(failed('closing the client'));
      await traffic?.stop().catch(failed('stopping the simulated customers'));
      await demoAssistant?.stop().catch(failed('stopping the assistant simulator'));
      await server?.close().catch(failed('stopping the server'));
      process.exit(exitCode);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void (stopping ? process.exit(130) : stop('SIGINT')));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await ensureRendererBuilt(ROOT, say);
  if (!externalServer) {
    const embedded = await startEmbeddedServer(dataDir, logFile);
    server = embedded.server;
    const simulation = embedded.demo ? await startCustomerSimulation(embedded, logFile) : null;
    traffic = simulation?.traffic ?? null;
    trafficBanner = simulation?.banner ?? null;
    if (embedded.demo) {
      demoAssistant = await startDemoAssistant({ dataDir: embedded.serverDir, log: (line) => logFile.write('demo assistant', line) }).catch((err: unknown) => {
        logFile.write('start', `could not start the assistant simulator: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
    }
  }
  const serverUrl = externalServer ?? server?.url ?? '';
  const block = async (url: string | null): Promise<string> =>
    startBlock({ url, serverUrl, external: externalServer !== null, traffic: trafficBanner, assistant: demoAssistant?.banner ?? null, dataDir, logPath: logFile.path, ...(await describeServer(serverUrl)) });

  const binary = electronBinary();
  if (binary) {
    await buildElectron(ROOT, say);
    electron = spawn(binary, [ROOT], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_SERVER_URL: serverUrl } });
    for (const stream of [electron.stdout, electron.stderr]) stream?.on('data', (chunk: Buffer) => logFile.write('electron', chunk.toString()));
    electron.on('exit', (code) => void stop('the app window closed', code ?? 0));
    console.log(await block(null));
    return;
  }

  core = await createClientCore({ dataDir: path.join(dataDir, 'client'), defaultServerUrl: serverUrl, log: (line) => logFile.write('client', line) });
  host = await startBrowserHost({
    core,
    rendererDir,
    port: Number(process.env.SWITCHBOARD_HOST_PORT ?? 0),
    log: (line) => logFile.write('browser host', line),
  });
  console.log(await block(host.url));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
