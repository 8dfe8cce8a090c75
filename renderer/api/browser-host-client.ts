import type {
  ConnectionState,
  HostRequestFrame,
  HostServerFrame,
  IpcEvent,
  IpcEvents,
  IpcInput,
  IpcMethod,
  IpcOutput,
  IpcResult,
  SwitchboardApi,
} from '../../protocol/ipc.ts';

/**
 * The SwitchboardApi over the browser host's local websocket (`/ipc?token=…`), for when the renderer runs
 * in an ordinary browser tab instead of Electron. Calls never hang: a call made while the socket is down,
 * or still unanswered when it drops, resolves with an `unavailable` error, and the client keeps
 * reconnecting with backoff. After a reconnect it replays `app.state` as `session` and `connection`
 * events, which makes the stores re-read everything they show (events may have been missed meanwhile).
 */

export interface BrowserHostClientOptions {
  /** ws(s)://…/ipc?token=…, or null when the page was opened without its token. */
  url: string | null;
  /** Injected by tests; the browser's WebSocket otherwise. */
  WebSocketImpl?: new (url: string) => WebSocket;
  initialRetryMs?: number;
  maxRetryMs?: number;
  random?: () => number;
}

export interface BrowserHostClient extends SwitchboardApi {
  /** Stops reconnecting and fails whatever is still pending. */
  close(): void;
}

const NO_TOKEN =
  'This page was opened without its access token. Open Switchboard from the address the app printed when it started.';
const LOST = 'The connection to the Switchboard app was lost; it is reconnecting.';
const NOT_REACHABLE = 'The Switchboard app is not reachable right now; it is reconnecting.';

/** `${origin with ws}/ipc?token=…` from the page address, or null when the page carries no token. */
export function hostSocketUrl(location: Pick<Location, 'origin' | 'search'>): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  return `${location.origin.replace(/^http/, 'ws')}/ipc?token=${encodeURIComponent(token)}`;
}

function unavailable(message: string): IpcResult<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}

function isServerFrame(value: unknown): value is HostServerFrame {
  if (typeof value !== 'object' || value === null) return false;
  const frame = value as { kind?: unknown; id?: unknown; event?: unknown; result?: unknown };
  if (frame.kind === 'result') return typeof frame.id === 'number' && typeof frame.result === 'object' && frame.result !== null;
  return frame.kind === 'event' && typeof frame.event === 'string';
}

type Listener = (payload: never) => void;

// WebSocket.readyState values (spelled out so a test double need not carry the static constants).
const CONNECTING = 0;
const OPEN = 1;

export function createBrowserHostClient(options: BrowserHostClientOptions): BrowserHostClient {
  const { url } = options;
  const WebSocketImpl = options.WebSocketImpl ?? WebSocket;
  const initialRetryMs = options.initialRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  const random = options.random ?? Math.random;

  const listeners = new Map<IpcEvent, Set<Listener>>();
  /** Unanswered calls by request id; each settles exactly once. */
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  /** Frames written while the socket was still opening; sent on open. */
  let queued: string[] = [];
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let everOpened = false;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let lastConnection: ConnectionState | null = null;

  function dispatch<E extends IpcEvent>(event: E, payload: IpcEvents[E]): void {
    if (event === 'connection') lastConnection = payload as ConnectionState;
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (p: IpcEvents[E]) => void)(payload);
      } catch (err) {
        // One broken listener must not keep the others from hearing the event.
        console.error(`switchboard: ${event} listener failed`, err);
      }
    }
  }

  function failAll(message: string): void {
    const waiting = [...pending.values()];
    pending.clear();
    queued = [];
    for (const settle of waiting) settle(unavailable(message));
  }

  function scheduleReconnect(): void {
    if (stopped || retryTimer) return;
    // Exponential backoff with jitter, reset on success, so many tabs do not hammer the host in step.
    const base = Math.min(maxRetryMs, initialRetryMs * 2 ** attempt);
    const delay = Math.round(base * (0.5 + random() / 2));
    attempt += 1;
    dispatch('connection', {
      status: 'reconnecting',
      retryInMs: delay,
      lastError: 'Lost contact with the Switchboard app.',
      pendingCount: lastConnection?.pendingCount ?? 0,
    });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  async function resync(): Promise<void> {
    const state = await invoke('app.state', {});
    if (!state.ok) return;
    dispatch('connection', state.value.connection);
    dispatch('session', state.value.session);
    const progress = state.value.syncProgress ?? { syncing: false, conversations: 0, messages: 0, records: 0, scopesDone: 0, scopesTotal: 0 };
    dispatch('syncProgress', progress);
  }

  function onFrame(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!isServerFrame(frame)) return;
    if (frame.kind === 'result') {
      const settle = pending.get(frame.id);
      pending.delete(frame.id);
      settle?.(frame.result);
    } else {
      dispatch(frame.event, frame.payload as IpcEvents[typeof frame.event]);
    }
  }

  function connect(): void {
    if (stopped || !url) return;
    let ws: WebSocket;
    try {
      ws = new WebSocketImpl(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      const frames = queued;
      queued = [];
      for (const frame of frames) ws.send(frame);
      if (everOpened) void resync();
      everOpened = true;
    };
    ws.onmessage = (event: MessageEvent) => onFrame(event.data);
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failAll(LOST);
      scheduleReconnect();
    };
    // An error is always followed by close, which does the work.
    ws.onerror = () => {};
  }

  function invoke<M extends IpcMethod>(method: M, input: IpcInput<M>): Promise<IpcResult<IpcOutput<M>>> {
    if (!url) return Promise.resolve(unavailable(NO_TOKEN));
    const ws = socket;
    if (!ws || (ws.readyState !== OPEN && ws.readyState !== CONNECTING)) {
      return Promise.resolve(unavailable(NOT_REACHABLE));
    }
    const id = nextId++;
    const frame: HostRequestFrame = { id, method, input };
    const text = JSON.stringify(frame);
    return new Promise((resolve) => {
      pending.set(id, resolve as (result: IpcResult<unknown>) => void);
      if (ws.readyState === CONNECTING) {
        queued.push(text);
        return;
      }
      try {
        ws.send(text);
      } catch {
        pending.delete(id);
        resolve(unavailable(NOT_REACHABLE));
      }
    });
  }

  function on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  }

  function close(): void {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const ws = socket;
    socket = null;
    failAll('The Switchboard client was closed.');
    ws?.close();
  }

  connect();
  return { invoke, on, close };
}
