import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FILE, openStartLog, startBlock, trafficWords } from '../../scripts/start-output.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'sb-start-'));
  dirs.push(d);
  return d;
};

const ACCOUNTS = [
  { name: 'Maya Patel', email: 'maya@demo.switchboard.test', password: 'demo-manager', role: 'manager' },
  { name: 'Sam Rivera', email: 'sam@demo.switchboard.test', password: 'demo-agent', role: 'member' },
];

describe('npm start output', () => {
  it('one block: the address, the workspace and demo accounts in columns, the data and log paths', () => {
    const text = startBlock({
      url: 'http://127.0.0.1:5000/?token=abc',
      serverUrl: 'http://127.0.0.1:4870',
      external: false,
      workspace: 'Northwind Outfitters',
      demoAccounts: ACCOUNTS,
      traffic: trafficWords(30_000),
      dataDir: '/data',
      logPath: '/data/switchboard.log',
    });
    const lines = text.split('\n');
    expect(lines.filter((l) => l.includes('http://127.0.0.1:5000/?token=abc'))).toEqual(['  Open http://127.0.0.1:5000/?token=abc']);
    expect(lines).toContain('    Maya Patel  maya@demo.switchboard.test  demo-manager  manager');
    expect(lines).toContain('    Sam Rivera  sam@demo.switchboard.test   demo-agent    member');
    expect(lines).toContain('  Log        /data/switchboard.log');
    // The Contact Center organisation's accounts say whose they are; its longer password keeps the columns.
    const cc = startBlock({ url: null, serverUrl: 's', external: false, workspace: 'Northwind Outfitters', traffic: null, dataDir: '/d', logPath: '/d/l', demoAccounts: [
      ...ACCOUNTS,
      { name: 'Sofia Reyes', email: 'sofia@cc.demo.switchboard.test', password: 'demo-supervisor', role: 'supervisor', organisation: 'Northwind Contact Center' },
    ] });
    expect(cc.split('\n').find((l) => l.includes('sofia@'))).toBe('    Sofia Reyes  sofia@cc.demo.switchboard.test  demo-supervisor  supervisor · Northwind Contact Center');
    expect(lines).toContain('  Simulated customers write in about every 30 s and answer your replies (SWITCHBOARD_DEMO_TRAFFIC_MS=0 turns them off).');
    const filled = lines.filter((l) => l.trim() !== '');
    expect(new Set(filled).size).toBe(filled.length);
  });

  it('without Electron says to open the address; with it, that the window opens; a server it cannot ask is said once', () => {
    const base = { serverUrl: 'https://sb.example', external: true, workspace: null, demoAccounts: [], traffic: null, dataDir: '/d', logPath: '/d/l' };
    const electron = startBlock({ ...base, url: null, problem: 'could not reach the server at https://sb.example: timeout' });
    expect(electron).toContain('The Switchboard window is opening.');
    expect(electron).not.toContain('Open ');
    expect(electron).toContain('Server     https://sb.example (SWITCHBOARD_SERVER_URL)');
    expect(electron.match(/could not reach/g)).toHaveLength(1);
    expect(electron).not.toContain('Demo accounts');
  });

  it('the log file: time-stamped lines labelled by source, one per line of a multi-line message, rotated past 10 MB', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOG_FILE), 'x'.repeat(10 * 1024 * 1024 + 1));
    const log = openStartLog(dir, () => new Date('2025-01-02T03:04:05.000Z'));
    expect(statSync(path.join(dir, `${LOG_FILE}.1`)).size).toBe(10 * 1024 * 1024 + 1);
    log.write('server', 'listening');
    log.write('client', 'sync: failed\n  at frame 3\n');
    const lines = readFileSync(log.path, 'utf8').split('\n').filter(Boolean);
    expect(lines.slice(1)).toEqual([
      '2025-01-02T03:04:05.000Z [server] listening',
      '2025-01-02T03:04:05.000Z [client] sync: failed',
      '2025-01-02T03:04:05.000Z [client]   at frame 3',
    ]);
    expect(lines[0]).toMatch(/\[start\] npm start, pid \d+$/);
  });
});
