import type { ChannelKind, User } from '../../protocol/domain.ts';
import type { DemoAccount } from '../../protocol/http.ts';
import type {
  ConnectionState,
  ConversationDetail,
  ConversationListItem,
  ConversationListQuery,
  IpcEvent,
  IpcEvents,
  IpcInput,
  IpcMethod,
  IpcOutput,
  IpcResult,
  MessageView,
  SessionState,
  SidebarView,
  SwitchboardApi,
} from '../../protocol/ipc.ts';
import { fakeContactHandlers } from './fake-contacts.ts';
import { fakeWorkflowHandlers } from './fake-workflow.ts';
import { fakeChatHandlers } from './fake-chats.ts';
import { fakeAssistantHandlers } from './fake-assistant.ts';
import { fakeQueueHandlers } from './fake-queues.ts';

/**
 * An in-memory SwitchboardApi for developing and testing the renderer without main/ or server/:
 * a small deterministic workspace (two inboxes, their channels, ~120 conversations) and just enough
 * behaviour for the screens — filters, paging, sending through a fake outbox (a body containing
 * "fail" is refused, so Retry/Discard can be seen), assignment and close.
 */

interface FakeConversation {
  id: string;
  inboxId: string;
  channelId: string;
  channelKind: ChannelKind;
  title: string;
  customerAddress: string;
  status: 'open' | 'closed';
  assigneeId: string | null;
  createdAt: number;
  closedAt: number | null;
  readBy: Set<string>;
  archivedBy: Set<string>;
  participants: Set<string>;
  messages: MessageView[];
}

export interface FakeApiOptions {
  signedIn?: boolean;
  now?: number;
  conversations?: number;
  /** Delay before a result resolves, to see loading states. */
  latencyMs?: number;
  connection?: Partial<ConnectionState>;
}

export interface FakeApi {
  api: SwitchboardApi;
  emit<E extends IpcEvent>(event: E, payload: IpcEvents[E]): void;
  calls: { method: IpcMethod; input: unknown }[];
  /** Cancels the deliveries and events still scheduled, and forgets the listeners. */
  close(): void;
}

const SERVER = 'http://127.0.0.1:4870';
const users: User[] = [
  { id: 'user_maya', orgId: 'org_demo', name: 'Maya Patel', email: 'maya@demo.switchboard.test', role: 'manager', status: 'active', avatarColor: '#7c5cc4' },
  { id: 'user_sam', orgId: 'org_demo', name: 'Sam Rivera', email: 'sam@demo.switchboard.test', role: 'member', status: 'active', avatarColor: '#2f8f6b' },
  { id: 'user_alex', orgId: 'org_demo', name: 'Alex Chen', email: 'alex@demo.switchboard.test', role: 'member', status: 'active', avatarColor: '#c2622d' },
];
const passwords: Record<string, string> = {
  'maya@demo.switchboard.test': 'demo-manager',
  'sam@demo.switchboard.test': 'demo-agent',
  'alex@demo.switchboard.test': 'demo-agent',
};
const channels = [
  { id: 'ch_sales_sms', inboxId: 'inbox_sales', kind: 'sms' as const, name: 'Sales line', address: '+14155550100', registration: 'approved' as const },
  { id: 'ch_sales_wa', inboxId: 'inbox_sales', kind: 'whatsapp' as const, name: 'Sales WhatsApp', address: '+14155550101', registration: null },
  { id: 'ch_sales_web', inboxId: 'inbox_sales', kind: 'webchat' as const, name: 'Website chat', address: 'wk_sales', registration: null },
  { id: 'ch_support_sms', inboxId: 'inbox_support', kind: 'sms' as const, name: 'Support line', address: '+14155550200', registration: 'pending' as const },
  { id: 'ch_support_wa', inboxId: 'inbox_support', kind: 'whatsapp' as const, name: 'Support WhatsApp', address: '+14155550201', registration: null },
  { id: 'ch_support_web', inboxId: 'inbox_support', kind: 'webchat' as const, name: 'Help centre chat', address: 'wk_support', registration: null },
];
const inboxes = [
  { id: 'inbox_sales', name: 'Sales', kind: 'shared' as const, assignmentMode: true },
  { id: 'inbox_support', name: 'Support', kind: 'shared' as const, assignmentMode: false },
];
const names = ['Jordan Blake', 'Priya Nair', 'Lucas Moreau', 'Hannah Okafor', 'Diego Alvarez', 'Mei Tanaka', 'Oliver Grant', 'Fatima Zahra', 'Noah Fischer', 'Ava Lindqvist', 'Ethan Brooks', 'Sofia Rossi'];
const lines = [
  'Hi, is the Trailblazer 40L backpack back in stock?',
  'Do you ship to Canada, and how long does it take?',
  'My order #4471 arrived with a broken zipper.',
  'Can I change the size on my order before it ships?',
  'Thanks, that worked!',
  'What are your store hours this weekend?',
  'I would like to return the rain jacket, it runs small.',
  'Is there a discount for group orders of 10+?',
];
const replies = [
  'Hi! Let me check that for you right away.',
  'Thanks for reaching out — I have updated your order.',
  'We ship to Canada in 3–5 business days.',
  'Sorry about that! I have started a replacement for you.',
  'Our weekend hours are 10am–6pm on both days.',
];

