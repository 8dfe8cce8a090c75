import { ASSISTANT_PATHS, AssistantStatus, assistantErrorText, assistantNotice, type AssistantErrorCode } from '../../../protocol/assistant.ts';
import type { User } from '../../../protocol/domain.ts';
import type { AssistantView, IpcEvents } from '../../../protocol/ipc.ts';
import { permissions } from '../../../protocol/permissions.ts';
import { IpcFailure, type IpcHandlers } from '../../ipc-router.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { fetchAssistantSettings, fetchAssistantStatus, fetchAssistantUses, saveAssistantSettings, startAssistantStream } from './assistant-api.ts';
import { PastReplies } from './past-replies.ts';

export interface AssistantSession {
  serverUrl: string;
  token: string;
  user: User;
  cache: CacheDb;
}

export interface AssistantDeps {
  session(): AssistantSession;
  online(): boolean;
  emit(payload: IpcEvents['assistant']): void;
  log(line: string): void;
}

/** The last status the server gave, kept in the cache so the composer knows the edition offline and after a restart. */
const STATUS_META = 'assistantStatus';

type AssistantMethods = Pick<
  IpcHandlers,
  'assistant.state' | 'assistant.suggest' | 'assistant.generate' | 'assistant.cancel' | 'assistant.settings' | 'assistant.saveSettings' | 'assistant.uses'
>;

const reason = (code: AssistantErrorCode) => ({ code, message: assistantErrorText(code) });

/**
 * The Message Assistant in the client core (issue 12 §1): past-reply suggestions from the local cache at once,
 * the model's answer streamed from our server as `assistant` events, cancel = abort.
 */
export function assistantIpcHandlers(deps: AssistantDeps): AssistantMethods {
  const running = new Map<string, AbortController>();
  const pastReplies = new WeakMap<CacheDb, PastReplies>();
  const pastRepliesOf = (cache: CacheDb) => {
    let found = pastReplies.get(cache);
    if (!found) pastReplies.set(cache, (found = new PastReplies(cache)));
    return found;
  };

  const storedStatus = (cache: CacheDb): AssistantStatus | null => {
    const raw = cache.getMeta(STATUS_META);
    if (!raw) return null;
    try {
      const parsed = AssistantStatus.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };

  const currentStatus = async (s: AssistantSession): Promise<AssistantStatus | null> => {
    if (!deps.online()) return storedStatus(s.cache);
    try {
      const status = await fetchAssistantStatus(s);
      s.cache.setMeta(STATUS_META, JSON.stringify(status));
      return status;
    } catch (err) {
      deps.log(`assistant: could not read its status: ${err instanceof Error ? err.message : String(err)}`);
      return storedStatus(s.cache);
    }
  };

  const stream = (path: string, requestId: string, body: unknown) => {
    const s = deps.session();
    if (!deps.online()) return Promise.resolve({ streaming: false, error: reason('offline') });
    running.get(requestId)?.abort();
    const cancel = new AbortController();
    running.set(requestId, cancel);
    return startAssistantStream(
      s,
      path,
      body,
      cancel.signal,
      (event) => {
        if (event.type === 'done' || event.type === 'error') running.delete(requestId);
        deps.emit({ requestId, event });
      },
      deps.log,
    ).then((started) => {
      if (!started.streaming) running.delete(requestId);
      return started;
    });
  };

  const requireAdmin = (): AssistantSession => {
    const s = deps.session();
    if (!permissions.administerAssistant(s.user.role)) throw new IpcFailure('forbidden', 'Only admins can set up the Message Assistant.');
    return s;
  };

  return {
    'assistant.state': async (): Promise<AssistantView> => {
      const s = deps.session();
      const status = await currentStatus(s);
      const online = deps.online();
      // Never heard from the server: past replies still work, so the action shows.
      const show = status ? status.edition === 'customer_engagement' : true;
      let why: AssistantView['reason'] = null;
      if (!online) why = reason('offline');
      else if (!status) why = reason('not_configured');
      else if (!status.configured) why = reason('not_configured');
      else if (!status.enabled) why = reason('disabled');
      return {
        show,
        available: online && (status?.available ?? false),
        reason: why,
        notice: status?.notice ?? assistantNotice(null, false),
        canAdminister: permissions.administerAssistant(s.user.role) && show,
      };
    },
    'assistant.suggest': async ({ requestId, conversationId, messageIds }) => {
      const s = deps.session();
      const past = pastRepliesOf(s.cache).suggest(conversationId, messageIds);
      const started = await stream(ASSISTANT_PATHS.suggest, requestId, { conversationId, messageIds });
      return { ...started, pastReplies: past };
    },
    'assistant.generate': ({ requestId, conversationId, intent, tone }) => stream(ASSISTANT_PATHS.generate, requestId, { conversationId, intent, tone }),
    'assistant.cancel': ({ requestId }) => {
      running.get(requestId)?.abort();
      running.delete(requestId);
      return {};
    },
    'assistant.settings': () => fetchAssistantSettings(requireAdmin()),
    'assistant.saveSettings': async (input) => {
      const s = requireAdmin();
      const view = await saveAssistantSettings(s, input);
      // The composer should follow at once; the next state call reads it again anyway.
      await currentStatus(s);
      return view;
    },
    'assistant.uses': ({ limit }) => fetchAssistantUses(requireAdmin(), limit),
  };
}
