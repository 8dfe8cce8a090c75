// Runs against the FAKE electron module (tests/main/shell/fake-electron.ts): the Electron binary cannot run here.
import { describe, expect, it } from 'vitest';
import { IPC_METHODS, ipcEventChannel, ipcInvokeChannel } from '../../../protocol/ipc.ts';
import { createIpcRouter } from '../../../main/ipc-router.ts';
import { forwardIpcEvents, registerIpcHandlers } from '../../../main/shell/ipc-bridge.ts';
import { isTrustedSender } from '../../../main/shell/sender-frame.ts';
import { fakeCore } from '../hosts/fake-core.ts';
import { FakeBrowserWindow, FakeWebContents, createFakeElectron, fakeFrame, fakeInvokeEvent } from './fake-electron.ts';

function setUp() {
  const { electron, record } = createFakeElectron({ userData: '/tmp/u', appPath: '/app' });
  const window = new FakeBrowserWindow({
    width: 1,
    height: 1,
    minWidth: 1,
    minHeight: 1,
    show: false,
    title: '',
    backgroundColor: '',
    webPreferences: {} as never,
  });
  const core = fakeCore({ 'actions.markRead': () => ({}) });
  const unregister = registerIpcHandlers(electron.ipcMain, createIpcRouter(core.handlers), () => window);
  const invoke = (channel: string, event: ReturnType<typeof fakeInvokeEvent>, input: unknown) => {
    const handler = record.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return Promise.resolve(handler(event, input));
  };
  return { window, core, record, invoke, unregister };
}

describe('IPC handlers', () => {
  it('registers one handler per contract method, on the protocol channel names, and removes them', () => {
    const { record, unregister } = setUp();
    expect([...record.handlers.keys()].sort()).toEqual(IPC_METHODS.map(ipcInvokeChannel).sort());
    unregister();
    expect(record.handlers.size).toBe(0);
  });

  it('routes a call from our window main frame through the router', async () => {
    const { window, core, invoke } = setUp();
    const result = await invoke(ipcInvokeChannel('actions.markRead'), fakeInvokeEvent(window.webContents), { conversationId: 'c_1' });
    expect(result).toEqual({ ok: true, value: {} });
    expect(core.calls).toEqual([{ method: 'actions.markRead', input: { conversationId: 'c_1' } }]);
  });

  it('still validates input from a trusted frame', async () => {
    const { window, core, invoke } = setUp();
    const result = await invoke(ipcInvokeChannel('actions.markRead'), fakeInvokeEvent(window.webContents), { conversationId: 42 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(core.calls).toEqual([]);
  });

  it('refuses a subframe of our own window, even one showing our origin', async () => {
    const { window, core, invoke } = setUp();
    const subframe = fakeFrame('app://switchboard/', window.webContents.mainFrame, window.webContents.mainFrame.processId);
    const result = await invoke(ipcInvokeChannel('actions.markRead'), fakeInvokeEvent(window.webContents, subframe), { conversationId: 'c_1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(core.calls).toEqual([]);
  });

  it('refuses our main frame once it shows a foreign page, and a frame that is gone', async () => {
    const { window, core, invoke } = setUp();
    const main = window.webContents.mainFrame;
    const foreign = { ...main, url: 'https://evil.example/' };
    expect(await invoke(ipcInvokeChannel('actions.markRead'), fakeInvokeEvent(window.webContents, foreign), { conversationId: 'c_1' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await invoke(ipcInvokeChannel('actions.markRead'), fakeInvokeEvent(window.webContents, null), { conversationId: 'c_1' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(core.calls).toEqual([]);
  });

  it('refuses any other webContents, whatever its URL', async () => {
    const { core, invoke } = setUp();
    const other = new FakeWebContents('app://switchboard/');
    expect(await invoke(ipcInvokeChannel('actions.markRead'), fakeInvokeEvent(other), { conversationId: 'c_1' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(core.calls).toEqual([]);
  });

  it('trusts nothing when there is no window', () => {
    const contents = new FakeWebContents();
    expect(isTrustedSender(fakeInvokeEvent(contents), null)).toBe(false);
  });
});

describe('event forwarding', () => {
  it('sends core events to the window on the protocol event channels until stopped', () => {
    const { window, core } = setUp();
    const stop = forwardIpcEvents(core.events, () => window);
    core.events.emit('openTarget', { kind: 'conversation', conversationId: 'c_9' });
    expect(window.webContents.sent).toEqual([{ channel: ipcEventChannel('openTarget'), args: [{ kind: 'conversation', conversationId: 'c_9' }] }]);
    stop();
    core.events.emit('openTarget', { kind: 'conversation', conversationId: 'c_10' });
    expect(window.webContents.sent).toHaveLength(1);
  });

  it('drops events while the window is destroyed', () => {
    const { window, core } = setUp();
    forwardIpcEvents(core.events, () => window);
    window.destroyed = true;
    core.events.emit('openTarget', { kind: 'conversation', conversationId: 'c_9' });
    expect(window.webContents.sent).toEqual([]);
  });
});
