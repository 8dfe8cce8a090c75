/**
 * The per-phase table of the windowed first sync (issue 13), printed by window-bench.ts: when each phase of the
 * window began and ended as the client core reported it (syncProgress events follow applied batches, so a phase
 * ends when a later one is first reported), when the inbox became usable, and the whole window, each beside the
 * full snapshot's figure of the same run.
 */
import { SNAPSHOT_PHASES } from '../../protocol/history.ts';

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export interface SignInTimes {
  /** ms after sign-in at which each key was first seen: phase names, 'done', 'usable flag', 'server counts'. */
  seen: ReadonlyMap<string, number>;
  usableMs: number;
  wholeMs: number;
}

const ORDER = [...SNAPSHOT_PHASES, 'done'];

/** A phase ends when a later one (or the window's end) is first reported. */
function endOf(seen: ReadonlyMap<string, number>, phase: string): number | null {
  const later = ORDER.slice(ORDER.indexOf(phase) + 1).map((p) => seen.get(p)).filter((t): t is number => t !== undefined);
  return later.length > 0 ? Math.min(...later) : null;
}

export function printPhaseTable(window: SignInTimes, full: SignInTimes, targetMs: number): void {
  const row = (name: string, began: string, ended: string, baseline: string, note = ''): void =>
    console.log(`    ${pad(name, 44)}${lpad(began, 10)}${lpad(ended, 10)}${lpad(baseline, 16)}   ${note}`);
  console.log('  per phase (ms after sign-in):');
  row('', 'began', 'ended', 'full snapshot');
  for (const phase of SNAPSHOT_PHASES) {
    const began = window.seen.get(phase);
    const ended = endOf(window.seen, phase);
    row(`window phase ${phase}`, began === undefined ? 'unseen' : fmt(began), ended === null ? '—' : fmt(ended), '—');
  }
  const flag = window.seen.get('usable flag');
  row('usable flag (openFirst done + totals)', '', flag === undefined ? '—' : fmt(flag), fmt(full.seen.get('usable flag') ?? full.usableMs), 'full: the sync ended');
  row('usable inbox (sidebar, page, counts answered)', '', fmt(window.usableMs), fmt(full.usableMs), `target ≤ ${fmt(targetMs)}: ${window.usableMs <= targetMs ? 'met' : 'MISSED'}`);
  row('whole window / snapshot', '', fmt(window.wholeMs), fmt(full.wholeMs));
}
