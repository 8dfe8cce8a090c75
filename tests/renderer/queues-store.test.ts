import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setApi } from '../../renderer/api/index.ts';
import { routeEvents } from '../../renderer/events.ts';
import { useContactCenterStore } from '../../renderer/stores/contact-center.ts';
import { useQueuesStore } from '../../renderer/stores/queues.ts';
import { createFakeApi, type FakeApi } from './fake-api.ts';

/** The Queues view's store: asks main only while shown, follows changes, ticks on its own, knows when it is stale. */
let fake: FakeApi;
let unroute: () => void = () => {};
const overviewCalls = () => fake.calls.filter((c) => c.method === 'queues.overview').length;

beforeEach(() => {
  setActivePinia(createPinia());
  fake = createFakeApi({ connection: { status: 'online' } });
  setApi(fake.api);
  unroute = routeEvents(fake.api);
});
afterEach(() => {
  useQueuesStore().hide();
  vi.useRealTimers();
  unroute();
  fake.close();
  setApi(null);
});

describe('routing notifications clicked (openTarget)', () => {
  it('opens the Queues view at the queue named, or asks the queue status popover to open', async () => {
    const queues = useQueuesStore();
    const cc = useContactCenterStore();
    fake.emit('openTarget', { kind: 'queues', inboxId: 'queue_tech' });
    expect(queues.shown).toBe(true);
    expect(queues.focused).toBe('queue_tech');
    await vi.waitFor(() => expect(queues.overview).not.toBeNull());
    const asked = cc.statusAsked;
    fake.emit('openTarget', { kind: 'queueStatus' });
    expect(cc.statusAsked).toBe(asked + 1);
    // Opened from the top bar later: no queue singled out.
    queues.hide();
    queues.show();
    expect(queues.focused).toBeNull();
  });
});

describe('queues store', () => {
  it('queries the overview only while shown, and again on each change while shown', async () => {
    const queues = useQueuesStore();
    fake.emit('changed', { sidebar: true, conversationList: true, conversations: [] });
    await queues.refresh();
    expect(overviewCalls()).toBe(0);
    queues.show();
    await vi.waitFor(() => expect(queues.overview).not.toBeNull());
    expect(overviewCalls()).toBe(1);
    fake.emit('changed', { sidebar: false, conversationList: true, conversations: [] });
    await vi.waitFor(() => expect(overviewCalls()).toBe(2));
    queues.hide();
    fake.emit('changed', { sidebar: true, conversationList: true, conversations: [] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(overviewCalls()).toBe(2);
  });

  it('moves its clock every second while shown, without asking main again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const queues = useQueuesStore();
    queues.show();
    const start = queues.now;
    const calls = overviewCalls();
    vi.advanceTimersByTime(3000);
    expect(queues.now - start).toBe(3000);
    expect(overviewCalls()).toBe(calls);
    queues.hide();
    vi.advanceTimersByTime(3000);
    expect(queues.now - start).toBe(3000);
  });

  it('is stale while the connection is not online, and shows a refused action', async () => {
    const queues = useQueuesStore();
    fake.emit('connection', { status: 'online', retryInMs: null, lastError: null, pendingCount: 0 });
    expect(queues.stale).toBe(false);
    fake.emit('connection', { status: 'reconnecting', retryInMs: 2000, lastError: null, pendingCount: 0 });
    expect(queues.stale).toBe(true);
    expect(await queues.logOut('queue_billing', 'user_jordan')).toBe('That queue is not one of yours.');
    expect(queues.actionError).toBe('That queue is not one of yours.');
  });
});
