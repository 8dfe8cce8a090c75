import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordId, scope } from '../../../protocol/scope.ts';
import { AGENTS, ORG, QUEUE, SqliteQueue, SUPERVISOR } from './routing-world.ts';

const [A1, A2] = AGENTS as unknown as [string, string];
let world: SqliteQueue;

beforeEach(async () => {
  world = await SqliteQueue.open('assign');
});
afterEach(() => world.close());

const agent = (userId: string) => world.storage.transaction((tx) => tx.get('queueAgent', recordId.queueAgent(QUEUE, userId)), { kind: 'read' });

describe('routing rules', () => {
  it('logging out returns unanswered conversations with their place in line and keeps those in progress, flagged', async () => {
    await world.online(A1);
    const first = await world.arrive(1);
    const second = await world.arrive(2);
    const waitedSince = (await world.conv(first))?.routing?.waitingSince;
    expect((await world.conv(first))?.assigneeId).toBe(A1);
    world.clock.now += 1;
    expect(await world.server.apply(A1, { name: 'message.send', args: { conversationId: second, messageId: 'reply_1', body: 'On it', attachments: [] } })).toEqual({ ok: true });
    expect((await world.conv(second))?.routing?.firstResponseAt).toBe(world.clock.now);
    expect(await world.server.apply(A2, { name: 'queue.logout', args: { inboxIds: [QUEUE], userId: A1 } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await world.server.apply(SUPERVISOR, { name: 'queue.logout', args: { inboxIds: [QUEUE], userId: A1 } })).toEqual({ ok: true });
    expect(await agent(A1)).toMatchObject({ loggedIn: false, loggedOutReason: 'supervisor' });
    expect(await world.conv(first)).toMatchObject({ assigneeId: null, routing: { waitingSince: waitedSince } });
    expect(await world.conv(second)).toMatchObject({ assigneeId: A1, routing: { inProgressWhenLoggedOut: true } });
    // The returned one goes on to the next agent at once, keeping its original waiting time.
    await world.online(A2);
    expect(await world.conv(first)).toMatchObject({ assigneeId: A2, routing: { waitingSince: waitedSince, handledBy: [A1, A2] } });
  });

  it('leaving the queue logs a person out of its routing: nothing more is routed to them', async () => {
    await world.online(A1);
    const first = await world.arrive(1);
    expect(await world.server.apply(SUPERVISOR, { name: 'inbox.setMember', args: { inboxId: QUEUE, userId: A1, member: false } })).toEqual({ ok: true });
    expect(await agent(A1)).toMatchObject({ loggedIn: false, loggedOutReason: 'supervisor' });
    expect((await world.conv(first))?.assigneeId).toBeNull();
    expect((await world.conv(await world.arrive(2)))?.assigneeId).toBeNull();
  });

  it('a hand assignment counts against capacity; closing frees the slot and the oldest waiting conversation fills it', async () => {
    await world.server.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: A1, capacity: 1 } });
    const first = await world.arrive(1);
    await world.server.apply(SUPERVISOR, { name: 'conversation.assign', args: { conversationId: first, assigneeId: A1 } });
    await world.online(A1);
    const second = await world.arrive(2);
    const third = await world.arrive(3);
    expect((await world.conv(second))?.assigneeId).toBeNull();
    expect(await world.server.apply(A1, { name: 'conversation.setStatus', args: { conversationId: first, status: 'closed' } })).toEqual({ ok: true });
    expect((await world.conv(second))?.assigneeId).toBe(A1);
    expect((await world.conv(third))?.assigneeId).toBeNull();
  });

  it('offers: only the offered agent may accept or decline; a decline passes it to the next agent', async () => {
    await world.close();
    world = await SqliteQueue.open('offer');
    await world.online(A1, A2);
    const id = await world.arrive(1);
    const offeredTo = (await world.conv(id))?.routing?.offer?.userId;
    const other = offeredTo === A1 ? A2 : A1;
    expect(await world.server.apply(other, { name: 'offer.accept', args: { conversationId: id } })).toMatchObject({ ok: false, code: 'conflict' });
    expect(await world.server.apply(offeredTo!, { name: 'offer.decline', args: { conversationId: id } })).toEqual({ ok: true });
    expect((await world.conv(id))?.routing?.offer?.userId).toBe(other);
    expect(await world.server.apply(other, { name: 'offer.accept', args: { conversationId: id } })).toEqual({ ok: true });
    expect(await world.conv(id)).toMatchObject({ assigneeId: other, routing: { offer: null, handledBy: [other] } });
    const offeredNotices = await world.storage.transaction((tx) => tx.list('notice', { userId: other }, '', 10), { kind: 'read' });
    expect(offeredNotices.map((n) => n.kind)).toContain('offered');
  });

  it('queue settings are for managers and admins; capacities for supervisors too', async () => {
    expect(await world.server.apply(SUPERVISOR, { name: 'queue.settings', args: { inboxId: QUEUE, settings: { mode: 'offer' } } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await world.server.apply(A1, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: null, capacity: 5 } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await world.server.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: null, capacity: 5 } })).toEqual({ ok: true });
    expect((await world.storage.transaction((tx) => tx.get('inbox', QUEUE), { kind: 'read' }))?.queue?.defaultCapacity).toBe(5);
    expect(await world.server.apply(A1, { name: 'queue.login', args: { inboxIds: ['inbox_nope'] } })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('a manager of a Contact Center organisation creates an inbox queue with the default settings; an agent cannot', async () => {
    const create = { name: 'inbox.create' as const, args: { inboxId: 'queue_new', name: 'New queue', assignmentMode: false, kind: 'queue' as const } };
    expect(await world.server.apply(A1, create)).toMatchObject({ ok: false, code: 'forbidden' });
    await world.storage.transaction(async (tx) => tx.put('user', { ...(await tx.get('user', SUPERVISOR))!, role: 'manager' }));
    expect(await world.server.apply(SUPERVISOR, create)).toEqual({ ok: true });
    expect(await world.storage.transaction((tx) => tx.get('inbox', 'queue_new'), { kind: 'read' })).toMatchObject({ kind: 'queue', assignmentMode: true, queue: { mode: 'assign', defaultCapacity: 3 } });
    await world.storage.transaction((tx) => tx.setOrgEdition(ORG, 'customer_engagement'));
    expect(await world.server.apply(SUPERVISOR, { ...create, args: { ...create.args, inboxId: 'queue_ce' } })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('writes the org record to the org scope at open (once per database)', async () => {
    const entries = await world.storage.transaction((tx) => tx.readChanges(0, [scope.org(ORG)], 100), { kind: 'read' });
    // seedQueue ran before the domain opened: the backfill published it.
    expect(entries.filter((e) => e.entity === 'org')).toEqual([expect.objectContaining({ op: 'put', record: expect.objectContaining({ id: ORG, edition: 'contact_center' }) })]);
  });
});

describe('large routing passes', () => {
  it('a pass stops after 200 decisions and leaves a timer due at once, which routes the rest', async () => {
    const extra = ['user_a5', 'user_a6'];
    await world.storage.transaction(async (tx) => {
      for (const id of extra) {
        await tx.put('user', { id, orgId: ORG, name: id, email: `${id}@rt.test`, role: 'agent', status: 'active', avatarColor: '#333' });
        await tx.put('inboxMember', { id: recordId.inboxMember(QUEUE, id), inboxId: QUEUE, userId: id });
      }
    });
    await world.server.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: null, capacity: 1 } });
    for (let i = 0; i < 250; i++) await world.arrive(i);
    await world.online(...AGENTS, ...extra);
    const assigned = async () => (await world.storage.transaction((tx) => tx.list('conversation', { inboxId: QUEUE }, '', 1000), { kind: 'read' })).filter((c) => c.assigneeId).length;
    expect(await assigned()).toBe(6);
    await world.server.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: null, capacity: 50 } });
    expect(await assigned()).toBe(206);
    expect(await world.server.domain.routing.runDueTimers()).toBe(1);
    expect(await assigned()).toBe(250);
  });
});
