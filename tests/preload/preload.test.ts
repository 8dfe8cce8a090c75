// Drives the bridge with a FAKE contextBridge / ipcRenderer: the Electron binary cannot run here.
import { describe, expect, it } from 'vitest';
import { IPC_EVENTS, IPC_METHODS, ipcEventChannel, ipcInvokeChannel, type SwitchboardApi } from '../../protocol/ipc.ts';
import { createSwitchboardApi, exposeSwitchboardApi, type IpcRendererLike } from '../../preload/switchboard-api.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer(answer: (channel: string, input: unknown) => Promise<unknown> = async () => ({ ok: true, value: {} })) {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Listener[]>();
  const ipcRenderer: IpcRendererLike = {
    invoke: (channel, ...args) => {
      invoked.push({ channel, args });
      return answer(channel, args[0]);
    },
    on: (channel, listener) => listeners.set(channel, [...(listeners.get(channel) ?? []), listener]),
    removeListener: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener)),
  };
  const emit = (channel: string, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'the IPC event object' }, payload);
  };
  return { ipcRenderer, invoked, listeners, emit };
}

describe('preload bridge', () => {
  it('exposes only `switchboard` with invoke and on — never ipcRenderer', () => {
    const exposed: Record<string, unknown> = {};
    const { ipcRenderer } = fakeIpcRenderer();
    exposeSwitchboardApi({ contextBridge: { exposeInMainWorld: (key, api) => (exposed[key] = api) }, ipcRenderer });
    expect(Object.keys(exposed)).toEqual(['switchboard']);
    const api = exposed.switchboard as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
    expect(Object.values(api)).not.toContain(ipcRenderer);
  });

  it('invokes each contract method on its protocol channel', async () => {
    const { ipcRenderer, invoked } = fakeIpcRenderer();
    const api = createSwitchboardApi(ipcRenderer);
    expect(await api.invoke('actions.markRead', { conversationId: 'c_1' })).toEqual({ ok: true, value: {} });
    expect(invoked).toEqual([{ channel: ipcInvokeChannel('actions.markRead'), args: [{ conversationId: 'c_1' }] }]);
    for (const method of IPC_METHODS) await api.invoke(method, {} as never);
    expect(invoked.slice(1).map((i) => i.channel)).toEqual(IPC_METHODS.map(ipcInvokeChannel));
  });

  it('refuses a method outside the contract without touching IPC', async () => {
    const { ipcRenderer, invoked } = fakeIpcRenderer();
    const api = createSwitchboardApi(ipcRenderer) as unknown as { invoke(m: string, i: unknown): Promise<unknown> };
    expect(await api.invoke('electron-store-get-data', {})).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await api.invoke('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(invoked).toEqual([]);
  });

  it('turns a failed invoke (main not ready) into an error value', async () => {
    const { ipcRenderer } = fakeIpcRenderer(async () => {
      throw new Error("No handler registered for 'switchboard:invoke:app.state'");
    });
    expect(await createSwitchboardApi(ipcRenderer).invoke('app.state', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('delivers event payloads without the IPC event object, and unsubscribes', () => {
    const { ipcRenderer, emit, listeners } = fakeIpcRenderer();
    const api: SwitchboardApi = createSwitchboardApi(ipcRenderer);
    const received: unknown[][] = [];
    const off = api.on('openTarget', (...args: unknown[]) => received.push(args));
    emit(ipcEventChannel('openTarget'), { kind: 'queueStatus' });
    expect(received).toEqual([[{ kind: 'queueStatus' }]]);
    off();
    emit(ipcEventChannel('openTarget'), { kind: 'queueStatus' });
    expect(received).toHaveLength(1);
    expect(listeners.get(ipcEventChannel('openTarget'))).toEqual([]);
  });

  it('subscribes only to contract events', () => {
    const { ipcRenderer, listeners } = fakeIpcRenderer();
    const api = createSwitchboardApi(ipcRenderer) as unknown as { on(e: string, l: () => void): () => void };
    expect(() => api.on('ELECTRON_BROWSER_WINDOW_ALERT', () => {})).toThrow(/unknown event/);
    for (const event of IPC_EVENTS) api.on(event, () => {});
    expect([...listeners.keys()].sort()).toEqual(IPC_EVENTS.map(ipcEventChannel).sort());
  });
});
