import { randomUUID } from 'node:crypto';
import type { User } from '../../protocol/domain.ts';
import type { ChangedViews, ConnectionState, SessionState } from '../../protocol/ipc.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import type { ServerFrame } from '../../protocol/sync.ts';
import { templateParameterProblem } from '../../protocol/whatsapp-templates.ts';
import { IpcEventHub, IpcFailure, type IpcEventSource, type IpcHandlers } from '../ipc-router.ts';
import { FrameApplier, MAX_FRAMES_PER_TRANSACTION, type DataFrame } from './cache/apply-frame.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { CacheAccess } from './cache-access.ts';
import { memoryCacheKeyVault, type CacheKeyVault } from './cache-key-vault.ts';
import { dropUngrammaticalScopes, markStale, staleScopes } from './cache/stale-scopes.ts';
import { Outbox } from './outbox.ts';
import { contactIpcHandlers } from './contact-actions.ts';
import { workflowIpcHandlers } from './workflow-actions.ts';
import { chatIpcHandlers } from './chat-actions.ts';
import { surveyIpcHandlers } from './survey-actions.ts';
import { noteQueueWaiting, queueSupervisorIpcHandlers } from './queue-supervisor-actions.ts';
import { attachmentIpcHandlers, AttachmentUploader } from './attachments.ts';
import { assistantIpcHandlers } from './assistant/assistant-actions.ts';
import { queueIpcHandlers } from './queue-actions.ts';
import { callIpcHandlers, type ExternalOpener } from './call.ts';
import { ipcEventNotifier, NotificationService, type Notifier } from './notifications.ts';
import { conversationDetail } from './queries/conversation-detail.ts';
import { ConversationListQueries } from './queries/conversation-list.ts';
import { conversationTemplate } from './queries/whatsapp-template.ts';
import { sidebarView } from './queries/sidebar.ts';
import { createSession, deleteSession, probeServer } from './server-api.ts';
import { SyncClient, type SyncClientOptions, type SyncLinkState } from './sync-client.ts';
import { SyncProgressTracker } from './sync-progress.ts';
import { conversationForAction, type ConversationGuardRow } from './queries/conversation-guard.ts';
import { memoryTokenVault, type TokenVault } from './token-vault.ts';
import { HistoryService } from './history/history-service.ts';
import { historyIpcHandlers } from './history/history-ipc.ts';
import { permissions } from '../../protocol/permissions.ts';
import { DEFAULT_SYNC_WINDOW, type SyncWindow } from '../../protocol/history.ts';

export type { TokenVault } from './token-vault.ts';
export type { CacheKeyVault } from './cache-key-vault.ts';
export type { Notifier } from './notifications.ts';

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

