import type Database from 'better-sqlite3-multiple-ciphers';
import type { ChangedViews } from '../../../protocol/ipc.ts';
import type { ChangesFrame, PhaseDoneFrame, ScopeLostFrame, SnapshotFrame, WindowDoneFrame } from '../../../protocol/sync.ts';
import type { CacheDb } from './cache-file.ts';
import { ChangeCollector } from './changed-views.ts';
import { EntityWriter } from './entity-writer.ts';
import { ConversationMoves } from './conversation-moves.ts';
import { OptimisticLayer } from './optimistic.ts';
import { ScopeResets } from './scope-reset.ts';
import { clearStale } from './stale-scopes.ts';

/** Frames applied in arrival order (a `phaseDone` stores nothing: it is queued so progress follows what was applied). */
export type DataFrame = ChangesFrame | SnapshotFrame | ScopeLostFrame | WindowDoneFrame | PhaseDoneFrame;

/**
 * Cache meta key written when a windowed snapshot's `windowDone` is applied (issue 13): `{ cursor, at }`, the
 * log position and the time the window was whole. What is older than the window is fetched over HTTP
 * (main/core/history/), which reads this to know where the cache's own copy starts.
 */
export const WINDOW_DONE_META = 'windowDone';

/** Most queued frames committed together during catch-up (10 × maxBatch entries). */
export const MAX_FRAMES_PER_TRANSACTION = 10;

/**
 * Applies validated sync frames to the cache. Each frame is one transaction
 * together with the cursor it carries, so a crash never leaves half a frame.
 */
export class FrameApplier {
  readonly writer: EntityWriter;
  readonly layer: OptimisticLayer;
  /** How applied changes moved conversations between views (history/local-counts.ts reads them). */
  readonly moves: ConversationMoves;
  private readonly resets: ScopeResets;
  private readonly holdsAnyScope: Database.Statement<[], number>;

  constructor(private readonly cache: CacheDb) {
    this.writer = new EntityWriter(cache);
    this.layer = new OptimisticLayer(cache);
    this.moves = new ConversationMoves(cache);
    this.resets = new ScopeResets(cache);
    this.holdsAnyScope = cache.db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM held_scopes)').pluck();
  }

  apply(frame: DataFrame): ChangedViews {
    return this.applyBatch([frame]);
  }

  /**
   * Applies frames in order in one transaction (catch-up arrives faster than
   * one commit per frame is worth). Every frame is still whole: either all of
   * the batch, last cursor included, is committed, or none of it.
   */
  applyBatch(frames: readonly DataFrame[]): ChangedViews {
    const changed = new ChangeCollector();
    try {
      this.cache.write(() => {
        const pending = this.layer.hasEntries();
        if (pending) this.layer.rewind();
        const touched = this.moves.before(frames);
        for (const frame of frames) this.applyOne(frame, changed);
        this.writer.endFrame();
        this.moves.after(touched);
        if (pending) this.layer.replay(new ChangeCollector());
      });
    } catch (err) {
      this.writer.abortFrame();
      this.resets.rolledBack();
      throw err;
    }
    return changed.toViews();
  }

  private applyOne(frame: DataFrame, changed: ChangeCollector): void {
    switch (frame.type) {
      case 'changes':
        // The server sends changes only once every snapshot it owed is complete (catch-up always ends with
        // a changes frame): build the deferred indexes now, so these entries and all later ones are indexed row by row.
        if (this.cache.fts.deferred) {
          this.cache.fts.resume();
          changed.all();
        }
        this.applyChanges(frame, changed);
        return;
      case 'snapshot':
        this.applySnapshot(frame, changed);
        return;
      case 'windowDone':
        this.cache.setMeta(WINDOW_DONE_META, JSON.stringify({ cursor: frame.cursor, at: Date.now() }));
        return;
      case 'phaseDone':
        return;
      case 'scopeLost':
        this.resets.abandon(frame.scope);
        this.writer.deleteScope(frame.scope, changed);
        this.cache.db.prepare('DELETE FROM held_scopes WHERE scope = ?').run(frame.scope);
        clearStale(this.cache, frame.scope);
        return;
    }
  }

  private applyChanges(frame: ChangesFrame, changed: ChangeCollector): void {
    for (const e of frame.entries) {
      if (e.op === 'put') this.writer.put(e.scope, e, changed);
      else this.writer.delete(e.entity, e.id, changed);
    }
    const current = this.cache.cursor;
    // Never move backwards: a stale frame after a reconnect must not re-open a gap.
    if (current === null || frame.cursor > current) this.cache.cursor = frame.cursor;
  }

  private applySnapshot(frame: SnapshotFrame, changed: ChangeCollector): void {
    // A first sync (nothing held, no cursor): index once at the end instead of row by row.
    if (this.cache.cursor === null && this.holdsAnyScope.get() === 0) this.cache.fts.defer();
    // A held scope's rows stay until its new snapshot is whole (scope-reset.ts).
    if (frame.reset && !this.resets.begin(frame.scope)) this.writer.deleteScope(frame.scope, changed);
    for (const rec of frame.records) {
      this.writer.put(frame.scope, rec, changed);
      this.resets.brought(frame.scope, rec);
    }
    if (frame.done) {
      this.resets.finish(frame.scope, this.writer, changed);
      this.cache.db.prepare('INSERT OR IGNORE INTO held_scopes (scope) VALUES (?)').run(frame.scope);
      clearStale(this.cache, frame.scope);
      // An empty cache starts its change stream where the snapshot was taken; a cache
      // with a cursor keeps it, since other scopes' entries may still be on the way.
      if (this.cache.cursor === null) this.cache.cursor = frame.cursor;
    }
    changed.all();
  }
}
