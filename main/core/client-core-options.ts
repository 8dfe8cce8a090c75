import type { SyncWindow } from '../../protocol/history.ts';
import type { IpcEventSource, IpcHandlers } from '../ipc-router.ts';
import type { ExternalOpener } from './call.ts';
import type { CacheKeyVault } from './cache-key-vault.ts';
import type { Notifier } from './notifications.ts';
import type { SyncClientOptions } from './sync-client.ts';
import type { TokenVault } from './token-vault.ts';

export interface ClientCoreOptions {
  /** Caches live under dataDir/caches/. */
  dataDir: string;
  defaultServerUrl: string;
  /** Default: in-memory (browser host / Node); Electron passes a safeStorage vault. */
  tokenVault?: TokenVault;
  /** Cache keys on a personal machine. Default: in-memory (caches are then keyed by the server); Electron passes a safeStorage vault. */
  cacheKeyVault?: CacheKeyVault;
  log?: (line: string) => void;
  /** Desktop notifications (SPEC §4); default: the `notification` IPC event (the browser host's renderer shows it). */
  notifier?: Notifier;
  /** Opens a call's URL (tel: / the softphone); Electron passes shell.openExternal, otherwise the page opens it. */
  openExternal?: ExternalOpener;
  /**
   * What a first sync brings (issue 13): the window of protocol/history.ts (default DEFAULT_SYNC_WINDOW), the
   * rest read over HTTP; null = every scope in full (tests that need the whole workspace, the bench baseline).
   */
  syncWindow?: SyncWindow | null;
  /** Tests only: timers, randomness and socket factory of the sync link. */
  sync?: Partial<Pick<SyncClientOptions, 'timers' | 'random' | 'backoff' | 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'createSocket'>>;
}

export interface ClientCore {
  handlers: IpcHandlers;
  events: IpcEventSource;
  close(): Promise<void>;
}
