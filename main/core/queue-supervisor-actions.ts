import type { User } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { noteWaiting, queueOverview } from './queries/queue-overview.ts';
import { WaitingHistory } from './queries/waiting-history.ts';

/**
 * IPC of the supervisor's Queues view (issue 10 §4): the overview, computed from the cache, and the actions a
 * supervisor takes from it, through the outbox (so they wait out a lost connection like any other action).
 * Reassigning uses the existing `actions.assign`; opening a conversation is the renderer's.
 */

export interface QueueSupervisorDeps {
  session(): { cache: CacheDb; user: User };
  enqueue(mutation: Mutation): void;
  now?: () => number;
}

type Methods = 'queues.overview' | 'actions.logOutAgent' | 'actions.setCapacity';
const DONE = {} as Record<string, never>;

/** One waiting history per open cache: it starts when the person's session does, and ends with it. */
const histories = new WeakMap<CacheDb, WaitingHistory>();
function historyOf(cache: CacheDb): WaitingHistory {
  let history = histories.get(cache);
  if (!history) histories.set(cache, (history = new WaitingHistory()));
  return history;
}

/** Called after each applied batch of changes: notes the queues' waiting counts (only for supervisors). */
export function noteQueueWaiting(cache: CacheDb, user: User, now = Date.now()): void {
  if (permissions.superviseQueues(user.role)) noteWaiting(cache, now, historyOf(cache));
}

/** The server's words for the same refusal (server/domain/routing/handlers.ts), so offline and online read alike. */
const REFUSED = {
  watch: 'Only supervisors, managers and admins can watch queues.',
  logOut: 'Only supervisors, managers and admins can log others out of queues.',
  capacity: 'Only supervisors, managers and admins can change capacities.',
} as const;

function requireSupervisor(user: User, what: keyof typeof REFUSED): void {
  if (!permissions.superviseQueues(user.role)) throw new IpcFailure('forbidden', REFUSED[what]);
}

function requireQueue(cache: CacheDb, inboxId: string): void {
  const member = cache.db
    .prepare(`SELECT 1 FROM inboxes i JOIN inbox_members m ON m.inbox_id = i.id AND m.user_id = ? WHERE i.id = ? AND i.kind = 'queue'`)
    .get(cache.userId, inboxId);
  if (!member) throw new IpcFailure('not_found', 'That queue is not one of yours.');
}

function requireQueueMember(cache: CacheDb, inboxId: string, userId: string): void {
  if (!cache.db.prepare('SELECT 1 FROM inbox_members WHERE inbox_id = ? AND user_id = ?').get(inboxId, userId)) {
    throw new IpcFailure('not_found', 'That person does not work this queue.');
  }
}

export function queueSupervisorIpcHandlers(deps: QueueSupervisorDeps): Pick<IpcHandlers, Methods> {
  const now = deps.now ?? Date.now;
  return {
    'queues.overview': () => {
      const { cache, user } = deps.session();
      requireSupervisor(user, 'watch');
      return queueOverview(cache, now(), historyOf(cache));
    },

    'actions.logOutAgent': ({ inboxId, userId }) => {
      const { cache, user } = deps.session();
      requireSupervisor(user, 'logOut');
      requireQueue(cache, inboxId);
      requireQueueMember(cache, inboxId, userId);
      deps.enqueue({ name: 'queue.logout', args: { inboxIds: [inboxId], userId } });
      return DONE;
    },

    'actions.setCapacity': ({ inboxId, userId, capacity }) => {
      const { cache, user } = deps.session();
      requireSupervisor(user, 'capacity');
      requireQueue(cache, inboxId);
      if (userId === null && capacity === null) throw new IpcFailure('invalid', 'A queue always has a default capacity: enter a number from 1 to 50.');
      if (userId !== null) requireQueueMember(cache, inboxId, userId);
      deps.enqueue({ name: 'queue.setCapacity', args: { inboxId, userId, capacity } });
      return DONE;
    },
  };
}
