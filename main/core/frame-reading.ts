import { z } from 'zod';
import { EntityRecord, User } from '../../protocol/domain.ts';
import { describeIssue } from '../../protocol/issues.ts';
import { isScope, type Scope } from '../../protocol/scope.ts';
import { ChangeEntry, ServerFrame, SYNC_LIMITS, WelcomeFrame, type ChangesFrame, type SnapshotFrame } from '../../protocol/sync.ts';
import { parseServerFrame } from './server-frame.ts';
import { SnapshotPhase } from '../../protocol/history.ts';

/** Scopes to stream afresh, or every held scope when the damage cannot be placed. */
export type Resync = Scope[] | 'all';

/**
 * What one received text amounts to. A frame is never all-or-nothing: the entries, records and scopes
 * that pass the protocol schema are kept, each part left out is named in `problems`, and `resync` says
 * which scopes may now be stale because of it (so the server can send them again from scratch).
 */
export interface FrameReading {
  /** The frame, or its readable part; null when nothing of it can be used. */
  frame: ServerFrame | null;
  /** The type it claimed, if a known one (a welcome too broken to use still says the server took hello). */
  type: ServerFrame['type'] | null;
  problems: string[];
  resync: Resync | null;
}

const TYPES = new Set<unknown>(ServerFrame.options.map((o) => o.shape.type.value));
const Count = z.number().int().nonnegative();
const WelcomeEnvelope = WelcomeFrame.extend({ user: z.unknown(), scopes: z.array(z.unknown()) });
const ChangesEnvelope = z.object({
  type: z.literal('changes'),
  entries: z.array(z.unknown()).max(SYNC_LIMITS.maxBatch),
  cursor: Count,
  caughtUp: z.boolean(),
});
const SnapshotEnvelope = z.object({
  type: z.literal('snapshot'),
  scope: z.string().refine(isScope, 'not a scope'),
  reset: z.boolean(),
  done: z.boolean(),
  records: z.array(z.unknown()).max(SYNC_LIMITS.maxBatch),
  cursor: Count,
  phase: SnapshotPhase.optional(),
});

const clip = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 80);
const scopeOf = (entry: unknown): Scope | null => {
  const s = typeof entry === 'object' && entry !== null ? (entry as { scope?: unknown }).scope : undefined;
  return typeof s === 'string' && isScope(s) ? s : null;
};

export function readServerFrame(text: string): FrameReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { frame: null, type: null, problems: ['a frame that is not JSON'], resync: 'all' };
  }
  const parsed = parseServerFrame(json);
  if (parsed.success) return { frame: parsed.data, type: parsed.data.type, problems: [], resync: null };
  const claimed = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (!TYPES.has(claimed)) return { frame: null, type: null, problems: [`a frame of unknown type ${clip(claimed ?? null)}`], resync: 'all' };
  const type = claimed as ServerFrame['type'];
  switch (type) {
    case 'welcome':
      return readWelcome(json, parsed.error);
    case 'changes':
      return readChanges(json);
    case 'snapshot':
      return readSnapshot(json);
    default:
      // A lost answer is asked again on the next link (the outbox re-sends what was never answered).
      return { frame: null, type, problems: [`a ${type} frame (${describeIssue(parsed.error)})`], resync: null };
  }
}

function readWelcome(json: unknown, error: z.ZodError): FrameReading {
  const envelope = WelcomeEnvelope.safeParse(json);
  if (!envelope.success) return { frame: null, type: 'welcome', problems: [`a welcome frame (${describeIssue(error)})`], resync: null };
  const problems: string[] = [];
  const scopes: Scope[] = [];
  envelope.data.scopes.forEach((s, i) => {
    if (typeof s === 'string' && isScope(s)) scopes.push(s);
    else problems.push(`welcome scopes.${i}: not a scope (${clip(s)})`);
  });
  const user = User.safeParse(envelope.data.user);
  if (!user.success) {
    problems.push(`welcome user (${describeIssue(user.error)})`);
    return { frame: null, type: 'welcome', problems, resync: null };
  }
  return { frame: { ...envelope.data, user: user.data, scopes }, type: 'welcome', problems, resync: null };
}

function readChanges(json: unknown): FrameReading {
  const envelope = ChangesEnvelope.safeParse(json);
  // Without the envelope neither the entries nor the cursor can be trusted: nothing of it is applied.
  if (!envelope.success) return { frame: null, type: 'changes', problems: [`a changes frame (${describeIssue(envelope.error)})`], resync: 'all' };
  const problems: string[] = [];
  const stale = new Set<Scope>();
  let unplaced = false;
  const entries: ChangesFrame['entries'] = [];
  envelope.data.entries.forEach((e, i) => {
    const entry = ChangeEntry.safeParse(e);
    if (entry.success) return void entries.push(entry.data);
    problems.push(`changes entries.${i}.${describeIssue(entry.error)}`);
    const scope = scopeOf(e);
    if (scope) stale.add(scope);
    else unplaced = true;
  });
  const resync: Resync | null = unplaced ? 'all' : stale.size > 0 ? [...stale] : null;
  return { frame: { ...envelope.data, entries }, type: 'changes', problems, resync };
}

function readSnapshot(json: unknown): FrameReading {
  const envelope = SnapshotEnvelope.safeParse(json);
  if (!envelope.success) {
    const scope = scopeOf(json);
    return { frame: null, type: 'snapshot', problems: [`a snapshot frame (${describeIssue(envelope.error)})`], resync: scope ? [scope] : 'all' };
  }
  const problems: string[] = [];
  const records: SnapshotFrame['records'] = [];
  envelope.data.records.forEach((r, i) => {
    const record = EntityRecord.safeParse(r);
    if (record.success) records.push(record.data);
    // A snapshot is already the freshest copy: asking again would bring the same record back.
    else problems.push(`snapshot ${envelope.data.scope} records.${i}.${describeIssue(record.error)}`);
  });
  return { frame: { ...envelope.data, scope: envelope.data.scope as Scope, records }, type: 'snapshot', problems, resync: null };
}
