import type { StorageTx } from '../storage/storage.ts';

const DAY = 24 * 60 * 60 * 1000;

/**
 * What the server trims, and when. The change log is the event log of SPEC §2 ("every change, ordered, for
 * sync and audit"), so by default it is kept forever; an operator may bound it. The answers to client
 * mutations only serve resends, so they are trimmed after a month (each client's latest is always kept).
 */
export interface LogRetentionPolicy {
  /** Change-log entries older than this are compacted away (ms); null = kept forever. A client whose cursor
   * was compacted starts over from a snapshot, its unsent outbox kept. */
  changeLogKeepMs: number | null;
  /** Mutation answers older than this are deleted (ms). */
  answersKeepMs: number;
  /** How often retention runs (ms). */
  intervalMs: number;
}

export const DEFAULT_LOG_RETENTION: LogRetentionPolicy = { changeLogKeepMs: null, answersKeepMs: 30 * DAY, intervalMs: 60 * 60 * 1000 };

/** The policy from options, else SWITCHBOARD_CHANGE_LOG_DAYS, else the defaults; throws on nonsense. */
export function resolveLogRetention(overrides: Partial<LogRetentionPolicy> = {}, env: NodeJS.ProcessEnv = process.env): LogRetentionPolicy {
  const days = env.SWITCHBOARD_CHANGE_LOG_DAYS;
  const fromEnv: Partial<LogRetentionPolicy> = {};
  if (days !== undefined && days !== '') {
    if (!(Number(days) >= 1)) throw new Error(`SWITCHBOARD_CHANGE_LOG_DAYS must be a number of days, at least 1 (got ${JSON.stringify(days)})`);
    fromEnv.changeLogKeepMs = Number(days) * DAY;
  }
  const policy = { ...DEFAULT_LOG_RETENTION, ...fromEnv, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (value === null && name === 'changeLogKeepMs') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`logRetention.${name} must be a positive number of ms (got ${value})`);
  }
  return policy;
}

/** [when, head then]: every entry with seq <= head was written at or before `when`. */
type Mark = [at: number, head: number];
const MARKS_KEY = 'change_log_marks';

async function readMarks(tx: StorageTx): Promise<Mark[]> {
  try {
    const parsed: unknown = JSON.parse(await tx.getMeta(MARKS_KEY) ?? '[]');
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
 * One retention pass. The log carries no timestamps, so with a bounded log each pass notes (now, head) and
 * compacts through the newest head noted at least changeLogKeepMs ago: an entry goes once it is older than
 * that (at most one interval later).
 */
export async function applyLogRetention(tx: StorageTx, policy: LogRetentionPolicy, now: number): Promise<RetentionOutcome> {
  const prunedAnswers = await tx.pruneMutationResults(now - policy.answersKeepMs);
  if (policy.changeLogKeepMs === null) return { compactedThrough: null, prunedAnswers };
  const cutoff = now - policy.changeLogKeepMs;
  const marks = await readMarks(tx);
  const head = await tx.head();
  if (marks.at(-1)?.[1] !== head) marks.push([now, head]);
  const due = marks.filter(([at]) => at <= cutoff).at(-1);
  let compactedThrough: number | null = null;
  if (due && due[1] > await tx.compactedThrough()) {
    await tx.compactChanges(due[1]);
    compactedThrough = due[1];
  }
  await tx.setMeta(MARKS_KEY, JSON.stringify(marks.filter(([at]) => at > cutoff)));
  return { compactedThrough, prunedAnswers };
}
