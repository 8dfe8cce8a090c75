import type { MutationArgs } from '../../../protocol/mutations.ts';
import { reject } from '../errors.ts';
import type { MutationContext } from '../mutation-handlers.ts';

type RoutingMutation = 'queue.login' | 'queue.logout' | 'queue.setCapacity' | 'queue.settings' | 'offer.accept' | 'offer.decline';
type RoutingHandlers = { [N in RoutingMutation]: (ctx: MutationContext, args: MutationArgs<N>) => Promise<void> };

const notYet = async (): Promise<void> => reject('invalid', 'Routing is not available on this server yet.');

/** The routing mutations (issue 10). Placeholder until the routing engine lands on this branch. */
export const routingHandlers: RoutingHandlers = {
  'queue.login': notYet,
  'queue.logout': notYet,
  'queue.setCapacity': notYet,
  'queue.settings': notYet,
  'offer.accept': notYet,
  'offer.decline': notYet,
};
