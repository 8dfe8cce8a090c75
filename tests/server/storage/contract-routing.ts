import { expect, it } from 'vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import { recordId } from '../../../protocol/scope.ts';
import { conversation, message, read, seed, user, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

const routing = (waitingSince: number | null, offerTo: string | null = null, passedBy?: string[]): NonNullable<EntityOf<'conversation'>['routing']> => ({
  waitingSince,
  firstQueuedAt: waitingSince ?? 0,
  offer: offerTo ? { userId: offerTo, offeredAt: 1, expiresAt: 2 } : null,
  assignedAt: null,
  firstResponseAt: null,
  handledBy: [],
  inProgressWhenLoggedOut: false,
  ...(passedBy ? { passedBy } : {}),
});

const agent = (userId: string, over: Partial<EntityOf<'queueAgent'>> = {}): EntityOf<'queueAgent'> => ({
  id: recordId.queueAgent('inbox_1', userId),
  inboxId: 'inbox_1',
  userId,
  loggedIn: true,
  connected: true,
  capacity: null,
  since: 1,
  loggedOutReason: null,
  missedOffers: 0,
  lastRoutedAt: null,
  lastActivityAt: null,
  ...over,
});

/** Contact Center routing (issue 10): org records from columns, the routing reads, durable timers, presence. */
export function routingContract(ctx: ContractContext): void {
  it('reads the org record from the orgs columns and writes it back to them', async () => {
    const s = ctx.storage();
    await write(s, seed);
    expect(await read(s, (tx) => tx.get('org', 'org_1'))).toEqual({ id: 'org_1', name: 'Org', edition: 'customer_engagement', softphoneUrlTemplate: null });
    await write(s, (tx) => tx.put('org', { id: 'org_1', name: 'Org', edition: 'contact_center', softphoneUrlTemplate: 'https://phone.test/call?to={number}' }));
    expect(await read(s, (tx) => tx.orgEdition('org_1'))).toBe('contact_center');
    expect((await read(s, (tx) => tx.list('org', { id: 'org_1' }, '', 10)))[0]?.softphoneUrlTemplate).toBe('https://phone.test/call?to={number}');
    await write(s, (tx) => tx.putOrg({ id: 'org_2', name: 'Second' }));
    expect(await read(s, (tx) => tx.listOrgIds())).toEqual(['org_1', 'org_2']);
  });

  it('routes the oldest waiting, not offered conversation to the agent with room idle longest', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('user', user('user_c'));
      await tx.put('inboxMember', { id: 'inbox_1:user_c', inboxId: 'inbox_1', userId: 'user_c' });
      await tx.put('conversation', conversation('conv_1', { routing: routing(300) }));
      await tx.put('conversation', conversation('conv_2', { routing: routing(100, 'user_b') }));
      await tx.put('conversation', conversation('conv_3', { routing: routing(200) }));
      await tx.put('conversation', conversation('conv_4', { assigneeId: 'user_a', routing: routing(50) }));
      await tx.put('conversation', conversation('conv_5', { status: 'closed', assigneeId: 'user_b', routing: routing(null) }));
      await tx.put('queueAgent', agent('user_a', { lastRoutedAt: 10 }));
      await tx.put('queueAgent', agent('user_b', { lastRoutedAt: 20, capacity: 1 }));
      await tx.put('queueAgent', agent('user_c', { connected: false }));
    });
    const next = (capacity: number) => read(s, async (tx) => {
      const route = await tx.nextRoute('inbox_1', capacity);
      return route && [route.conversation.id, route.userId];
    });
    expect(await read(s, (tx) => tx.agentLoads('inbox_1'))).toEqual([{ userId: 'user_a', load: 1 }, { userId: 'user_b', load: 1 }]);
    // user_c is disconnected, user_b full (an offer counts), so user_a, idle longest of the rest; conv_2 is offered.
    expect(await next(1)).toBeNull();
    expect(await next(2)).toEqual(['conv_3', 'user_a']);
    await write(s, (tx) => tx.put('queueAgent', agent('user_c', { connected: true })));
    expect(await next(2)).toEqual(['conv_3', 'user_c']); // never routed to: first
    expect((await read(s, (tx) => tx.openConversationsOfAgent('inbox_1', 'user_b'))).map((c) => c.id)).toEqual(['conv_2']);
    expect((await read(s, (tx) => tx.queueAgentsOfUser('user_c'))).map((a) => a.id)).toEqual(['inbox_1:user_c']);
  });

  it('never routes a conversation to an agent who passed it: FIFO among what each agent has not passed', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('user', user('user_c'));
      await tx.put('inboxMember', { id: 'inbox_1:user_c', inboxId: 'inbox_1', userId: 'user_c' });
      await tx.put('conversation', conversation('conv_1', { routing: routing(100, null, ['user_a', 'user_c']) }));
      await tx.put('conversation', conversation('conv_2', { routing: routing(200, null, ['user_a']) }));
      await tx.put('conversation', conversation('conv_3', { routing: routing(300) }));
      await tx.put('queueAgent', agent('user_a', { lastRoutedAt: 10 }));
      await tx.put('queueAgent', agent('user_b', { lastRoutedAt: 20, loggedIn: false }));
      await tx.put('queueAgent', agent('user_c', { lastRoutedAt: 30 }));
    });
    const next = () => read(s, async (tx) => {
      const route = await tx.nextRoute('inbox_1', 1);
      return route && [route.conversation.id, route.userId];
    });
    // conv_1: both agents with room passed it; conv_2: user_a passed it, user_c (routed to later) has not.
    expect(await next()).toEqual(['conv_2', 'user_c']);
    await write(s, (tx) => tx.put('conversation', conversation('conv_2', { assigneeId: 'user_c', routing: routing(200) })));
    expect(await next()).toEqual(['conv_3', 'user_a']);
    await write(s, (tx) => tx.put('conversation', conversation('conv_3', { routing: routing(300, null, ['user_a']) })));
    expect(await next()).toBeNull(); // only passers have room: it waits
    await write(s, (tx) => tx.put('queueAgent', agent('user_b', { lastRoutedAt: 20 })));
    expect(await next()).toEqual(['conv_1', 'user_b']); // someone new: the oldest first
  });

  it('finds the newest reply a person wrote', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('message', message('m1', { createdAt: 10 }));
      await tx.put('message', message('m2', { createdAt: 30, authorType: 'system', authorId: null }));
      await tx.put('message', message('m3', { createdAt: 40, direction: 'in', authorType: 'contact', authorId: null }));
    });
    expect(await read(s, (tx) => tx.lastAgentReplyAt('conv_1'))).toBe(10);
  });

  it('keeps durable timers: moved by a second put, claimed earliest first when due, gone once deleted', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.putTimer('routing.offer', 'conv_b', 500, 1);
      await tx.putTimer('routing.offer', 'conv_a', 300, 1);
      await tx.putTimer('routing.grace', 'inbox_1:user_a', 900, 1);
      await tx.putTimer('routing.offer', 'conv_b', 200, 2);
    });
    expect(await read(s, (tx) => tx.nextTimerAt())).toBe(200);
    expect(await write(s, (tx) => tx.claimDueTimer(100))).toBeNull();
    expect(await write(s, (tx) => tx.claimDueTimer(1000))).toEqual({ kind: 'routing.offer', key: 'conv_b', dueAt: 200 });
    await write(s, (tx) => tx.deleteTimer('routing.offer', 'conv_b'));
    expect(await write(s, (tx) => tx.claimDueTimer(1000))).toEqual({ kind: 'routing.offer', key: 'conv_a', dueAt: 300 });
  });

  it('counts sockets per person and instance; a lease that ran out is expired and reported', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.presenceOpened('user_a', 'inst_1', 100);
      await tx.presenceOpened('user_a', 'inst_1', 100);
      await tx.presenceOpened('user_a', 'inst_2', 100);
      await tx.presenceOpened('user_b', 'inst_2', 100);
    });
    await write(s, (tx) => tx.presenceClosed('user_a', 'inst_1'));
    await write(s, (tx) => tx.presenceClosed('user_a', 'inst_2'));
    expect(await read(s, (tx) => tx.userConnected('user_a', 50))).toBe(true); // one socket left on inst_1
    await write(s, (tx) => tx.presenceClosed('user_a', 'inst_1'));
    expect(await read(s, (tx) => tx.userConnected('user_a', 50))).toBe(false);
    await write(s, (tx) => tx.renewPresence('inst_2', 500));
    expect(await read(s, (tx) => tx.userConnected('user_b', 200))).toBe(true);
    await write(s, (tx) => tx.presenceOpened('user_a', 'inst_3', 100));
    expect(await write(s, (tx) => tx.expirePresence(200))).toEqual(['user_a']);
    expect(await read(s, (tx) => tx.userConnected('user_a', 0))).toBe(false);
  });
}
