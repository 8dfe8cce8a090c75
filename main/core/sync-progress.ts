import type { SyncProgress } from '../../protocol/ipc.ts';
import type { Scope } from '../../protocol/scope.ts';
import type { DataFrame } from './cache/apply-frame.ts';
import { SNAPSHOT_PHASES, type SnapshotPhase } from '../../protocol/history.ts';

type Phase = NonNullable<SyncProgress['phase']>;
/**
 * From this phase on a windowed sync has every open conversation, so the first page too (a server that sends no
 * `openFirst` phase says so by starting this one).
 */
const FIRST_PAGE_BY = SNAPSHOT_PHASES.indexOf('recent');

interface ScopeCount {
  conversations: number;
  messages: number;
  records: number;
  done: boolean;
}

/**
 * Counts what a sync bringing whole scopes has stored, from the snapshot frames the cache applied (never
 * from frames merely received), so the figures shown are rows a person can already see. A scope whose
 * snapshot restarts (`reset`, e.g. after a dropped link) starts its count again, so the total never counts
 * a record twice. The server sends no totals, so progress is told as counts and scopes complete.
 */
export class SyncProgressTracker {
  private scopes = new Map<Scope, ScopeCount>();
  private syncing: boolean;
  /** Issue 13: the furthest phase of a windowed snapshot seen, 'done' after windowDone; null without a window. */
  private phase: Phase | null = null;
  /** The first page of the default list is in: `phaseDone` of `openFirst` was applied (or a later phase began). */
  private firstPageIn = false;
  /** The server's totals of the default list are stored (view-totals.ts), so the counts shown are right. */
  private totalsIn = false;

  /** `firstSync`: the cache never completed a sync, so the list stays empty until snapshots arrive. */
  constructor(firstSync: boolean) {
    this.syncing = firstSync;
  }

  /** Null while nothing is being snapshotted (the usual catch-up of a few changes is not shown). */
  get state(): SyncProgress | null {
    if (!this.syncing) return null;
    return this.snapshot();
  }

  /**
   * The welcome names every scope held now; those the cache does not hold whole (never received, or marked
   * stale) are the ones the server will snapshot. Returns whether the state changed.
   */
  welcomed(scopes: readonly Scope[], held: ReadonlySet<Scope>): boolean {
    const owed = scopes.filter((s) => !held.has(s));
    for (const s of [...this.scopes.keys()]) if (!owed.includes(s)) this.scopes.delete(s);
    for (const s of owed) if (!this.scopes.has(s)) this.scopes.set(s, { conversations: 0, messages: 0, records: 0, done: false });
    const was = this.syncing;
    this.syncing = owed.length > 0;
    return was || this.syncing;
  }

  /** After a batch was committed: counts its snapshot pages; a caught-up `changes` frame ends the sync. */
  applied(frames: readonly DataFrame[]): boolean {
    if (!this.syncing) return false;
    for (const frame of frames) {
      if (frame.type === 'snapshot') {
        const count = frame.reset ? { conversations: 0, messages: 0, records: 0, done: false } : (this.scopes.get(frame.scope) ?? { conversations: 0, messages: 0, records: 0, done: false });
        for (const r of frame.records) {
          count.records++;
          if (r.entity === 'conversation') count.conversations++;
          else if (r.entity === 'message') count.messages++;
        }
        count.done = frame.done;
        this.scopes.set(frame.scope, count);
        if (frame.phase) this.reachPhase(frame.phase);
      } else if (frame.type === 'changes' && frame.caughtUp) {
        this.syncing = false;
        for (const count of this.scopes.values()) count.done = true;
      } else if (frame.type === 'scopeLost') {
        this.scopes.delete(frame.scope);
      } else if (frame.type === 'windowDone') {
        this.phase = 'done';
      } else if (frame.type === 'phaseDone') {
        if (frame.phase === 'openFirst') this.firstPageIn = true;
        this.reachPhase(frame.phase);
      }
    }
    return true;
  }

  /** The default list's server totals arrived; returns whether the state changed (it may make the inbox usable). */
  totalsKnown(): boolean {
    if (this.totalsIn) return false;
    this.totalsIn = true;
    return this.syncing;
  }

  /** Phases only move forward: a scope gained later restarts nothing the person already has. */
  private reachPhase(phase: SnapshotPhase): void {
    const at = this.phase === null || this.phase === 'done' ? -1 : SNAPSHOT_PHASES.indexOf(this.phase);
    if (this.phase !== 'done' && SNAPSHOT_PHASES.indexOf(phase) > at) this.phase = phase;
    if (SNAPSHOT_PHASES.indexOf(phase) >= FIRST_PAGE_BY) this.firstPageIn = true;
  }

  /** The figures as they stand (also the last event of a sync, with `syncing` false). */
  snapshot(): SyncProgress {
    const phase = this.phase;
    // Usable: the sidebar (sent before openFirst), the first page and correct counts are there, or everything is.
    const usable = !this.syncing || phase === 'done' || (this.firstPageIn && this.totalsIn);
    const sum: SyncProgress = {
      syncing: this.syncing,
      conversations: 0,
      messages: 0,
      records: 0,
      scopesDone: 0,
      scopesTotal: this.scopes.size,
      phase,
      usable,
    };
    for (const c of this.scopes.values()) {
      sum.conversations += c.conversations;
      sum.messages += c.messages;
      sum.records += c.records;
      if (c.done) sum.scopesDone++;
    }
    return sum;
  }
}
