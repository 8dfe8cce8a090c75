import type { User } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { isOfferedTo, memberQueueIds, myOffers, myQueues, orgView } from './queries/contact-center.ts';
import { routingDetails } from './queries/routing-details.ts';

/**
 * IPC handlers of the agent's Contact Center desktop (issue 10 §3): queue status (7), offers, conversation
 * details. Logging in or out and answering an offer go through the outbox like any action (offline they wait,
 * pending), and are refused here early with the words the server would use.
 */

export interface QueueActionDeps {
  session(): { cache: CacheDb; user: User };
  enqueue(mutation: Mutation): void;
  now?: () => number;
}

type QueueMethods =
  | 'org.get'
  | 'queues.mine'
  | 'actions.queueLogin'
  | 'actions.queueLogout'
  | 'offers.mine'
  | 'actions.acceptOffer'
  | 'actions.declineOffer'
  | 'conversations.routingDetails';

const DONE = {} as Record<string, never>;

export function queueIpcHandlers(deps: QueueActionDeps): Pick<IpcHandlers, QueueMethods> {
  const now = deps.now ?? Date.now;
  const myQueueIds = (inboxIds: readonly string[]): string[] => {
    const s = deps.session();
    if (!permissions.routeSelf(s.user.role)) throw new IpcFailure('forbidden', 'You cannot log in to inbox queues.');
    const mine = memberQueueIds(s.cache, s.user.id, inboxIds);
    if (mine.length !== new Set(inboxIds).size) throw new IpcFailure('not_found', 'You are not a member of that inbox queue.');
    return mine;
  };
  const offered = (conversationId: string): void => {
    const s = deps.session();
    if (!isOfferedTo(s.cache, conversationId, s.user.id)) throw new IpcFailure('not_found', 'This conversation is no longer offered to you.');
  };
  return {
    'org.get': () => {
      const s = deps.session();
      return orgView(s.cache, s.user.orgId);
    },
    'queues.mine': () => {
      const s = deps.session();
      return myQueues(s.cache, s.user.id, s.user.orgId);
    },
    'actions.queueLogin': ({ inboxIds }) => {
      deps.enqueue({ name: 'queue.login', args: { inboxIds: myQueueIds(inboxIds) } });
      return DONE;
    },
    'actions.queueLogout': ({ inboxIds }) => {
      deps.enqueue({ name: 'queue.logout', args: { inboxIds: myQueueIds(inboxIds) } });
      return DONE;
    },
    'offers.mine': () => {
      const s = deps.session();
      return myOffers(s.cache, s.user.id, now());
    },
    'actions.acceptOffer': ({ conversationId }) => {
      offered(conversationId);
      deps.enqueue({ name: 'offer.accept', args: { conversationId } });
      return DONE;
    },
    'actions.declineOffer': ({ conversationId }) => {
      offered(conversationId);
      deps.enqueue({ name: 'offer.decline', args: { conversationId } });
      return DONE;
    },
    'conversations.routingDetails': ({ conversationId }) => routingDetails(deps.session().cache, conversationId),
  };
}
