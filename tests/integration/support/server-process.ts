import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '../../../server/app.ts';
import { serverEnvFor } from './test-server.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A free loopback port (the server keeps it across restarts: providers call back to one address). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The real server (`server/cli.ts`) in a child process, so that kill -9 is a real crash: no exit
 * handler, no flush, nothing but what SQLite had made durable.
 */
export class ServerProcess {
  readonly output: string[] = [];
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  /**
   * `server/cli.ts --demo` on `dataDir`'s database (test-server.ts: its SQLite file, or its PostgreSQL schema on
   * the integration-pg project), unless `env` names a database (SWITCHBOARD_DATABASE_URL, … for a cluster of
   * processes on one database); `env` is added to the environment and wins.
   */
  static async start(dataDir: string, port: number, env: Record<string, string> = {}): Promise<ServerProcess> {
    const own = env.SWITCHBOARD_DATABASE_URL ? {} : await serverEnvFor(dataDir);
    return ServerProcess.spawn(['server/cli.ts', '--port', String(port), '--data-dir', dataDir, '--demo'], { ...own, ...env });
  }

  /** startServer(options) in a child process (tests/server/fixtures/server-main.ts): for tuning the CLI does not expose. */
  static async startWith(options: Omit<ServerOptions, 'log'>): Promise<ServerProcess> {
    return ServerProcess.spawn(['tests/server/fixtures/server-main.ts', JSON.stringify(options)]);
  }

  private static async spawn(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child);
    await server.until((line) => line.includes('listening on'), 'the server to listen');
    return server;
  }

  /** The server's own process id (node runs server/cli.ts itself: no wrapper process). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    const line = this.output.find((l) => l.includes('listening on')) ?? '';
    return /(http:\/\/\S+)/.exec(line)?.[1] ?? '';
  }

  /** Sends `signal` and resolves once the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exit;
  }

  private async until(match: (line: string) => boolean, what: string): Promise<void> {
    const exited = this.exit.then((e) => {
      throw new Error(`the server exited (${e.code ?? e.signal}) before ${what}:\n${this.output.join('\n')}`);
    });
    const seen = new Promise<void>((resolve) => {
      const look = () => (this.output.some(match) ? resolve() : setTimeout(look, 25));
      look();
    });
    await Promise.race([seen, exited]);
  }
}
