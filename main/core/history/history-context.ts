import type { ChangedViews } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { IpcFailure } from '../../ipc-router.ts';
import type { HistoryApi, HistoryLink } from './history-api.ts';
import type { HistoryMarks } from './history-marks.ts';
import type { HistoryWriter } from './history-writer.ts';

/**
 * What the history modules share for one signed-in session: the cache, the writer and bookkeeping, the link to
 * the server, and the on-demand accounting the background fill yields to.
 */
export class HistoryContext {
  /** History-on-demand fetches running now: the background fill waits while there are any. */
  private active = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    readonly cache: CacheDb,
    readonly writer: HistoryWriter,
    readonly marks: HistoryMarks,
    readonly api: HistoryApi,
    readonly link: () => HistoryLink,
    readonly online: () => boolean,
    /** A first sync (or a new scope's window) is still arriving: lists are not paged from the server meanwhile. */
    readonly syncing: () => boolean,
    readonly emitChanged: (views: ChangedViews) => void,
    readonly log: (line: string) => void,
  ) {}

  /** Runs a fetch a person is waiting for; the fill pauses until none is running. */
  async onDemand<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  get onDemandRunning(): boolean {
    return this.active > 0;
  }

  /** Resolves once no on-demand fetch is running. */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * A failed fetch: an unreachable server reads as offline ('unreachable'); a refusal (the conversation is no
   * longer the person's, 404) leaves the cache as it is; a signed-out token is the sync link's to handle.
   */
  failed(err: unknown, what: string): 'unreachable' | 'refused' {
    this.log(`history: ${what}: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof IpcFailure && err.code === 'unavailable' ? 'unreachable' : 'refused';
  }
}
