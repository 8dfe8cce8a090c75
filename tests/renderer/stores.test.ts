import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcInput, IpcMethod, IpcOutput, IpcResult, SwitchboardApi } from '../../protocol/ipc.ts';
import { setApi } from '../../renderer/api/index.ts';
import { routeEvents } from '../../renderer/events.ts';
import { useConversationListStore } from '../../renderer/stores/conversation-list.ts';
import { useOpenConversationStore } from '../../renderer/stores/open-conversation.ts';
import { useSessionStore } from '../../renderer/stores/session.ts';
import { useSidebarStore } from '../../renderer/stores/sidebar.ts';
import { createFakeApi, type FakeApi } from './fake-api.ts';

let fake: FakeApi;
let unroute: () => void = () => {};

async function signedIn(): Promise<void> {
  await useSessionStore().load();
  const list = useConversationListStore();
  await vi.waitFor(() => expect(list.ready && list.counts !== null).toBe(true));
}
const callsOf = (method: IpcMethod) => fake.calls.filter((c) => c.method === method);

beforeEach(() => {
  setActivePinia(createPinia());
  fake = createFakeApi({ now: Date.UTC(2026, 10, 25, 12) });
  setApi(fake.api);
  unroute = routeEvents(fake.api);
});
afterEach(() => {
  unroute();
  fake.close();
  setApi(null);
});

describe('conversation list store', () => {
  it('selects the first inbox after sign-in and shows its first page with the total', async () => {
    await signedIn();
    const list = useConversationListStore();
    expect(list.query.inboxId).toBe('inbox_sales');
    expect(list.total).toBeGreaterThan(50);
    expect(list.rows).toHaveLength(list.total);
    expect(list.rows.slice(0, 50).every(Boolean)).toBe(true);
    expect(list.rows[50]).toBeNull();
  });

  it('fetches the pages the virtual list scrolls into, once', async () => {
    await signedIn();
    const list = useConversationListStore();
    const before = callsOf('conversations.list').length;
    list.ensureRange(45, 58);
    list.ensureRange(46, 59);
    await vi.waitFor(() => expect(list.rows[55]).toBeTruthy());
    expect(callsOf('conversations.list').length - before).toBe(1);
  });

  it('drops a response that a newer query overtook', async () => {
    await signedIn();
    const list = useConversationListStore();
    // Hold the first (closed-folder) answer back until the second query has been answered.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const real = fake.api.invoke.bind(fake.api);
    let first = true;
    const slow: SwitchboardApi = {
      on: fake.api.on.bind(fake.api),
      async invoke<M extends IpcMethod>(method: M, input: IpcInput<M>): Promise<IpcResult<IpcOutput<M>>> {
        if (method === 'conversations.list' && first) {
          first = false;
          const answer = await real(method, input);
          await held;
          return answer;
        }
        return real(method, input);
      },
    };
    setApi(slow);
    list.setQuery({ folder: 'closed' });
    list.setQuery({ folder: 'open', read: 'unread' });
    await vi.waitFor(() => expect(list.ready).toBe(true));
    const unreadTotal = list.total;
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(list.query).toMatchObject({ folder: 'open', read: 'unread' });
    expect(list.total).toBe(unreadTotal);
    expect(list.rows.every((r) => r === null || (r.unread && r.status === 'open'))).toBe(true);
  });

  it('re-queries only the views a changed event names', async () => {
    await signedIn();
    const lists = callsOf('conversations.list').length;
    const sidebars = callsOf('sidebar.get').length;
    fake.emit('changed', { sidebar: true, conversationList: false, conversations: [] });
    await vi.waitFor(() => expect(callsOf('sidebar.get').length).toBe(sidebars + 1));
    expect(callsOf('conversations.list').length).toBe(lists);
    fake.emit('changed', { sidebar: false, conversationList: true, conversations: [] });
    expect(callsOf('conversations.list').length).toBe(lists + 1);
  });

  it('clears an assignment filter when the chosen inbox has assignment mode off', async () => {
    await signedIn();
    const list = useConversationListStore();
    list.setQuery({ assignment: 'unassigned' });
    list.selectInbox('inbox_support');
    expect(list.query.assignment).toBe('all');
    list.setQuery({ assignment: 'withMe' });
    list.selectInbox('inbox_support', 'ch_support_sms');
    expect(list.query.assignment).toBe('withMe');
  });
});

describe('open conversation store', () => {
  it('marks an unread conversation read when it is opened, and leaves a read one alone', async () => {
    await signedIn();
    const open = useOpenConversationStore();
    await open.open('conv_002', { unread: false });
    expect(callsOf('actions.markRead')).toHaveLength(0);
    await open.open('conv_001', { unread: true });
    expect(callsOf('actions.markRead')).toEqual([{ method: 'actions.markRead', input: { conversationId: 'conv_001' } }]);
  });

  it('shows a sent reply as pending, keeps older pages on refresh, and drops a discarded refusal', async () => {
    await signedIn();
    const open = useOpenConversationStore();
    await open.open('conv_005', { unread: false });
    expect(open.hasMore).toBe(true);
    await open.loadOlder();
    const loaded = open.messages.length;
    expect(await open.send('On its way')).toBeNull();
    expect(open.messages).toHaveLength(loaded + 1);
    expect(open.messages[open.messages.length - 1]).toMatchObject({ body: 'On its way', displayStatus: 'pending' });
    expect(await open.send('this will fail')).toBeNull();
    const refused = open.messages[open.messages.length - 1]!;
    expect(refused.displayStatus).toBe('failed');
    await open.discard(refused.outbox!.mutationId);
    expect(open.messages.some((m) => m.id === refused.id)).toBe(false);
    expect(open.messages).toHaveLength(loaded + 1);
  });

  it('forgets the open conversation and the lists when the person signs out', async () => {
    await signedIn();
    await useOpenConversationStore().open('conv_001');
    expect(await useSessionStore().signOut()).toBeNull();
    expect(useOpenConversationStore().id).toBeNull();
    expect(useSidebarStore().view).toBeNull();
    expect(useConversationListStore().rows).toHaveLength(0);
  });
});
