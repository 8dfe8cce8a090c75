import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../../protocol/domain.ts';
import { SyncProgress } from '../../../protocol/ipc.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { SnapshotFrame } from '../../../protocol/sync.ts';
import { SyncProgressTracker } from '../../../main/core/sync-progress.ts';
import { SNAPSHOT_PHASES } from '../../../protocol/history.ts';
import { conversation, inbox, message } from './fixtures.ts';

const A: Scope = 'inbox:inbox_a';
const B: Scope = 'inbox:inbox_b';

function page(scope: Scope, conversations: number, messages: number, flags: { reset?: boolean; done?: boolean } = {}): SnapshotFrame {
  const records: EntityRecord[] = [];
  for (let i = 0; i < conversations; i++) records.push({ entity: 'conversation', record: conversation(`${scope.slice(6)}_c${i}`) });
  for (let i = 0; i < messages; i++) records.push({ entity: 'message', record: message(`${scope.slice(6)}_m${i}`, 'c1') });
  return { type: 'snapshot', scope, reset: flags.reset ?? false, done: flags.done ?? false, records, cursor: 5 };
}

describe('first sync progress', () => {
  it('is shown from sign-in on a cache that never synced, before any frame', () => {
    const t = new SyncProgressTracker(true);
    expect(t.state).toEqual({ syncing: true, conversations: 0, messages: 0, records: 0, scopesDone: 0, scopesTotal: 0, phase: null, usable: false });
    expect(new SyncProgressTracker(false).state).toBeNull();
  });

  it('counts the records of applied snapshot pages and the scopes complete, and ends with catch-up', () => {
    const t = new SyncProgressTracker(true);
    expect(t.welcomed([A, B, 'user:u_me'], new Set())).toBe(true);
    expect(t.state).toMatchObject({ scopesDone: 0, scopesTotal: 3 });
    t.applied([{ ...page(A, 3, 0, { reset: true }), records: [{ entity: 'inbox', record: inbox('inbox_a') }, ...page(A, 3, 0).records] }]);
    expect(t.state).toMatchObject({ syncing: true, conversations: 3, messages: 0, records: 4, scopesDone: 0 });
    t.applied([page(A, 0, 10, { done: true }), page(B, 2, 5, { reset: true })]);
    expect(t.state).toMatchObject({ conversations: 5, messages: 15, records: 21, scopesDone: 1, scopesTotal: 3 });
    expect(t.applied([{ type: 'changes', entries: [], cursor: 9, caughtUp: true }])).toBe(true);
    expect(t.state).toBeNull();
    expect(t.snapshot()).toMatchObject({ syncing: false, conversations: 5, messages: 15, scopesDone: 3 });
    // Later batches are ordinary catch-up: no more progress events.
    expect(t.applied([page(A, 1, 0)])).toBe(false);
  });

  it('a windowed sync without openFirst (an older server) is usable once the recent phase began and the totals are in (issue 13)', () => {
    const t = new SyncProgressTracker(true);
    t.welcomed([A, B, 'org:o'], new Set());
    t.applied([{ ...page(A, 0, 0, { reset: true }), phase: 'sidebar' }, { ...page(B, 0, 0, { reset: true }), phase: 'sidebar' }]);
    expect(t.state).toMatchObject({ syncing: true, phase: 'sidebar', usable: false });
    t.applied([{ ...page(A, 2, 6), phase: 'open' }]);
    expect(t.state).toMatchObject({ phase: 'open', usable: false, conversations: 2, messages: 6 });
    t.applied([{ ...page(B, 1, 1, { done: true }), phase: 'recent' }, { ...page(A, 0, 0, { done: true }), phase: 'sidebar' }]);
    // Phases never go back, whatever order a later chunk claims; the counts are not known yet.
    expect(t.state).toMatchObject({ phase: 'recent', usable: false });
    expect(t.totalsKnown()).toBe(true);
    expect(t.state).toMatchObject({ phase: 'recent', usable: true });
    t.applied([{ type: 'windowDone', cursor: 5 }]);
    expect(t.state).toMatchObject({ syncing: true, phase: 'done', usable: true });
    t.applied([{ type: 'changes', entries: [], cursor: 5, caughtUp: true }]);
    expect(t.snapshot()).toMatchObject({ syncing: false, phase: 'done', usable: true, scopesDone: 3 });
  });

  it('with openFirst, usable flips once that phase is done and the totals are known, in either order (issue 13)', () => {
    for (const totalsFirst of [true, false]) {
      const t = new SyncProgressTracker(true);
      t.welcomed([A, 'org:o'], new Set());
      if (totalsFirst) expect(t.totalsKnown()).toBe(true);
      t.applied([{ ...page(A, 0, 0, { reset: true }), phase: 'sidebar' }, { type: 'phaseDone', phase: 'sidebar' }]);
      t.applied([{ ...page(A, 3, 9), phase: 'openFirst' }]);
      expect(t.state).toMatchObject({ phase: 'openFirst', usable: false });
      t.applied([{ type: 'phaseDone', phase: 'openFirst' }]);
      expect(t.state).toMatchObject({ phase: 'openFirst', usable: totalsFirst });
      if (!totalsFirst) expect(t.totalsKnown()).toBe(true);
      expect(t.state).toMatchObject({ usable: true });
      // Asked again, nothing changes.
      expect(t.totalsKnown()).toBe(false);
      t.applied([{ ...page(A, 1, 1), phase: 'open' }, { ...page(A, 1, 1), phase: 'sidebar' }]);
      expect(t.state).toMatchObject({ phase: 'open', usable: true });
    }
  });

  it('a window whole or a sync ended is usable without totals (the server could not answer them)', () => {
    const t = new SyncProgressTracker(true);
    t.welcomed([A], new Set());
    t.applied([{ ...page(A, 1, 0, { reset: true }), phase: 'openFirst' }, { type: 'phaseDone', phase: 'openFirst' }]);
    expect(t.state).toMatchObject({ usable: false });
    t.applied([{ type: 'windowDone', cursor: 5 }]);
    expect(t.state).toMatchObject({ phase: 'done', usable: true });
    const full = new SyncProgressTracker(true);
    full.welcomed([A], new Set());
    full.applied([page(A, 1, 0, { reset: true, done: true })]);
    expect(full.state).toMatchObject({ phase: null, usable: false });
    full.applied([{ type: 'changes', entries: [], cursor: 5, caughtUp: true }]);
    expect(full.snapshot()).toMatchObject({ syncing: false, usable: true });
  });

  it('a snapshot that restarts (reset after a dropped link) counts its scope afresh, never twice', () => {
    const t = new SyncProgressTracker(true);
    t.welcomed([A], new Set());
    t.applied([page(A, 4, 0, { reset: true })]);
    t.welcomed([A], new Set());
    t.applied([page(A, 4, 0, { reset: true })]);
    expect(t.state).toMatchObject({ conversations: 4, scopesTotal: 1 });
  });

  it('owes only the scopes the cache does not hold whole; a welcome owing nothing shows nothing', () => {
    const t = new SyncProgressTracker(false);
    expect(t.welcomed([A, B], new Set([A, B]))).toBe(false);
    expect(t.state).toBeNull();
    expect(t.welcomed([A, B], new Set([A]))).toBe(true);
    expect(t.state).toMatchObject({ scopesTotal: 1, scopesDone: 0 });
    const first = new SyncProgressTracker(true);
    expect(first.welcomed([], new Set())).toBe(true);
    expect(first.state).toBeNull();
  });

  it('a scope lost while it streams leaves the figures', () => {
    const t = new SyncProgressTracker(true);
    t.welcomed([A, B], new Set());
    t.applied([page(A, 2, 0, { reset: true }), page(B, 3, 0, { reset: true }), { type: 'scopeLost', scope: B }]);
    expect(t.state).toMatchObject({ conversations: 2, scopesTotal: 1 });
  });

  test.prop([fc.array(fc.record({ scope: fc.constantFrom(A, B), conversations: fc.nat(5), messages: fc.nat(5), reset: fc.boolean(), done: fc.boolean() }), { maxLength: 30 })])(
    'the figures are what the latest run of each scope applied, within the schema, and grow while no scope restarts',
    (pages) => {
      const t = new SyncProgressTracker(true);
      t.welcomed([A, B], new Set());
      const expected = new Map<Scope, { c: number; m: number; done: boolean }>();
      let previous = 0;
      for (const p of pages) {
        t.applied([page(p.scope, p.conversations, p.messages, p)]);
        const e = p.reset ? { c: 0, m: 0, done: false } : (expected.get(p.scope) ?? { c: 0, m: 0, done: false });
        expected.set(p.scope, { c: e.c + p.conversations, m: e.m + p.messages, done: p.done });
        const state = SyncProgress.parse(t.state);
        const sums = [...expected.values()];
        expect(state.conversations).toBe(sums.reduce((n, s) => n + s.c, 0));
        expect(state.messages).toBe(sums.reduce((n, s) => n + s.m, 0));
        expect(state.scopesDone).toBe(sums.filter((s) => s.done).length);
        if (!p.reset) expect(state.records).toBeGreaterThanOrEqual(previous);
        previous = state.records;
      }
    },
  );

  test.prop([
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('page' as const), phase: fc.constantFrom(...SNAPSHOT_PHASES) }),
        fc.record({ kind: fc.constant('phaseDone' as const), phase: fc.constantFrom(...SNAPSHOT_PHASES) }),
        fc.record({ kind: fc.constant('totals' as const) }),
        fc.record({ kind: fc.constant('windowDone' as const) }),
      ),
      { maxLength: 30 },
    ),
  ])('phases never go back and a usable inbox stays usable; usable needs the first page and totals, or the whole window', (steps) => {
    const t = new SyncProgressTracker(true);
    t.welcomed([A], new Set());
    const order = [...SNAPSHOT_PHASES, 'done'];
    let at = -1;
    let usable = false;
    let firstPage = false;
    let totals = false;
    let whole = false;
    for (const step of steps) {
      if (step.kind === 'page') t.applied([{ ...page(A, 1, 0), phase: step.phase }]);
      else if (step.kind === 'phaseDone') t.applied([{ type: 'phaseDone', phase: step.phase }]);
      else if (step.kind === 'totals') t.totalsKnown();
      else t.applied([{ type: 'windowDone', cursor: 5 }]);
      if (step.kind === 'totals') totals = true;
      else if (step.kind === 'windowDone') whole = true;
      else if ((step.kind === 'phaseDone' && step.phase === 'openFirst') || SNAPSHOT_PHASES.indexOf(step.phase) >= SNAPSHOT_PHASES.indexOf('recent')) firstPage = true;
      const state = SyncProgress.parse(t.state);
      const now = state.phase ? order.indexOf(state.phase) : -1;
      expect(now).toBeGreaterThanOrEqual(at);
      at = now;
      expect(state.usable).toBe(whole || (firstPage && totals));
      if (usable) expect(state.usable).toBe(true);
      usable = state.usable ?? false;
    }
  });
});
