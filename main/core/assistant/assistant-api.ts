import {
  ASSISTANT_PATHS,
  AssistantErrorCode,
  AssistantSettingsView,
  AssistantStatus,
  AssistantStreamEvent,
  AssistantUse,
  assistantErrorText,
  type AssistantSettingsInput,
} from '../../../protocol/assistant.ts';
import { ApiError } from '../../../protocol/http.ts';
import type { AssistantStarted } from '../../../protocol/ipc.ts';
import { IpcFailure } from '../../ipc-router.ts';
import { endpoint, failure, readJson, request } from '../server-api.ts';

/** The sync server's assistant routes (protocol/assistant.ts), as the client core calls them. */

type Server = { serverUrl: string; token: string };

const auth = (s: Server) => ({ authorization: `Bearer ${s.token}` });

async function getJson<T>(s: Server, path: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, init: RequestInit = {}): Promise<T> {
  const res = await request(endpoint(s.serverUrl, path), { ...init, headers: { ...auth(s), ...(init.headers ?? {}) } }, s.serverUrl);
  const body = await readJson(res);
  if (!res.ok) throw failure(res, body);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new IpcFailure('unavailable', 'The server sent an answer this app does not understand.');
  return parsed.data;
}

export const fetchAssistantStatus = (s: Server) => getJson(s, ASSISTANT_PATHS.status, AssistantStatus);
export const fetchAssistantSettings = (s: Server) => getJson(s, ASSISTANT_PATHS.settings, AssistantSettingsView);
export const saveAssistantSettings = (s: Server, input: AssistantSettingsInput) =>
  getJson(s, ASSISTANT_PATHS.settings, AssistantSettingsView, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
export const fetchAssistantUses = (s: Server, limit: number) => getJson(s, `${ASSISTANT_PATHS.uses}?limit=${limit}`, AssistantUse.array());

/** An error the agent reads, from a refusal before anything streamed. */
function refusalOf(body: unknown): { code: AssistantErrorCode; message: string } {
  const error = ApiError.safeParse((body as { error?: unknown } | null)?.error);
  const code = AssistantErrorCode.safeParse(error.success ? error.data.code : null);
  if (code.success) return { code: code.data, message: assistantErrorText(code.data) };
  return { code: 'provider_error', message: error.success ? error.data.message : 'The server could not ask the assistant.' };
}

const BROKEN: AssistantStreamEvent = { type: 'error', code: 'offline', message: 'The connection to the server broke before the assistant finished. Try again.' };

/**
 * POSTs a request and, once the server accepted it, reads its NDJSON lines in the background and hands each
 * checked event to `onEvent` (ending with exactly one done or error, unless cancelled through `signal`).
 */
export async function startAssistantStream(
  s: Server,
  path: string,
  body: unknown,
  signal: AbortSignal,
  onEvent: (event: AssistantStreamEvent) => void,
  log: (line: string) => void,
): Promise<AssistantStarted> {
  let res: Response;
  try {
    res = await fetch(endpoint(s.serverUrl, path), {
      method: 'POST',
      headers: { ...auth(s), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch {
    if (signal.aborted) return { streaming: false, error: null };
    return { streaming: false, error: { code: 'offline', message: assistantErrorText('offline') } };
  }
  if (!res.ok || !res.body) {
    const answer = await readJson(res);
    if (res.status === 401 || res.status === 404 || res.status === 400) throw failure(res, answer);
    return { streaming: false, error: refusalOf(answer) };
  }
  void readLines(res.body, signal, onEvent, log);
  return { streaming: true, error: null };
}

async function readLines(body: ReadableStream<Uint8Array>, signal: AbortSignal, onEvent: (event: AssistantStreamEvent) => void, log: (line: string) => void) {
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const take = (line: string) => {
    if (!line.trim() || ended) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      json = null;
    }
    const event = AssistantStreamEvent.safeParse(json);
    if (!event.success) {
      log('assistant: the server sent a line this app does not understand; it was left out');
      return;
    }
    if (event.data.type === 'done' || event.data.type === 'error') ended = true;
    onEvent(event.data);
  };
  try {
    for await (const bytes of body) {
      buffer += decoder.decode(bytes, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        take(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    }
    take(buffer);
  } catch {
    // A cancel ends the read on purpose; anything else is a broken connection, said below.
  }
  if (!ended && !signal.aborted) onEvent(BROKEN);
}
