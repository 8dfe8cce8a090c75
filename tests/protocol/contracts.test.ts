import { describe, expect, it } from 'vitest';
import { ClientFrame, ServerFrame } from '../../protocol/sync.ts';
import { Mutation } from '../../protocol/mutations.ts';
import { ipcMethods, ipcEventChannel, ipcInvokeChannel, IPC_METHODS } from '../../protocol/ipc.ts';
import { isScope } from '../../protocol/scope.ts';

const message = {
  id: 'm1', conversationId: 'c1', direction: 'in', authorType: 'contact', authorId: null, body: 'hi',
  attachments: [], status: 'delivered', statusReason: null, providerId: null, createdAt: 1,
};

describe('sync frames', () => {
  it('accepts a changes frame of puts and deletes and rejects an entry with a foreign scope kind', () => {
    const frame = {
      type: 'changes', cursor: 2, caughtUp: true,
      entries: [
        { seq: 1, scope: 'inbox:a', op: 'put', entity: 'message', record: message },
        { seq: 2, scope: 'inbox:a', op: 'delete', entity: 'message', id: 'm1' },
      ],
    };
    expect(ServerFrame.safeParse(frame).success).toBe(true);
    const bad = { ...frame, entries: [{ ...frame.entries[0], scope: 'tenant:a' }] };
    expect(ServerFrame.safeParse(bad).success).toBe(false);
  });

  it('rejects a put whose record does not match its entity', () => {
    const entry = { seq: 1, scope: 'inbox:a', op: 'put', entity: 'conversation', record: message };
    expect(ServerFrame.safeParse({ type: 'changes', cursor: 1, caughtUp: true, entries: [entry] }).success).toBe(false);
  });

  it('fills mutation defaults and caps the mutations per frame', () => {
    const one = { id: 1, mutation: { name: 'message.send', args: { conversationId: 'c', messageId: 'x', body: 'hi' } } };
    const parsed = Mutation.parse(one.mutation);
    expect(parsed.name === 'message.send' && parsed.args.attachments).toEqual([]);
    // The frame leaves each mutation to be judged on its own (one bad one must not refuse the others).
    expect(ClientFrame.safeParse({ type: 'mutate', mutations: [one, { id: 2, mutation: { name: 'nope' } }] }).success).toBe(true);
    expect(ClientFrame.safeParse({ type: 'mutate', mutations: Array(101).fill(one) }).success).toBe(false);
    expect(ClientFrame.safeParse({ type: 'mutate', mutations: [] }).success).toBe(false);
  });

  it('knows scopes by their four kinds only', () => {
    expect(['org:o', 'inbox:i', 'user:u', 'chat:c'].every(isScope)).toBe(true);
    expect(['inbox:', 'inbox:a b', 'admin:x', 'inbox:a:b'].some(isScope)).toBe(false);
  });
});

describe('IPC contract', () => {
  it('declares each channel name once, from the method name', () => {
    const channels = IPC_METHODS.map(ipcInvokeChannel);
    expect(new Set(channels).size).toBe(IPC_METHODS.length);
    expect(ipcInvokeChannel('session.signIn')).toBe('switchboard:invoke:session.signIn');
    expect(ipcEventChannel('changed')).toBe('switchboard:event:changed');
  });

  it('validates inputs: a list query gets its defaults, a bad server address a clear message', () => {
    const list = ipcMethods['conversations.list'].input.parse({ query: {}, offset: 0, limit: 50 });
    expect(list.query).toMatchObject({ folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages' });
    const bad = ipcMethods['server.probe'].input.safeParse({ serverUrl: 'ftp://example.com' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/http/);
    expect(ipcMethods['actions.sendMessage'].input.safeParse({ conversationId: 'c', body: '   ' }).success).toBe(false);
  });
});
