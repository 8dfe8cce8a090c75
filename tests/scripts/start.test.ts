import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, build } from 'vite';

/**
 * `npm start` as a newcomer runs it: the real script on a fresh data directory and free ports, then stopped
 * with SIGTERM. What reaches the terminal is a few progress lines and one block; the server, the simulated
 * customers and the client core write to the log file the block names. And the renderer's build, the first
 * thing a fresh checkout does, warns about nothing.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'sb-npm-start-'));
let child: ChildProcess | null = null;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => T | null | undefined | false, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  it('prints one block with the address, the demo accounts and the log path; later lines go to the log file', { timeout: 180_000 }, async () => {
    let out = '';
    let err = '';
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'start.ts')], {
      cwd: ROOT,
      env: { ...process.env, SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_PORT: '0', SWITCHBOARD_HOST_PORT: '0', SWITCHBOARD_DEMO_TRAFFIC_MS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));

    await until('the block', () => out.includes('Press Ctrl+C to stop.'));
    const logPath = path.join(dir, 'switchboard.log');
    const address = /^ {2}Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)?.[1];
    expect(address).toBeDefined();
    expect((await fetch(address!)).status).toBe(200);
    // Simulated customers keep writing; their lines land in the log, not on the terminal.
    await until('a simulated customer in the log', () => existsSync(logPath) && /\[demo customers\] .+ → /.test(readFileSync(logPath, 'utf8')));
    const terminalBeforeStop = out;

    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    expect(err).toBe('');
    const lines = terminalBeforeStop.split('\n');
    const filled = lines.filter((l) => l.trim() !== '');
    expect(new Set(filled).size).toBe(filled.length);
    expect(filled.filter((l) => l.includes('Open http'))).toHaveLength(1);
    expect(filled.filter((l) => l === 'Switchboard is running.')).toHaveLength(1);
    // Before the block only our own progress lines; nothing from the server, the simulators or the client.
    const block = lines.indexOf('Switchboard is running.');
    expect(lines.slice(0, block).filter((l) => l.trim() !== '' && !l.startsWith('[switchboard] '))).toEqual([]);
    expect(terminalBeforeStop).not.toMatch(/server:|demo customers|client:|warning|\(!\)/i);
    expect(lines).toContain(`  Log        ${logPath}`);
    expect(lines).toContain(`  Data       ${dir}`);
    for (const account of ['maya@demo.switchboard.test', 'sam@demo.switchboard.test', 'alex@demo.switchboard.test', 'ava@demo.switchboard.test']) {
      expect(filled.filter((l) => l.includes(account))).toHaveLength(1);
    }
    expect(lines.some((l) => l.startsWith('  Workspace  Northwind Outfitters'))).toBe(true);
    // After the block, only the shutdown line.
    expect(out.slice(terminalBeforeStop.length).trim()).toBe('[switchboard] SIGTERM: shutting down');

    const log = readFileSync(logPath, 'utf8');
    expect(log).toMatch(/\[server\] switchboard sync server listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(log).toMatch(/\[demo customers\] provider simulators: /);
    expect(log).toMatch(/\[start\] SIGTERM: shutting down/);
  });

  it('the first build of the renderer warns about nothing', { timeout: 180_000 }, async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (message) => void warnings.push(message);
    logger.warnOnce = (message) => void warnings.push(message);
    logger.error = (message) => void warnings.push(message);
    await build({
      configFile: path.join(ROOT, 'vite.config.ts'),
      root: path.join(ROOT, 'renderer'),
      logLevel: 'warn',
      customLogger: logger,
      build: { outDir: path.join(dir, 'renderer-build'), emptyOutDir: true },
    });
    expect(existsSync(path.join(dir, 'renderer-build', 'index.html'))).toBe(true);
    expect(warnings).toEqual([]);
  });
});
