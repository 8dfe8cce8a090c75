import type { StorageTx } from '../storage/storage.ts';

const DAY = 24 * 60 * 60 * 1000;

/**
 * How long the change log and the answers to client mutations are kept. A client away for longer starts over
 * from a snapshot of what it may see (its unsent outbox is kept and sent after), so nothing is lost; the
 * database just stops growing with every edit ever made.
 */
export interface LogRetentionPolicy {
  /** Entries and answers older than this are deleted (ms). */
  keepMs: number;
  /** How often retention runs (ms). */
  intervalMs: number;
}

export const DEFAULT_LOG_RETENTION: LogRetentionPolicy = { keepMs: 30 * DAY, intervalMs: 60 * 60 * 1000 };

/** The policy from options, else SWITCHBOARD_LOG_RETENTION_DAYS, else the defaults; throws on nonsense. */
export function resolveLogRetention(overrides: Partial<LogRetentionPolicy> = {}, env: NodeJS.ProcessEnv = process.env): LogRetentionPolicy {
  const days = env.SWITCHBOARD_LOG_RETENTION_DAYS;
  const fromEnv = days === undefined || days === '' ? {} : { keepMs: Number(days) * DAY };
  if (days !== undefined && days !== '' && !(Number(days) >= 1)) {
    throw new Error(`SWITCHBOARD_LOG_RETENTION_DAYS must be a number of days, at least 1 (got ${JSON.stringify(days)})`);
  }
  const policy = { ...DEFAULT_LOG_RETENTION, ...fromEnv, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`logRetention.${name} must be a positive number of ms (got ${value})`);
  }
  return policy;
}

/** [when, head then]: every entry with seq <= head was written at or before `when`. */
type Mark = [at: number, head: number];
const MARKS_KEY = 'change_log_marks';

function readMarks(tx: StorageTx): Mark[] {
  try {
    const parsed: unknown = JSON.parse(tx.getMeta(MARKS_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((m): m is Mark => Array.isArray(m) && m.length === 2 && m.every(Number.isFinite)) : [];
  } catch {
    return [];
  }
}

export interface RetentionOutcome {
  /** The new compaction point, or null when nothing was compacted this time. */
  compactedThrough: number | null;
  prunedAnswers: number;
}

/**
 * One retention pass. The log carries no timestamps, so each pass notes (now, head) and compacts through the
 * newest head noted at least keepMs ago: an entry goes once it is older than keepMs (at most one interval later).
 */
export function applyLogRetention(tx: StorageTx, policy: LogRetentionPolicy, now: number): RetentionOutcome {
  const cutoff = now - policy.keepMs;
  const marks = readMarks(tx);
  const head = tx.head();
  if (marks.at(-1)?.[1] !== head) marks.push([now, head]);
  const due = marks.filter(([at]) => at <= cutoff).at(-1);
  let compactedThrough: number | null = null;
  if (due && due[1] > tx.compactedThrough()) {
    tx.compactChanges(due[1]);
    compactedThrough = due[1];
  }
  tx.setMeta(MARKS_KEY, JSON.stringify(marks.filter(([at]) => at > cutoff)));
  return { compactedThrough, prunedAnswers: tx.pruneMutationResults(cutoff) };
}
