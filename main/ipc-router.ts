import {
  ipcMethods,
  type IpcError,
  type IpcEvent,
  type IpcEvents,
  type IpcMethod,
  type IpcOutput,
  type IpcParsedInput,
  type IpcResult,
} from '../protocol/ipc.ts';

/** One handler per method of the contract; each receives input already validated. */
export type IpcHandlers = {
  [M in IpcMethod]: (input: IpcParsedInput<M>) => Promise<IpcOutput<M>> | IpcOutput<M>;
};

/** Thrown by a handler to answer with a specific error code instead of `internal`. */
export class IpcFailure extends Error {
  constructor(
    readonly code: IpcError['code'],
    message: string,
  ) {
    super(message);
  }
}

export interface IpcRouter {
  /** Validates `input` against the contract, runs the handler, and never throws. */
  call(method: string, input: unknown): Promise<IpcResult<unknown>>;
}

function isMethod(name: string): name is IpcMethod {
  return Object.prototype.hasOwnProperty.call(ipcMethods, name);
}

/** The typed API is registered once, here; every host (Electron, browser) routes through it. */
export function createIpcRouter(handlers: IpcHandlers, log: (message: string, err: unknown) => void = console.error): IpcRouter {
  return {
    async call(method, input) {
      if (!isMethod(method)) return { ok: false, error: { code: 'invalid', message: `unknown method ${method}` } };
      const parsed = ipcMethods[method].input.safeParse(input ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length ? `${issue.path.join('.')}: ` : '';
        return { ok: false, error: { code: 'invalid', message: `${where}${issue?.message ?? 'invalid input'}` } };
      }
      try {
        const handler = handlers[method] as (i: unknown) => Promise<unknown> | unknown;
        return { ok: true, value: await handler(parsed.data) };
      } catch (err) {
        if (err instanceof IpcFailure) return { ok: false, error: { code: err.code, message: err.message } };
        log(`ipc ${method} failed`, err);
        return { ok: false, error: { code: 'internal', message: 'Something went wrong in the app; the error was logged.' } };
      }
    },
  };
}

/** Main → renderer events; hosts subscribe and forward to their renderer(s). */
export interface IpcEventSource {
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}

export class IpcEventHub implements IpcEventSource {
  private listeners = new Map<IpcEvent, Set<(payload: never) => void>>();

  on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends IpcEvent>(event: E, payload: IpcEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: IpcEvents[E]) => void)(payload);
  }
}
