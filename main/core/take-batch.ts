import type { ServerFrame } from '../../protocol/sync.ts';
import type { DataFrame } from './cache/apply-frame.ts';

/** A server frame waiting to be handled in arrival order: data for the cache, or a frame that must follow it. */
export type QueuedFrame = DataFrame | Extract<ServerFrame, { type: 'welcome' | 'mutationResult' }>;

export interface BatchLimits {
  /** Frames per transaction at most. */
  frames: number;
  /** Records (snapshot records, change entries) per transaction at most; a single larger frame still goes alone. */
  records: number;
}

/**
 * Issue 13: small transactions keep the main process answering IPC while a window streams (a renderer's first
 * page query waits for at most one batch). 10 frames of catch-up changes are still one commit.
 */
export const APPLY_BATCH: BatchLimits = { frames: 10, records: 1_000 };

export function isDataFrame(frame: QueuedFrame): frame is DataFrame {
  return frame.type !== 'welcome' && frame.type !== 'mutationResult';
}

export function recordsOf(frame: DataFrame): number {
  return frame.type === 'snapshot' ? frame.records.length : frame.type === 'changes' ? frame.entries.length : 0;
}

/**
 * Takes the next batch from the front of `queue` (removing it): data frames in order, as many as fit both
 * limits, at least one; it stops before a welcome or mutation result (handled on its own, after the data before
 * it). Empty when the front is not a data frame or the queue is empty.
 */
export function takeBatch(queue: QueuedFrame[], limits: BatchLimits = APPLY_BATCH): DataFrame[] {
  let frames = 0;
  let records = 0;
  while (frames < queue.length && frames < limits.frames) {
    const next = queue[frames]!;
    if (!isDataFrame(next)) break;
    const n = recordsOf(next);
    if (frames > 0 && records + n > limits.records) break;
    records += n;
    frames++;
  }
  return queue.splice(0, frames) as DataFrame[];
}
