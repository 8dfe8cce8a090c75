import { expect } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS, type EntityOf, type Role, type RoutingMode } from '../../../protocol/domain.ts';
import type { Mutation, MutationResult } from '../../../protocol/mutations.ts';
import { recordId } from '../../../protocol/scope.ts';
import { putRecord, scopeOf } from '../../../server/domain/change-log.ts';
import { Domain } from '../../../server/domain/domain.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage, StorageTx } from '../../../server/storage/storage.ts';
import { uniqueSchema } from '../support/postgres.ts';

/**
 * A small Contact Center for routing tests, written straight into storage (no demo seed): one org, one inbox
 * queue with an sms channel, AGENTS agents and a supervisor, all members. Time is a shared, injected clock.
 */
export const ORG = 'org_rt';
export const QUEUE = 'queue_rt';
export const CHANNEL = 'ch_rt_sms';
export const SUPERVISOR = 'user_sup';
export const AGENTS = ['user_a1', 'user_a2', 'user_a3', 'user_a4'] as const;

export class Clock {
  constructor(public now = 1_800_000_000_000) {}
  readonly read = (): number => this.now;
}

export async function seedQueue(tx: StorageTx, mode: RoutingMode, defaultCapacity = 2): Promise<void> {
  await tx.putOrg({ id: ORG, name: 'Routing test' });
  await tx.setOrgEdition(ORG, 'contact_center');
  const inbox: EntityOf<'inbox'> = {
    id: QUEUE, orgId: ORG, name: 'Queue', kind: 'queue', assignmentMode: true,
    queue: { ...DEFAULT_QUEUE_SETTINGS, mode, defaultCapacity, offerTimeoutMs: 30_000, disconnectGraceMs: 60_000 },
  };
  await putRecord(tx, scopeOf.inbox(inbox), 'inbox', inbox);
  const channel: EntityOf<'channel'> = { id: CHANNEL, inboxId: QUEUE, kind: 'sms', name: 'Queue SMS', address: '+14155550100', registration: 'approved' };
  await putRecord(tx, scopeOf.channel(channel), 'channel', channel);
  const people: Array<[string, Role]> = [[SUPERVISOR, 'supervisor'], ...AGENTS.map((a): [string, Role] => [a, 'agent'])];
  for (const [id, role] of people) {
    const user: EntityOf<'user'> = { id, orgId: ORG, name: id, email: `${id}@rt.test`, role, status: 'active', avatarColor: '#333' };
    await putRecord(tx, scopeOf.user(user), 'user', user);
    const member: EntityOf<'inboxMember'> = { id: recordId.inboxMember(QUEUE, id), inboxId: QUEUE, userId: id };
    await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
  }
}

/** One server instance: a Domain on the storage, with the shared clock. */
export class Instance {
  private nextId = 1;
  private constructor(readonly domain: Domain, readonly name: string) {}

  static async open(storage: Storage, clock: Clock, name: string): Promise<Instance> {
    const domain = await Domain.open({ storage, clock: clock.read, routing: { instanceId: `inst_${name}`, presenceLeaseMs: 3_600_000 } });
    return new Instance(domain, name);
  }

  async user(id: string): Promise<EntityOf<'user'>> {
    const u = await this.domain.user(id);
    if (!u) throw new Error(`no user ${id}`);
    return u;
  }

  async apply(userId: string, mutation: Mutation): Promise<MutationResult> {
    return (await this.domain.applyMutation(await this.user(userId), `client_${this.name}_${userId}`, this.nextId++, mutation)).result;
  }

  async close(): Promise<void> {
    await this.domain.routing.stop();
    this.domain.close();
  }
}

/** Each agent connects (presence settles) and logs in to the queue. */
export async function loginToQueue(instance: Instance, ...agents: string[]): Promise<void> {
  for (const agent of agents) {
    instance.domain.routing.presence.opened(agent);
    await instance.domain.routing.settled();
    expect(await instance.apply(agent, { name: 'queue.login', args: { inboxIds: [QUEUE] } })).toEqual({ ok: true });
  }
}

/** One instance on a seeded in-memory SQLite queue, with the steps most routing tests take on it. */
export class SqliteQueue {
  private constructor(readonly storage: Storage, readonly clock: Clock, readonly server: Instance, private readonly phoneBase: number) {}

  /** phoneBase: customers write from +1415555<phoneBase + n>. */
  static async open(mode: RoutingMode, capacity = 2, phoneBase = 4000): Promise<SqliteQueue> {
    const storage = openSqliteStorage({ file: ':memory:' });
    const clock = new Clock();
    await storage.transaction((tx) => seedQueue(tx, mode, capacity));
    return new SqliteQueue(storage, clock, await Instance.open(storage, clock, 'a'), phoneBase);
  }

  online(...agents: string[]): Promise<void> {
    return loginToQueue(this.server, ...agents);
  }

  /** Customer n writes, one millisecond after the last event; returns the conversation's id. */
  async arrive(n: number): Promise<string> {
    this.clock.now += 1;
    return (await this.server.domain.receiveInbound({ channelId: CHANNEL, from: `+1415555${this.phoneBase + n}`, body: 'Hello' })).conversationId;
  }

  conv(id: string): Promise<EntityOf<'conversation'> | null> {
    return this.storage.transaction((tx) => tx.get('conversation', id), { kind: 'read' });
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.storage.close();
  }
}

export interface TwoInstances {
  a: Storage;
  b: Storage;
  clock: Clock;
  one: Instance;
  two: Instance;
}

/**
 * Two server instances on one fresh schema of a PostgreSQL database (two pools, two Domains, no shared memory),
 * seeded through the first; everything is closed after `run`, whatever it threw.
 */
export async function withTwoInstancesOnPostgres(
  url: string,
  seed: { mode: RoutingMode; capacity?: number; poolSize: number },
  run: (world: TwoInstances) => Promise<void>,
): Promise<void> {
  const schema = uniqueSchema();
  const a = await openPostgresStorage({ url, schema, poolSize: seed.poolSize });
  const b = await openPostgresStorage({ url, schema, poolSize: seed.poolSize });
  const clock = new Clock();
  await a.transaction((tx) => seedQueue(tx, seed.mode, seed.capacity));
  const one = await Instance.open(a, clock, 'a');
  const two = await Instance.open(b, clock, 'b');
  try {
    await run({ a, b, clock, one, two });
  } finally {
    await one.close();
    await two.close();
    await a.close();
    await b.close();
  }
}

/** What the invariants look at, read in one transaction. */
export interface QueueState {
  conversations: EntityOf<'conversation'>[];
  agents: Map<string, EntityOf<'queueAgent'>>;
  defaultCapacity: number;
}

export async function readState(storage: Storage): Promise<QueueState> {
  return storage.transaction(async (tx) => {
    const conversations: EntityOf<'conversation'>[] = [];
    for (let after = ''; ; ) {
      const page = await tx.list('conversation', { inboxId: QUEUE }, after, 500);
      conversations.push(...page);
      if (page.length < 500) break;
      after = page[page.length - 1]!.id;
    }
    const agents = new Map((await tx.list('queueAgent', { inboxId: QUEUE }, '', 500)).map((a) => [a.userId, a]));
    const inbox = await tx.get('inbox', QUEUE);
    return { conversations, agents, defaultCapacity: inbox?.queue?.defaultCapacity ?? DEFAULT_QUEUE_SETTINGS.defaultCapacity };
  }, { kind: 'read' });
}
