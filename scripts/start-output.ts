import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * What `npm start` prints, kept apart from what it does so it can be tested. The terminal gets a few progress
 * lines while starting, then one block with everything a newcomer needs (where to open the app, the demo
 * accounts, where the log is). Everything the server, the simulated customers and the client core say after
 * that goes to a log file in the data directory, never to the terminal.
 */

export const LOG_FILE = 'switchboard.log';
/** A log over this size is moved to switchboard.log.1 at start (one generation kept). */
const ROTATE_BYTES = 10 * 1024 * 1024;

export interface StartLog {
  path: string;
  /** One line to the log file, time-stamped and labelled with who said it. */
  write(source: string, line: string): void;
}

export function openStartLog(dataDir: string, now: () => Date = () => new Date()): StartLog {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOG_FILE);
  if (existsSync(file) && statSync(file).size > ROTATE_BYTES) renameSync(file, `${file}.1`);
  const write = (source: string, line: string): void => {
    const text = line.replace(/\s+$/, '');
    const lines = text.split('\n').map((l) => `${now().toISOString()} [${source}] ${l}\n`);
    appendFileSync(file, lines.join(''));
  };
  write('start', `npm start, pid ${process.pid}`);
  return { path: file, write };
}

export interface DemoAccountLine {
  name: string;
  email: string;
  password: string;
  organisation?: string;
  role: string;
}

export interface StartBlock {
  /** The browser address (with its token), or null when the Electron window opens instead. */
  url: string | null;
  serverUrl: string;
  /** Set when SWITCHBOARD_SERVER_URL points at another server. */
  external: boolean;
  workspace: string | null;
  demoAccounts: readonly DemoAccountLine[];
  /** The simulated customers' pace in words, or null outside the demo workspace. */
  traffic: string | null;
  /** Where the demo's Message Assistant answers from, or null when no simulator was started. */
  assistant?: string | null;
  dataDir: string;
  logPath: string;
  /** Set when the server could not be asked for its workspace; said once, in the block. */
  problem?: string;
}

/** The one block printed once everything runs. */
export function startBlock(b: StartBlock): string {
  const lines: string[] = ['', 'Switchboard is running.', ''];
  if (b.url) {
    lines.push(`  Open ${b.url}`, '  in your browser (Electron is not installed here, so the app runs in a browser tab).', '');
  } else {
    lines.push('  The Switchboard window is opening.', '');
  }
  if (b.workspace) lines.push(`  Workspace  ${b.workspace}${b.external ? '' : ' (on this computer)'}`);
  lines.push(`  Server     ${b.serverUrl}${b.external ? ' (SWITCHBOARD_SERVER_URL)' : ''}`);
  if (b.problem) lines.push(`  (${b.problem})`);
  if (b.demoAccounts.length > 0) {
    lines.push('', '  Demo accounts (password after the address):');
    const name = Math.max(...b.demoAccounts.map((a) => a.name.length));
    const email = Math.max(...b.demoAccounts.map((a) => a.email.length));
    const password = Math.max(13, ...b.demoAccounts.map((a) => a.password.length + 1));
    // The demo's second organisation (Contact Center) is named on its accounts' lines.
    const org = (a: DemoAccountLine) => (a.organisation && a.organisation !== b.workspace ? ` · ${a.organisation}` : '');
    for (const a of b.demoAccounts) lines.push(`    ${a.name.padEnd(name)}  ${a.email.padEnd(email)}  ${a.password.padEnd(password)} ${a.role}${org(a)}`);
  }
  if (b.traffic) lines.push('', `  ${b.traffic}`);
  if (b.assistant) lines.push('', `  ${b.assistant}`);
  lines.push('', `  Data       ${b.dataDir}`, `  Log        ${b.logPath}`, '', 'Press Ctrl+C to stop.', '');
  return lines.join('\n');
}

/** The simulated customers in one sentence. */
export function trafficWords(intervalMs: number): string {
  if (intervalMs <= 0) return 'Simulated customers are off (SWITCHBOARD_DEMO_TRAFFIC_MS=0); replies still go through the provider simulators.';
  const pace = intervalMs < 2000 ? `${intervalMs} ms` : `${Math.round(intervalMs / 1000)} s`;
  return `Simulated customers write in about every ${pace} and answer your replies (SWITCHBOARD_DEMO_TRAFFIC_MS=0 turns them off).`;
}
