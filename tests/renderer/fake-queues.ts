import type { IpcInput, IpcOutput } from '../../protocol/ipc.ts';

type QueueMethods = 'queues.overview' | 'actions.logOutAgent' | 'actions.setCapacity';

/** The fake API's Queues view: a Customer Engagement workspace has no queues (the real one is tested end to end). */
export function fakeQueueHandlers(): { [M in QueueMethods]: (input: IpcInput<M>) => IpcOutput<M> } {
  return {
    'queues.overview': () => ({ computedAt: Date.now(), dayStart: new Date().setHours(0, 0, 0, 0), queues: [] }),
    'actions.logOutAgent': () => {
      throw Object.assign(new Error('That queue is not one of yours.'), { code: 'not_found' });
    },
    'actions.setCapacity': () => {
      throw Object.assign(new Error('That queue is not one of yours.'), { code: 'not_found' });
    },
  };
}
