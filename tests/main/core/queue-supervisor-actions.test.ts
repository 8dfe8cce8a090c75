import { afterEach, describe, expect, it } from 'vitest';
import type { User } from '../../../protocol/domain.ts';
import type { Mutation } from '../../../protocol/mutations.ts';
import type { QueuesOverview } from '../../../protocol/queue-overview.ts';
import { recordId } from '../../../protocol/scope.ts';
import { IpcFailure } from '../../../main/ipc-router.ts';
import { queueSupervisorIpcHandlers } from '../../../main/core/queue-supervisor-actions.ts';
import { changes, harness, inbox, ME, OTHER, put, user, type Harness } from './fixtures.ts';

/** The supervisor's actions: refused early for whoever may not, sent through the outbox as the routing mutations. */
let h: Harness;
afterEach(() => h.cleanup());

function setup(role: User['role']) {
  h = harness();
  const me = user(ME, 'Sofia', role);
  const members = (q: string, ids: string[]) => ids.map((id) => put(h.seq(), `inbox:${q}`, 'inboxMember', { id: recordId.inboxMember(q, id), inboxId: q, userId: id }));
  h.applier.apply(
    changes([
      put(h.seq(), 'org:org_1', 'user', me),
      put(h.seq(), 'org:org_1', 'user', user(OTHER, 'Jordan', 'agent')),
      put(h.seq(), 'inbox:q_one', 'inbox', inbox('q_one', { kind: 'queue' })),
      put(h.seq(), 'inbox:shared', 'inbox', inbox('shared', { kind: 'shared' })),
      ...members('q_one', [ME, OTHER]),
      ...members('shared', [ME, OTHER]),
    ]),
  );
  const sent: Mutation[] = [];
  const handlers = queueSupervisorIpcHandlers({ session: () => ({ cache: h.cache, user: me }), enqueue: (m) => sent.push(m), now: () => 1_000_000 });
  return { handlers, sent };
}

const refusal = (fn: () => unknown): { code: string; message: string } | null => {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof IpcFailure) return { code: err.code, message: err.message };
    throw err;
  }
};

describe('supervisor queue actions', () => {
  it('a supervisor logs an agent out of one queue and changes capacities, through the outbox', () => {
    const { handlers, sent } = setup('supervisor');
    handlers['actions.logOutAgent']({ inboxId: 'q_one', userId: OTHER });
    handlers['actions.setCapacity']({ inboxId: 'q_one', userId: OTHER, capacity: 5 });
    handlers['actions.setCapacity']({ inboxId: 'q_one', userId: OTHER, capacity: null });
    handlers['actions.setCapacity']({ inboxId: 'q_one', userId: null, capacity: 2 });
    expect(sent).toEqual([
      { name: 'queue.logout', args: { inboxIds: ['q_one'], userId: OTHER } },
      { name: 'queue.setCapacity', args: { inboxId: 'q_one', userId: OTHER, capacity: 5 } },
      { name: 'queue.setCapacity', args: { inboxId: 'q_one', userId: OTHER, capacity: null } },
      { name: 'queue.setCapacity', args: { inboxId: 'q_one', userId: null, capacity: 2 } },
    ]);
    expect((handlers['queues.overview']({}) as QueuesOverview).queues.map((q) => q.inboxId)).toEqual(['q_one']);
  });

  it('an agent is refused at once, and nothing is queued', () => {
    const { handlers, sent } = setup('agent');
    expect(refusal(() => handlers['actions.logOutAgent']({ inboxId: 'q_one', userId: OTHER }))).toEqual({ code: 'forbidden', message: 'Only supervisors, managers and admins can log others out of queues.' });
    expect(refusal(() => handlers['actions.setCapacity']({ inboxId: 'q_one', userId: null, capacity: 2 }))?.code).toBe('forbidden');
    expect(refusal(() => handlers['queues.overview']({}))?.code).toBe('forbidden');
    expect(sent).toEqual([]);
  });

  it('refuses a shared inbox, someone outside the queue, and clearing the queue’s own default', () => {
    const { handlers, sent } = setup('manager');
    expect(refusal(() => handlers['actions.logOutAgent']({ inboxId: 'shared', userId: OTHER }))).toEqual({ code: 'not_found', message: 'That queue is not one of yours.' });
    expect(refusal(() => handlers['actions.logOutAgent']({ inboxId: 'q_one', userId: 'u_stranger' }))?.code).toBe('not_found');
    expect(refusal(() => handlers['actions.setCapacity']({ inboxId: 'q_one', userId: null, capacity: null }))?.code).toBe('invalid');
    expect(sent).toEqual([]);
  });
});
