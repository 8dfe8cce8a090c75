import { IPC_METHODS, type IpcMethod } from '../../../protocol/ipc.ts';
import { IpcEventHub, IpcFailure, type IpcHandlers } from '../../../main/ipc-router.ts';

/** A client core whose handlers record their calls; unlisted methods answer `unavailable`. */
export function fakeCore(overrides: Partial<IpcHandlers> = {}) {
  const calls: { method: IpcMethod; input: unknown }[] = [];
  const events = new IpcEventHub();
  const handlers = Object.fromEntries(
    IPC_METHODS.map((method) => [
      method,
      (input: unknown) => {
        calls.push({ method, input });
        const override = overrides[method] as ((i: unknown) => unknown) | undefined;
        if (override) return override(input);
        throw new IpcFailure('unavailable', `${method} is not faked`);
      },
    ]),
  ) as unknown as IpcHandlers;
  return { handlers, events, calls };
}