function demoAccounts(): DemoAccount[] {
  return users.map((u) => ({ name: u.name, email: u.email, password: passwords[u.email] ?? '', role: u.role }));
}

function seed(count: number, now: number): FakeConversation[] {
  const out: FakeConversation[] = [];
  for (let i = 0; i < count; i++) {
    const channel = channels[i % channels.length]!;
    const createdAt = now - (i * 5 + 3) * 60 * 60 * 1000 - (i % 7) * 60_000;
    const id = `conv_${String(i + 1).padStart(3, '0')}`;
    const messageCount = 3 + (i % 5) * 14;
    const messages: MessageView[] = [];
    for (let m = 0; m < messageCount; m++) {
      const inbound = m % 2 === 0;
      const author = inbound ? null : users[m % 3]!;
      const at = createdAt + m * 7 * 60_000;
      messages.push({
        id: `${id}_m${m}`,
        conversationId: id,
        direction: inbound ? 'in' : 'out',
        authorType: inbound ? 'contact' : 'user',
        authorId: author?.id ?? null,
        authorName: author?.name ?? names[i % names.length]!,
        body: inbound ? lines[(i + m) % lines.length]! : replies[(i + m) % replies.length]!,
        attachments: [],
        status: inbound ? 'delivered' : m === messageCount - 1 && i % 9 === 4 ? 'failed' : 'delivered',
        statusReason: m === messageCount - 1 && i % 9 === 4 && !inbound ? 'The carrier rejected the message (unreachable number).' : null,
        providerId: null,
        createdAt: at,
        outbox: null,
        displayStatus: 'delivered',
      });
      const last = messages[messages.length - 1]!;
      last.displayStatus = last.status;
    }
    out.push({
      id,
      inboxId: channel.inboxId,
      channelId: channel.id,
      channelKind: channel.kind,
      title: i % 11 === 3 ? `+1 415-555-${String(1000 + i).slice(-4)}` : names[i % names.length]!,
      customerAddress: channel.kind === 'webchat' ? `visitor-${1000 + i}` : `+1415555${String(1000 + i).slice(-4)}`,
      status: i % 6 === 5 ? 'closed' : 'open',
      assigneeId: i % 4 === 0 ? null : users[i % 3]!.id,
      createdAt,
      closedAt: i % 6 === 5 ? createdAt + 3 * 60 * 60 * 1000 : null,
      readBy: new Set(i % 3 === 0 ? [] : users.map((u) => u.id)),
      archivedBy: new Set(),
      participants: new Set(i % 2 === 0 ? ['user_maya'] : ['user_sam']),
      messages,
    });
  }
  return out;
}