/** Everything that exists only while someone is signed in. */
interface Session {
  /** Data frames received and not yet applied (applied together on the next turn). */
  queue: DataFrame[];
  drainScheduled: boolean;
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

const DONE = {} as Record<string, never>;

export async function createClientCore(options: ClientCoreOptions): Promise<ClientCore> {
  const log = options.log ?? (() => {});
  const vault = options.tokenVault ?? memoryTokenVault();
  const access = new CacheAccess({ dataDir: options.dataDir, keyVault: options.cacheKeyVault ?? memoryCacheKeyVault(), log });
  const hub = new IpcEventHub();
  const syncWindow = options.syncWindow === undefined ? DEFAULT_SYNC_WINDOW : options.syncWindow;
  const notifier = options.notifier ?? ipcEventNotifier((payload) => hub.emit('notification', payload));
  let session: Session | null = null;
  let sessionState: SessionState = { status: 'signedOut', serverUrl: options.defaultServerUrl, reason: null };
  let link: SyncLinkState = { status: 'offline', retryInMs: null, lastError: null };

  const connectionState = (): ConnectionState => ({ ...link, pendingCount: session ? session.outbox.count() : 0 });
  const emitConnection = (): void => hub.emit('connection', connectionState());
  const emitSession = (state: SessionState): void => {
    sessionState = state;
    hub.emit('session', state);
  };
  const emitChanged = (views: ChangedViews | null): void => {
    if (views && (views.sidebar || views.conversationList || views.conversations.length > 0)) {
      session?.history.changed(views);
      hub.emit('changed', views);
    }
  };
  /** Views changed by history writes: the server's totals did not move with them. */
  const emitHistoryChanged = (views: ChangedViews): void => {
    if (views.sidebar || views.conversationList || views.conversations.length > 0) hub.emit('changed', views);
  };

  const requireSession = (): Session => {
    if (!session) throw new IpcFailure('unauthenticated', 'You are signed out. Sign in to continue.');
    return session;
  };

  /** Sends every pending outbox entry not yet on the wire, in id order. */
  const flush = (s: Session): void => {
    if (!s.sync.isOnline) return;
    s.uploads.pump();
    for (const mutations of s.outbox.takeUnsent()) {
      if (!s.sync.send({ type: 'mutate', mutations })) {
        s.outbox.connectionLost();
        return;
      }
    }
  };

  /** Applies queued data frames, a few per transaction, in arrival order. */
  const drain = (s: Session): void => {
    s.drainScheduled = false;
    while (session === s && s.queue.length > 0) {
      const batch = s.queue.splice(0, MAX_FRAMES_PER_TRANSACTION);
      try {
        const wasSyncing = s.progress.state !== null;
        const views = s.applier.applyBatch(batch);
        emitChanged(views);
        if (views && (views.sidebar || views.conversationList)) noteQueueWaiting(s.cache, s.user);
        if (s.progress.applied(batch)) hub.emit('syncProgress', s.progress.snapshot());
        s.history.afterBatch(batch, wasSyncing && s.progress.state === null);
        s.notifications.consider(batch.flatMap((f) => (f.type === 'changes' ? f.entries : [])));
      } catch (err) {
        // Nothing of the batch was committed and the cursor did not move: a reconnect re-sends it.
        log(`sync: could not apply ${batch.length} frame(s): ${err instanceof Error ? err.stack : String(err)}`);
        s.queue.length = 0;
        s.sync.restart('The local cache could not store an update.');
        return;
      }
    }
  };

  const onFrame = (s: Session, frame: ServerFrame): void => {
    if (frame.type === 'scopeLost') s.welcomedScopes.delete(frame.scope);
    if (frame.type === 'changes' || frame.type === 'snapshot' || frame.type === 'scopeLost' || frame.type === 'windowDone') {
      s.queue.push(frame);
      if (!s.drainScheduled) {
        s.drainScheduled = true;
        setImmediate(() => drain(s));
      }
      return;
    }
    // Anything else is answered only after the data the server sent before it.
    drain(s);
    switch (frame.type) {
      case 'welcome': {
        s.welcomedScopes = new Set(frame.scopes);
        const stale = new Set(staleScopes(s.cache));
        const held = new Set(s.cache.heldScopes().filter((scope) => !stale.has(scope)));
        if (s.progress.welcomed(frame.scopes, held)) hub.emit('syncProgress', s.progress.snapshot());
        if (JSON.stringify(frame.user) !== JSON.stringify(s.user)) {
          s.user = frame.user;
          s.cache.setMeta('user', JSON.stringify(frame.user));
          emitSession({ status: 'signedIn', serverUrl: s.serverUrl, user: frame.user });
        }
        flush(s);
        return;
      }
      case 'mutationResult': {
        const views = s.outbox.resolve(frame.id, frame.result);
        if (!frame.result.ok) log(`outbox: mutation ${frame.id} refused: ${frame.result.code} ${frame.result.message}`);
        emitChanged(views);
        emitConnection();
        return;
      }
      case 'error':
      case 'ping':
      case 'pong':
        return;
    }
  };

  const endSession = (s: Session): void => {
    if (session === s) session = null;
    s.history.stop();
    s.sync.stop();
    s.cache.close();
  };

  const onLinkState = (s: Session, state: SyncLinkState): void => {
    if (session !== s) return;
    link = state;
    if (state.status !== 'online') s.outbox.connectionLost();
    emitConnection();
    if (state.status === 'online') {
      // Online is enough to send: the outbox never waits on what a welcome or any later frame held.
      const stale = staleScopes(s.cache);
      if (stale.length > 0) s.sync.requestResync(stale, 'scopes left stale by an update that could not be read');
      flush(s);
    }
    if (state.status === 'signedOut') {
      // The server refused the token: stop, forget the token, keep the cache (encrypted; its key is not in
      // memory any more) so unsent work survives until the same person signs in again.
      endSession(s);
      void vault.clear();
      emitSession({ status: 'signedOut', serverUrl: s.serverUrl, reason: state.lastError ?? 'Your session has ended.' });
    }
  };

  const openSession = (serverUrl: string, user: User, token: string, cache: CacheDb): Session => {
    cache.setMeta('user', JSON.stringify(user));
    const applier = new FrameApplier(cache);
    dropUngrammaticalScopes(cache, applier);
    const s: Session = {
      queue: [],
      drainScheduled: false,
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
      notifications: new NotificationService(cache, notifier, Date.now()),
      progress: new SyncProgressTracker(cache.cursor === null && cache.heldScopes().length === 0),
    };
    s.uploads = new AttachmentUploader({
      session: () => s,
      enqueue: (mutation) => void enqueue(s, mutation),
      online: () => session === s && s.sync.isOnline,
      changed: (conversationId) => {
        emitChanged({ sidebar: false, conversationList: true, conversations: [conversationId] });
        emitConnection();
      },
      flush: () => flush(s),
      log,
    });
    s.history = new HistoryService({
      cache,
      applier,
      lists: s.lists,
      link: () => ({ serverUrl: s.serverUrl, token: s.token }),
      online: () => session === s && s.sync.isOnline,
      syncing: () => s.progress.state !== null,
      windowed: syncWindow !== null,
      owedScopes: () => s.welcomedScopes,
      fillGate: { mayRun: () => session === s && s.sync.isOnline && s.progress.state === null && s.outbox.count() === 0 },
      emitChanged: emitHistoryChanged,
      log,
    });
    s.sync = new SyncClient({
      ...options.sync,
      serverUrl,
      hello: () => ({ token: s.token, clientId: cache.clientId, cursor: cache.cursor, scopes: cache.heldScopes(), ...(syncWindow ? { window: syncWindow } : {}) }),
      onFrame: (frame) => onFrame(s, frame),
      onState: (state) => onLinkState(s, state),
      // Durable: should the link drop before the snapshots arrive, the next one asks again.
      onResync: (scopes) => markStale(cache, scopes === 'all' ? cache.heldScopes() : scopes),
      log,
    });
    session = s;
    emitSession({ status: 'signedIn', serverUrl, user });
    if (s.progress.state) hub.emit('syncProgress', s.progress.state);
    s.sync.start();
    return s;
  };

  const enqueue = (s: Session, mutation: Mutation): number => {
    const { id, changed } = s.outbox.enqueue(mutation);
    emitChanged(changed);
    emitConnection();
    flush(s);
    return id;
  };

  const requireConversation = (s: Session, id: string): ConversationGuardRow => conversationForAction(s.cache, id);

  const handlers: IpcHandlers = {
    ...contactIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation) }),
    ...workflowIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation) }),
    ...chatIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation) }),
    ...surveyIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation) }),
    ...queueSupervisorIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation) }),
    ...queueIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation) }),
    ...callIpcHandlers({ session: () => requireSession(), enqueue: (mutation) => void enqueue(requireSession(), mutation), openExternal: options.openExternal, log }),
    ...attachmentIpcHandlers({
      session: () => requireSession(),
      enqueue: (mutation) => void enqueue(requireSession(), mutation),
      online: () => session?.sync.isOnline ?? false,
      changed: (conversationId) => emitChanged({ sidebar: false, conversationList: true, conversations: [conversationId] }),
      flush: () => session && flush(session),
      log,
    }),
    ...assistantIpcHandlers({
      session: () => requireSession(),
      online: () => session?.sync.isOnline ?? false,
      emit: (payload) => hub.emit('assistant', payload),
      log,
    }),
    'app.state': () => ({ session: sessionState, connection: connectionState(), syncProgress: session?.progress.state ?? null, defaultServerUrl: options.defaultServerUrl }),

    'server.probe': async ({ serverUrl }) => {
      const info = await probeServer(serverUrl);
      return { organisation: info.organisation, demoAccounts: info.demoAccounts };
    },

    'session.signIn': async ({ serverUrl, email, password }) => {
      const { token, user } = await createSession(serverUrl, { email: email.toLowerCase(), password });
      // Someone signing in over an open session: the previous person's cache is closed (its key gone with it).
      const previous = session;
      if (previous) endSession(previous);
      const opened = await access.openForSignIn(serverUrl, user, token).catch(async (err: unknown) => {
        if (previous) {
          await vault.clear();
          emitSession({ status: 'signedOut', serverUrl: previous.serverUrl, reason: null });
        }
        throw err;
      });
      // Shared workstation: the session lives only in memory, so a restart leaves nobody signed in.
      if (opened.sharedWorkstation) await vault.clear();
      else await vault.save({ serverUrl, userId: user.id, token });
      openSession(serverUrl, user, token, opened.cache);
      return { user };
    },

    'session.signOut': async () => {
      const s = requireSession();
      await deleteSession(s.serverUrl, s.token);
      endSession(s);
      await access.forget(s.cache, s.serverUrl, s.token);
      await vault.clear();
      link = { status: 'offline', retryInMs: null, lastError: null };
      emitConnection();
      emitSession({ status: 'signedOut', serverUrl: s.serverUrl, reason: null });
      return DONE;
    },

    'sidebar.get': () => sidebarView(requireSession().cache),
    ...historyIpcHandlers(() => requireSession().history),
    'conversation.get': ({ id }) => conversationDetail(requireSession().cache, id),

    'actions.sendMessage': ({ conversationId, body }) => {
      const s = requireSession();
      requireConversation(s, conversationId);
      const messageId = randomUUID();
      enqueue(s, { name: 'message.send', args: { conversationId, messageId, body, attachments: [] } });
      return { messageId };
    },

    'actions.sendTemplate': ({ conversationId, templateId, parameters }) => {
      const s = requireSession();
      requireConversation(s, conversationId);
      // Checked here too so a wrong value is refused at once, offline included, not after a queue round trip.
      const template = conversationTemplate(s.cache.db, conversationId, templateId);
      if (!template) throw new IpcFailure('invalid', 'That template is not one of this channel’s approved templates.');
      const problem = templateParameterProblem(template.body, parameters);
      if (problem) throw new IpcFailure('invalid', problem);
      const messageId = randomUUID();
      enqueue(s, { name: 'message.sendTemplate', args: { conversationId, messageId, templateId, parameters } });
      return { messageId };
    },

    'actions.assign': ({ conversationId, assigneeId }) => {
      const s = requireSession();
      const conv = requireConversation(s, conversationId);
      if (conv.assignment_mode !== 1) throw new IpcFailure('forbidden', 'Assignment is turned off for this inbox.');
      const mayAssignOthers = permissions.assignToAnyone(s.user.role);
      if (!mayAssignOthers && assigneeId !== null && assigneeId !== s.user.id) {
        throw new IpcFailure('forbidden', 'Only managers and supervisors can assign conversations to someone else.');
      }
      // The assignee this person saw: if someone else took it meanwhile the server refuses instead of overriding them.
      enqueue(s, { name: 'conversation.assign', args: { conversationId, assigneeId, expectedAssigneeId: conv.assignee_id } });
      return DONE;
    },

    'actions.setStatus': ({ conversationId, status }) => {
      const s = requireSession();
      requireConversation(s, conversationId);
      enqueue(s, { name: 'conversation.setStatus', args: { conversationId, status } });
      return DONE;
    },

    'actions.markRead': ({ conversationId }) => {
      const s = requireSession();
      const conv = requireConversation(s, conversationId);
      // Server clocks stamp messages; never mark "read" at a time before the last one we hold.
      const readAt = Math.max(Date.now(), conv.last_message_at ?? 0, conv.last_inbound_at ?? 0);
      enqueue(s, { name: 'conversation.markRead', args: { conversationId, readAt } });
      return DONE;
    },

    'outbox.retry': ({ mutationId }) => {
      const s = requireSession();
      const views = s.outbox.retry(mutationId);
      if (!views) throw new IpcFailure('not_found', 'There is no refused reply or action with that id to retry.');
      emitChanged(views);
      emitConnection();
      flush(s);
      return DONE;
    },

    'outbox.discard': ({ mutationId }) => {
      const s = requireSession();
      const views = s.outbox.discard(mutationId);
      if (!views) throw new IpcFailure('not_found', 'There is no refused reply or action with that id to discard.');
      emitChanged(views);
      emitConnection();
      return DONE;
    },
  };

  // Resume the last session (offline work included) if the vault still holds it.
  const stored = await vault.load();
  if (!stored) await access.sweep([]);
  else {
    try {
      const cache = await access.openForResume(stored.serverUrl, stored.userId);
      const userJson = cache?.getMeta('user') ?? null;
      if (cache && userJson) openSession(stored.serverUrl, JSON.parse(userJson) as User, stored.token, cache);
      else {
        cache?.close();
        await vault.clear();
      }
    } catch (err) {
      log(`client-core: could not resume the stored session: ${String(err)}`);
    }
  }

  return {
    handlers,
    events: hub,
    async close() {
      if (session) endSession(session);
    },
  };
}
