import { DEFAULT_QUEUE_SETTINGS, type EntityOf } from '../../../protocol/domain.ts';
import { permissions } from '../../../protocol/permissions.ts';
import type { StorageTx } from '../../storage/storage.ts';
import { reject } from '../errors.ts';

/** The fields that make a new inbox an inbox queue (inbox.create with kind 'queue'), or a refusal. */
export async function newQueue(tx: StorageTx, actor: EntityOf<'user'>): Promise<Pick<EntityOf<'inbox'>, 'kind' | 'queue' | 'assignmentMode'>> {
  if (!permissions.configureQueues(actor.role)) return reject('forbidden', 'Only managers and admins can create inbox queues.');
  if (!permissions.queuesInEdition(await tx.orgEdition(actor.orgId))) return reject('invalid', 'Inbox queues exist only in Contact Center organisations.');
  // Routing assigns: a queue without assignment would have nothing to route.
  return { kind: 'queue', queue: { ...DEFAULT_QUEUE_SETTINGS }, assignmentMode: true };
}
