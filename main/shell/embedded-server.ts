import { existsSync } from 'node:fs';
import type { UtilityProcessModule } from './electron-module.ts';

/**
 * Runs the bundled sync server (dist/server/server.mjs, built from server/cli.ts)
 * in an Electron utility process: a Node child that uses Electron's own Node,
 * so better-sqlite3 rebuilt for Electron loads there. main/ never imports
 * server/; the process boundary is the only link.
 */
export interface EmbeddedServerOptions {
  serverEntry: string;
  dataDir: string;
  port: number;
  demo: boolean;
  log: (line: string) => void;
  /** Injected so tests need no network. */
  isHealthy?: (url: string) => Promise<boolean>;
  /** How many health checks (200 ms apart) before giving up. */
  attempts?: number;
}

export interface EmbeddedServer {
  url: string;
  close(): Promise<void>;
}

async function healthz(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startEmbeddedServer(utilityProcess: UtilityProcessModule, options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  if (!existsSync(options.serverEntry)) throw new Error(`the bundled server is missing (${options.serverEntry})`);
  const url = `http://127.0.0.1:${options.port}`;
  const isHealthy = options.isHealthy ?? healthz;
  const args = ['--port', String(options.port), '--data-dir', options.dataDir, ...(options.demo ? ['--demo'] : [])];
  const child = utilityProcess.fork(options.serverEntry, args, { serviceName: 'Switchboard sync server', stdio: 'pipe' });
  child.stdout?.on('data', (chunk: Buffer) => options.log(`server: ${chunk.toString().trimEnd()}`));
  child.stderr?.on('data', (chunk: Buffer) => options.log(`server: ${chunk.toString().trimEnd()}`));

  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );

  for (let attempt = 0; attempt < (options.attempts ?? 100); attempt += 1) {
    if (exited !== null) throw new Error(`the embedded server exited with code ${exited}`);
    if (await isHealthy(url)) {
      return {
        url,
        async close() {
          if (exited === null && child.kill()) await exit;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error(`the embedded server did not answer on ${url}`);
}
