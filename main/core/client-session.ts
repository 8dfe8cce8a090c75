import type { User } from '../../protocol/domain.ts';
import type { SyncWindow } from '../../protocol/history.ts';
import type { ChangedViews, ConnectionState, SessionState } from '../../protocol/ipc.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { IpcFailure, type IpcEventHub } from '../ipc-router.ts';
import { FrameApplier } from './cache/apply-frame.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { dropUngrammaticalScopes, markStale } from './cache/stale-scopes.ts';
import { AttachmentUploader } from './attachments.ts';
import type { ClientCoreOptions } from './client-core-options.ts';
import { HistoryService } from './history/history-service.ts';
import { NotificationService, type Notifier } from './notifications.ts';
import { Outbox } from './outbox.ts';
import { ConversationListQueries } from './queries/conversation-list.ts';
import { onLinkState, onServerFrame } from './session-frames.ts';
import { SyncClient, type SyncLinkState } from './sync-client.ts';
import { SyncProgressTracker } from './sync-progress.ts';
import type { QueuedFrame } from './take-batch.ts';
import type { TokenVault } from './token-vault.ts';

/** Everything that exists only while someone is signed in. */
export interface Session {
  /** Frames received and not yet handled, in arrival order (session-frames.ts applies them in small batches). */
  queue: QueuedFrame[];
  drainScheduled: boolean;
  /** The default list's totals were asked for at this sync's first snapshot (session-frames.ts). */
  totalsAsked: boolean;
  serverUrl: string;
  token: string;
  user: User;
  cache: CacheDb;
  applier: FrameApplier;
  outbox: Outbox;
  lists: ConversationListQueries;
  sync: SyncClient;
  notifications: NotificationService;
  /** Uploads the files of queued replies before they are sent (SPEC (18)). */
  uploads: AttachmentUploader;
  progress: SyncProgressTracker;
  /** History on demand, server totals, merged search, background fill (issue 13). */
  history: HistoryService;
  /** Scopes the last welcome named (less those lost since): history of a scope still being snapshotted may be cached. */
  welcomedScopes: Set<string>;
}

export interface SessionHostDeps {
  hub: IpcEventHub;
  vault: TokenVault;
  notifier: Notifier;
  syncWindow: SyncWindow | null;
  defaultServerUrl: string;
  sync: ClientCoreOptions['sync'];
  log: (line: string) => void;
}

/** The signed-in session (at most one), the link's state, and the events that report both to the renderer. */
export class SessionHost {
  session: Session | null = null;
  sessionState: SessionState;
  link: SyncLinkState = { status: 'offline', retryInMs: null, lastError: null };

  constructor(readonly deps: SessionHostDeps) {
    this.sessionState = { status: 'signedOut', serverUrl: deps.defaultServerUrl, reason: null };
  }

  get log(): (line: string) => void {
    return this.deps.log;
  }

  connectionState(): ConnectionState {
    return { ...this.link, pendingCount: this.session ? this.session.outbox.count() : 0 };
  }

  emitConnection(): void {
    this.deps.hub.emit('connection', this.connectionState());
  }

  emitSession(state: SessionState): void {
    this.sessionState = state;
    this.deps.hub.emit('session', state);
  }

  emitChanged(views: ChangedViews | null): void {
    if (views && (views.sidebar || views.conversationList || views.conversations.length > 0)) {
      this.session?.history.changed(views);
      this.deps.hub.emit('changed', views);
    }
  }

  /** Views changed by history writes: the server's totals did not move with them. */
  emitHistoryChanged(views: ChangedViews): void {
    if (views.sidebar || views.conversationList || views.conversations.length > 0) this.deps.hub.emit('changed', views);
  }

  requireSession(): Session {
    if (!this.session) throw new IpcFailure('unauthenticated', 'You are signed out. Sign in to continue.');
    return this.session;
  }

  /** Sends every pending outbox entry not yet on the wire, in id order. */
  flush(s: Session): void {
    if (!s.sync.isOnline) return;
    s.uploads.pump();
    for (const mutations of s.outbox.takeUnsent()) {
      if (!s.sync.send({ type: 'mutate', mutations })) {
        s.outbox.connectionLost();
        return;
      }
    }
  }

  enqueue(s: Session, mutation: Mutation): number {
    const { id, changed } = s.outbox.enqueue(mutation);
    this.emitChanged(changed);
    this.emitConnection();
    this.flush(s);
    return id;
  }

  end(s: Session): void {
    if (this.session === s) this.session = null;
    s.history.stop();
    s.sync.stop();
    s.cache.close();
  }

  open(serverUrl: string, user: User, token: string, cache: CacheDb): Session {
    cache.setMeta('user', JSON.stringify(user));
    const applier = new FrameApplier(cache);
    dropUngrammaticalScopes(cache, applier);
    const s: Session = {
      queue: [],
      drainScheduled: false,
      totalsAsked: false,
      serverUrl,
      token,
      user,
      cache,
      applier,
      outbox: new Outbox(cache, applier.layer),
      lists: new ConversationListQueries(cache),
      sync: undefined as unknown as SyncClient,
      uploads: undefined as unknown as AttachmentUploader,
      history: undefined as unknown as HistoryService,
      welcomedScopes: new Set(),
      // Only what happens from now on is news; catch-up of older records never notifies.
      notifications: new NotificationService(cache, this.deps.notifier, Date.now()),
      progress: new SyncProgressTracker(cache.cursor === null && cache.heldScopes().length === 0),
    };
    this.attachServices(s);
    this.session = s;
    this.emitSession({ status: 'signedIn', serverUrl, user });
    if (s.progress.state) this.deps.hub.emit('syncProgress', s.progress.state);
    s.sync.start();
    return s;
  }

  /** The services of a new session that call back into it: uploads, history and the sync link. */
  private attachServices(s: Session): void {
    const { log, syncWindow } = this.deps;
    const { cache } = s;
    s.uploads = new AttachmentUploader({
      session: () => s,
      enqueue: (mutation) => void this.enqueue(s, mutation),
      online: () => this.session === s && s.sync.isOnline,
      changed: (conversationId) => {
        this.emitChanged({ sidebar: false, conversationList: true, conversations: [conversationId] });
        this.emitConnection();
      },
      flush: () => this.flush(s),
      log,
    });
    s.history = new HistoryService({
      cache,
      applier: s.applier,
      lists: s.lists,
      link: () => ({ serverUrl: s.serverUrl, token: s.token }),
      online: () => this.session === s && s.sync.isOnline,
      syncing: () => s.progress.state !== null,
      windowed: syncWindow !== null,
      owedScopes: () => s.welcomedScopes,
      fillGate: { mayRun: () => this.session === s && s.sync.isOnline && s.progress.state === null && s.outbox.count() === 0 },
      emitChanged: (views) => this.emitHistoryChanged(views),
      log,
    });
    s.sync = new SyncClient({
      ...this.deps.sync,
      serverUrl: s.serverUrl,
      hello: () => ({ token: s.token, clientId: cache.clientId, cursor: cache.cursor, scopes: cache.heldScopes(), ...(syncWindow ? { window: syncWindow } : {}) }),
      onFrame: (frame) => onServerFrame(this, s, frame),
      onState: (state) => onLinkState(this, s, state),
      // Durable: should the link drop before the snapshots arrive, the next one asks again.
      onResync: (scopes) => markStale(cache, scopes === 'all' ? cache.heldScopes() : scopes),
      log,
    });
  }
}
