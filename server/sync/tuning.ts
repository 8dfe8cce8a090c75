import { SYNC_LIMITS } from '../../protocol/sync.ts';

/** Per-connection limits and timings; tests inject small values. */
export interface SyncTuning {
  maxFrameBytes: number;
  /** Entries per changes frame and records per snapshot frame (at most SYNC_LIMITS.maxBatch). */
  maxBatch: number;
  helloTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  maxFramesPerSecond: number;
  burst: number;
  /** Frames refused by the rate limit in a row before the socket is closed with 4008. */
  rateLimitedFramesBeforeClose: number;
  /** Bad frames in a row before the socket is closed with 4009. */
  maxConsecutiveErrors: number;
  /** Above this many buffered bytes the pump waits for the socket to drain. */
  highWaterBytes: number;
  /** Entries per read of the instance's log reader (server/sync/log-reader.ts). */
  logPageSize: number;
  /** Recent entries the log reader keeps for sockets a little behind; a socket further behind reads the database. */
  logKeepEntries: number;
}

export const DEFAULT_TUNING: SyncTuning = {
  maxFrameBytes: SYNC_LIMITS.maxFrameBytes,
  maxBatch: SYNC_LIMITS.maxBatch,
  helloTimeoutMs: SYNC_LIMITS.helloTimeoutMs,
  heartbeatIntervalMs: SYNC_LIMITS.heartbeatIntervalMs,
  heartbeatTimeoutMs: SYNC_LIMITS.heartbeatTimeoutMs,
  maxFramesPerSecond: SYNC_LIMITS.maxFramesPerSecond,
  burst: SYNC_LIMITS.maxFramesPerSecond * 2,
  rateLimitedFramesBeforeClose: SYNC_LIMITS.maxFramesPerSecond,
  maxConsecutiveErrors: 10,
  highWaterBytes: 1024 * 1024,
  logPageSize: 1000,
  logKeepEntries: 10_000,
};

export function resolveTuning(overrides: Partial<SyncTuning> = {}): SyncTuning {
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  tuning.maxBatch = Math.max(1, Math.min(tuning.maxBatch, SYNC_LIMITS.maxBatch));
  return tuning;
}