export function createFakeApi(options: FakeApiOptions = {}): FakeApi {
  const now = options.now ?? Date.now();
  const conversations = seed(options.conversations ?? 120, now);
  const listeners = new Map<IpcEvent, Set<(payload: never) => void>>();
  const calls: FakeApi['calls'] = [];
  let user: User | null = options.signedIn === false ? null : users[0]!;
  let connection: ConnectionState = { status: 'online', retryInMs: null, lastError: null, pendingCount: 0, ...options.connection };
  let nextMutation = 1;
  let nextMessage = 1;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  function later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  function emit<E extends IpcEvent>(event: E, payload: IpcEvents[E]): void {
    for (const l of [...(listeners.get(event) ?? [])]) (l as (p: IpcEvents[E]) => void)(payload);
  }
  const session = (): SessionState =>
    user ? { status: 'signedIn', serverUrl: SERVER, user } : { status: 'signedOut', serverUrl: SERVER, reason: null };
  const visibleInboxes = () => inboxes.filter((i) => user && (user.id === 'user_maya' || (user.id === 'user_sam' ? i.id === 'inbox_sales' : i.id === 'inbox_support')));
  const mine = () => conversations.filter((c) => visibleInboxes().some((i) => i.id === c.inboxId));
  const unread = (c: FakeConversation) => !!user && !c.readBy.has(user.id);

  function item(c: FakeConversation): ConversationListItem {
    const last = c.messages[c.messages.length - 1];
    return {
      id: c.id,
      inboxId: c.inboxId,
      channelId: c.channelId,
      channelKind: c.channelKind,
      title: c.title,
      customerAddress: c.customerAddress,
      status: c.status,
      assigneeId: c.assigneeId,
      assigneeName: users.find((u) => u.id === c.assigneeId)?.name ?? null,
      createdAt: c.createdAt,
      closedAt: c.closedAt,
      lastMessageAt: last?.createdAt ?? null,
      preview: last?.body ?? '',
      unread: unread(c),
      archived: !!user && c.archivedBy.has(user.id),
      tags: [],
    };
  }

  function filtered(q: ConversationListQuery, ignore: { folder?: boolean; assignment?: boolean } = {}): FakeConversation[] {
    const me = user?.id ?? '';
    return mine().filter((c) => {
      if (q.inboxId && c.inboxId !== q.inboxId) return false;
      if (q.channelId && c.channelId !== q.channelId) return false;
      if (!ignore.folder && c.status !== q.folder) return false;
      if (!ignore.assignment) {
        if (q.assignment === 'me' && c.assigneeId !== me) return false;
        if (q.assignment === 'others' && (c.assigneeId === null || c.assigneeId === me)) return false;
        if (q.assignment === 'unassigned' && c.assigneeId !== null) return false;
        if (q.assignment === 'withMe' && !c.participants.has(me)) return false;
      }
      const archived = c.archivedBy.has(me);
      if (q.read === 'archived') return archived;
      if (archived) return false;
      return q.read !== 'unread' || unread(c);
    });
  }

  function changed(conversationIds: string[]): void {
    later(() => emit('changed', { sidebar: true, conversationList: true, conversations: conversationIds }), 0);
  }

  function sidebar(): SidebarView {
    const all = mine();
    const view: SidebarView = {
      inboxes: visibleInboxes().map((i) => ({
        ...i,
        unread: all.filter((c) => c.inboxId === i.id && unread(c) && c.status === 'open').length,
        channels: channels
          .filter((c) => c.inboxId === i.id)
          .map((ch) => ({ ...ch, unread: all.filter((c) => c.channelId === ch.id && unread(c) && c.status === 'open').length })),
      })),
      chats: [
        { id: 'chat_maya_sam', kind: 'direct', name: user?.id === 'user_sam' ? 'Maya Patel' : 'Sam Rivera', unread: 2, lastMessageAt: now - 3600_000 },
        { id: 'chat_floor_leads', kind: 'team', name: 'Floor leads', unread: 0, lastMessageAt: now - 7200_000 },
      ],
      unreadTotal: 0,
    };
    view.unreadTotal = view.inboxes.reduce((n, i) => n + i.unread, 0);
    return view;
  }

  function find(id: string): FakeConversation {
    const c = mine().find((x) => x.id === id);
    if (!c) throw Object.assign(new Error('not found'), { code: 'not_found' });
    return c;
  }

  function pendingCount(): number {
    return conversations.reduce((n, c) => n + c.messages.filter((m) => m.outbox).length, 0);
  }
  function setConnection(patch: Partial<ConnectionState>): void {
    connection = { ...connection, ...patch };
    emit('connection', connection);
  }

  function deliverLater(c: FakeConversation, messageId: string): void {
    const step = (status: 'sent' | 'delivered', delay: number) =>
      later(() => {
        c.messages = c.messages.map((m) => (m.id === messageId ? { ...m, outbox: null, status, displayStatus: status } : m));
        setConnection({ pendingCount: pendingCount() });
        changed([c.id]);
      }, delay);
    step('sent', 600);
    step('delivered', 1500);
  }

  const handlers: { [M in IpcMethod]: (input: IpcInput<M>) => IpcOutput<M> } = {
    ...fakeContactHandlers(),
    ...fakeWorkflowHandlers(),
    ...fakeChatHandlers(),
    ...fakeAssistantHandlers(),
    ...fakeQueueHandlers(),
    'app.state': () => ({ session: session(), connection, syncProgress: null, defaultServerUrl: SERVER }),
    'server.probe': () => ({ organisation: 'Northwind Outfitters', demoAccounts: demoAccounts() }),
    'session.signIn': ({ email, password }) => {
      const found = users.find((u) => u.email === email.trim().toLowerCase());
      if (!found || passwords[found.email] !== password) throw Object.assign(new Error('That email and password do not match an account on this server.'), { code: 'unauthenticated' });
      user = found;
      later(() => emit('session', session()), 0);
      return { user: found };
    },
    'session.signOut': () => {
      user = null;
      later(() => emit('session', session()), 0);
      return {};
    },
    'sidebar.get': () => sidebar(),
    // Issue 13: a device that keeps everything (the fake has no server to page from).
    'history.settings': () => ({ budgetDays: 90, choices: [30, 90, 365, 3650], cacheBytes: 4_200_000, fill: { done: true, reachedAt: null, rows: 0 } }),
    'history.setBudget': ({ days }) => ({ budgetDays: days, choices: [30, 90, 365, 3650], cacheBytes: 4_200_000, fill: { done: true, reachedAt: null, rows: 0 } }),
    'conversations.list': ({ query, offset, limit }) => {
      const q = { inboxId: null, channelId: null, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null, ...query } as ConversationListQuery;
      const rows = filtered(q).map(item);
      const key = (r: ConversationListItem) =>
        q.sort === 'recentConversations' || q.sort === 'oldestConversations' ? (r.closedAt ?? r.createdAt) : (r.lastMessageAt ?? Number.MAX_SAFE_INTEGER);
      rows.sort((a, b) => (q.sort.startsWith('oldest') ? key(a) - key(b) : key(b) - key(a)));
      return { items: rows.slice(offset, offset + limit), total: rows.length, offset };
    },
    'conversations.counts': ({ inboxId, channelId }) => {
      const base: ConversationListQuery = { inboxId: inboxId ?? null, channelId: channelId ?? null, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null };
      const n = (patch: Partial<ConversationListQuery>) => filtered({ ...base, ...patch }).length;
      return { open: n({}), closed: n({ folder: 'closed' }), me: n({ assignment: 'me' }), others: n({ assignment: 'others' }), unassigned: n({ assignment: 'unassigned' }), withMe: n({ assignment: 'withMe' }) };
    },
    'conversation.get': ({ id }) => {
      const c = mine().find((x) => x.id === id);
      if (!c) return null;
      const channel = channels.find((ch) => ch.id === c.channelId)!;
      const inbox = inboxes.find((i) => i.id === c.inboxId)!;
      const assignee = users.find((u) => u.id === c.assigneeId) ?? null;
      const detail: ConversationDetail = {
        conversation: {
          id: c.id, inboxId: c.inboxId, channelId: c.channelId, contactId: null, customerAddress: c.customerAddress, status: c.status,
          assigneeId: c.assigneeId, tags: [], createdAt: c.createdAt, closedAt: c.closedAt,
          lastMessageAt: c.messages[c.messages.length - 1]?.createdAt ?? null, lastMessagePreview: c.messages[c.messages.length - 1]?.body ?? '',
          participantIds: [...c.participants],
        },
        title: c.title,
        contact: null,
        channel: { id: channel.id, inboxId: channel.inboxId, kind: channel.kind, name: channel.name, address: channel.address, registration: channel.registration },
        inbox,
        assignee: assignee && { id: assignee.id, name: assignee.name },
        members: users.map((u) => ({ id: u.id, name: u.name })),
        pendingActions: [],
      };
      return detail;
    },
    'messages.list': ({ conversationId, before, limit }) => {
      const c = find(conversationId);
      const older = before === null || before === undefined ? c.messages : c.messages.filter((m) => m.createdAt < before);
      const size = limit ?? 50;
      return { items: older.slice(Math.max(0, older.length - size)), hasMore: older.length > size };
    },
    'messages.through': ({ conversationId, messageId }) => {
      const c = find(conversationId);
      const at = c.messages.findIndex((m) => m.id === messageId);
      if (at < 0) return { items: c.messages.slice(-50), hasMore: c.messages.length > 50, found: false, around: false };
      return { items: c.messages.slice(at), hasMore: at > 0, found: true, around: false };
    },
    'actions.sendMessage': ({ conversationId, body }) => {
      const c = find(conversationId);
      const id = `local_${nextMessage++}`;
      const refused = /fail/i.test(body);
      const mutationId = nextMutation++;
      c.messages = [
        ...c.messages,
        {
          id, conversationId, direction: 'out', authorType: 'user', authorId: user?.id ?? null, authorName: user?.name ?? '', body: body.trim(),
          attachments: [], status: 'queued', statusReason: null, providerId: null, createdAt: Date.now(),
          outbox: refused
            ? { mutationId, state: 'failed', error: { code: 'not_registered', message: 'This number is not registered with the carriers yet, so texts from it are refused.' } }
            : { mutationId, state: 'pending', error: null },
          displayStatus: refused ? 'failed' : 'pending',
        },
      ];
      c.participants.add(user?.id ?? '');
      setConnection({ pendingCount: pendingCount() });
      if (!refused && connection.status === 'online') deliverLater(c, id);
      changed([c.id]);
      return { messageId: id };
    },
    // SPEC (18): attachments are kept in memory; the fake never uploads.
    'attachments.stage': ({ name, contentType, dataBase64 }) => {
      const size = dataBase64 ? Math.floor((dataBase64.length * 3) / 4) : 0;
      return { id: `local-${nextMessage++}`, name, contentType: contentType ?? '', size };
    },
    'actions.sendMessageWithAttachments': ({ conversationId, body, attachmentIds }) => {
      const { messageId } = handlers['actions.sendMessage']({ conversationId, body: body || ' ' });
      const c = find(conversationId);
      c.messages = c.messages.map((m) =>
        m.id === messageId ? { ...m, attachments: attachmentIds.map((id) => ({ id, name: `${id}.png`, contentType: 'image/png', size: 68 })) } : m,
      );
      return { messageId };
    },
    'attachments.read': () => ({ name: 'file', contentType: 'image/png', dataBase64: '' }),
    'actions.sendTemplate': ({ conversationId }) => handlers['actions.sendMessage']({ conversationId, body: 'template' }),
    'actions.sendSurvey': ({ conversationId }) => ({ surveyId: 'survey-fake', ...handlers['actions.sendMessage']({ conversationId, body: 'Satisfaction survey' }) }),
    'surveys.settings': ({ inboxId }) => ({ inboxId, message: 'How did we do? {link}', isDefault: true }),
    'surveys.saveSettings': ({ inboxId, message }) => ({ inboxId, message, isDefault: false }),
    // Contact Center (issue 10): this fake is a Customer Engagement organisation, so none of it shows.
    'org.get': () => null,
    'queues.mine': () => ({ edition: 'customer_engagement', queues: [] }),
    'actions.queueLogin': () => ({}),
    'actions.queueLogout': () => ({}),
    'offers.mine': () => [],
    'actions.acceptOffer': () => ({}),
    'actions.declineOffer': () => ({}),
    'actions.placeCall': () => {
      throw Object.assign(new Error('Calling a contact is part of Contact Center.'), { code: 'forbidden' });
    },
    'conversations.routingDetails': () => null,
    'actions.setSoftphone': () => ({}),
    'surveys.report': ({ from, to }) => ({ from, to, total: { sent: 0, answered: 0, satisfied: 0, csat: null, responseRate: null }, inboxes: [], agents: [] }),
    'actions.assign': ({ conversationId, assigneeId }) => {
      find(conversationId).assigneeId = assigneeId;
      changed([conversationId]);
      return {};
    },
    'actions.setStatus': ({ conversationId, status }) => {
      const c = find(conversationId);
      c.status = status;
      c.closedAt = status === 'closed' ? Date.now() : null;
      changed([conversationId]);
      return {};
    },
    'actions.markRead': ({ conversationId }) => {
      const c = find(conversationId);
      if (user && !c.readBy.has(user.id)) {
        c.readBy.add(user.id);
        changed([conversationId]);
      }
      return {};
    },
    'actions.retryMessage': ({ conversationId, messageId }) => {
      const c = conversations.find((x) => x.id === conversationId);
      const m = c?.messages.find((x) => x.id === messageId && x.status === 'failed');
      if (!c || !m) throw new Error('There is no reply with this id in this conversation.');
      c.messages = c.messages.map((x) => (x === m ? { ...x, status: 'queued', statusReason: null, displayStatus: 'queued' } : x));
      deliverLater(c, m.id);
      changed([c.id]);
      return {};
    },
    'outbox.retry': ({ mutationId }) => {
      for (const c of conversations) {
        const m = c.messages.find((x) => x.outbox?.mutationId === mutationId);
        if (!m) continue;
        c.messages = c.messages.map((x) => (x === m ? { ...x, outbox: { mutationId, state: 'pending', error: null }, displayStatus: 'pending' } : x));
        deliverLater(c, m.id);
        changed([c.id]);
      }
      return {};
    },
    'outbox.discard': ({ mutationId }) => {
      for (const c of conversations) {
        if (!c.messages.some((x) => x.outbox?.mutationId === mutationId)) continue;
        c.messages = c.messages.filter((x) => x.outbox?.mutationId !== mutationId);
        setConnection({ pendingCount: pendingCount() });
        changed([c.id]);
      }
      return {};
    },
  };

  const api: SwitchboardApi = {
    async invoke<M extends IpcMethod>(method: M, input: IpcInput<M>): Promise<IpcResult<IpcOutput<M>>> {
      calls.push({ method, input });
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      const needsUser = !['app.state', 'server.probe', 'session.signIn'].includes(method);
      if (needsUser && !user) return { ok: false, error: { code: 'unauthenticated', message: 'You are signed out.' } };
      try {
        const handler = handlers[method] as (i: IpcInput<M>) => IpcOutput<M>;
        return { ok: true, value: handler(input) };
      } catch (err) {
        const code = (err as { code?: string }).code === 'unauthenticated' ? 'unauthenticated' : 'not_found';
        return { ok: false, error: { code, message: (err as Error).message } };
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
  function close(): void {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    listeners.clear();
  }
  return { api, emit, calls, close };
}
