import { DEFAULT_SYNC_WINDOW } from '../../protocol/history.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { IpcEventHub, type IpcHandlers } from '../ipc-router.ts';
import { assistantIpcHandlers } from './assistant/assistant-actions.ts';
import { attachmentIpcHandlers } from './attachments.ts';
import { CacheAccess } from './cache-access.ts';
import { memoryCacheKeyVault } from './cache-key-vault.ts';
import { callIpcHandlers } from './call.ts';
import { chatIpcHandlers } from './chat-actions.ts';
import type { ClientCore, ClientCoreOptions } from './client-core-options.ts';
import { SessionHost, type Session } from './client-session.ts';
import { contactIpcHandlers } from './contact-actions.ts';
import { conversationIpcHandlers } from './conversation-actions.ts';
import { historyIpcHandlers } from './history/history-ipc.ts';
import { ipcEventNotifier } from './notifications.ts';
import { conversationDetail } from './queries/conversation-detail.ts';
import { sidebarView } from './queries/sidebar.ts';
import { queueIpcHandlers } from './queue-actions.ts';
import { queueSupervisorIpcHandlers } from './queue-supervisor-actions.ts';
import { resumeStoredSession, sessionIpcHandlers } from './session-ipc.ts';
import { surveyIpcHandlers } from './survey-actions.ts';
import { memoryTokenVault } from './token-vault.ts';
import { workflowIpcHandlers } from './workflow-actions.ts';

export type { ClientCore, ClientCoreOptions } from './client-core-options.ts';
export type { TokenVault } from './token-vault.ts';
export type { CacheKeyVault } from './cache-key-vault.ts';
export type { Notifier } from './notifications.ts';

export async function createClientCore(options: ClientCoreOptions): Promise<ClientCore> {
  const log = options.log ?? (() => {});
  const access = new CacheAccess({ dataDir: options.dataDir, keyVault: options.cacheKeyVault ?? memoryCacheKeyVault(), log });
  const hub = new IpcEventHub();
  const host = new SessionHost({
    hub,
    vault: options.tokenVault ?? memoryTokenVault(),
    notifier: options.notifier ?? ipcEventNotifier((payload) => hub.emit('notification', payload)),
    syncWindow: options.syncWindow === undefined ? DEFAULT_SYNC_WINDOW : options.syncWindow,
    defaultServerUrl: options.defaultServerUrl,
    sync: options.sync,
    log,
  });
  const handlers = coreIpcHandlers(host, access, options);
  await resumeStoredSession(host, access);
  return {
    handlers,
    events: hub,
    async close() {
      if (host.session) host.end(host.session);
    },
  };
}

/** Every IPC method of the core: each module's handlers, given the signed-in session and the outbox. */
function coreIpcHandlers(host: SessionHost, access: CacheAccess, options: ClientCoreOptions): IpcHandlers {
  const { log } = host.deps;
  const session = (): Session => host.requireSession();
  const enqueue = (mutation: Mutation): void => void host.enqueue(host.requireSession(), mutation);
  return {
    ...contactIpcHandlers({ session, enqueue }),
    ...workflowIpcHandlers({ session, enqueue }),
    ...chatIpcHandlers({ session, enqueue }),
    ...surveyIpcHandlers({ session, enqueue }),
    ...queueSupervisorIpcHandlers({ session, enqueue }),
    ...queueIpcHandlers({ session, enqueue }),
    ...callIpcHandlers({ session, enqueue, openExternal: options.openExternal, log }),
    ...attachmentIpcHandlers({
      session,
      enqueue,
      online: () => host.session?.sync.isOnline ?? false,
      changed: (conversationId) => host.emitChanged({ sidebar: false, conversationList: true, conversations: [conversationId] }),
      flush: () => host.session && host.flush(host.session),
      log,
    }),
    ...assistantIpcHandlers({
      session,
      online: () => host.session?.sync.isOnline ?? false,
      emit: (payload) => host.deps.hub.emit('assistant', payload),
      log,
    }),
    ...sessionIpcHandlers(host, access),
    'sidebar.get': () => sidebarView(host.requireSession().cache),
    ...historyIpcHandlers(() => host.requireSession().history),
    'conversation.get': ({ id }) => conversationDetail(host.requireSession().cache, id),
    ...conversationIpcHandlers(host),
  };
}
