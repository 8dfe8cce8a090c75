import fc from 'fast-check';
import { isWaiting, loadHolder, routableSince, type EntityOf } from '../../../protocol/domain.ts';
import { AGENTS, CHANNEL, Clock, readState, SUPERVISOR, type Instance, type QueueState } from './routing-world.ts';

/** Histories of what happens to a queue; indices are resolved against the state when each event runs. */
export type RoutingEvent =
  | { k: 'arrive'; customer: number }
  | { k: 'connect' | 'disconnect' | 'login'; agent: number }
  | { k: 'logout'; agent: number; bySupervisor: boolean }
  | { k: 'close' | 'reopen' | 'reply' | 'accept' | 'decline' | 'unassign'; pick: number }
  | { k: 'handAssign'; pick: number; agent: number }
  | { k: 'capacity'; agent: number | null; capacity: number }
  | { k: 'tick'; ms: number };

const agent = fc.nat(AGENTS.length - 1);
const pick = fc.nat(20);
export const routingEvent: fc.Arbitrary<RoutingEvent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('arrive' as const), customer: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('connect' as const, 'login' as const), agent }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('disconnect' as const), agent }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('logout' as const), agent, bySupervisor: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('close' as const, 'reply' as const, 'accept' as const, 'decline' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('unassign' as const, 'reopen' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('handAssign' as const), pick, agent }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('capacity' as const), agent: fc.option(agent, { nil: null }), capacity: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 31_000, 61_000) }) },
);

type Conversation = EntityOf<'conversation'>;
const byId = (a: Conversation, b: Conversation) => (a.id < b.id ? -1 : 1);
const at = <T>(items: readonly T[], i: number): T | undefined => (items.length ? items[i % items.length] : undefined);

/** Sockets this test opened per (instance, agent), so a disconnect closes one that is open. */
export type Sockets = Map<string, number>;

/**
 * Runs one event on an instance. Returns the conversations a person (not routing) gave to someone in it (hand
 * assignments, accepted offers): the invariants judge routing's choices only.
 */
export async function runEvent(event: RoutingEvent, on: Instance, state: QueueState, clock: Clock, sockets: Sockets): Promise<Set<string>> {
  const people = new Set<string>();
  const open = state.conversations.filter((c) => c.status === 'open').sort(byId);
  const agentId = 'agent' in event && event.agent !== null ? AGENTS[event.agent]! : SUPERVISOR;
  const socketKey = `${on.name}:${agentId}`;
  switch (event.k) {
    case 'arrive':
      await on.domain.receiveInbound({ channelId: CHANNEL, from: `+1415555${1000 + event.customer}`, body: 'Hello' });
      break;
    case 'connect':
      sockets.set(socketKey, (sockets.get(socketKey) ?? 0) + 1);
      on.domain.routing.presence.opened(agentId);
      await on.domain.routing.settled();
      break;
    case 'disconnect':
      if (!sockets.get(socketKey)) break;
      sockets.set(socketKey, sockets.get(socketKey)! - 1);
      on.domain.routing.presence.closed(agentId);
      await on.domain.routing.settled();
      break;
    case 'login':
      await on.apply(agentId, { name: 'queue.login', args: { inboxIds: ['queue_rt'] } });
      break;
    case 'logout':
      await on.apply(event.bySupervisor ? SUPERVISOR : agentId, { name: 'queue.logout', args: { inboxIds: ['queue_rt'], userId: agentId } });
      break;
    case 'close': {
      const c = at(open, event.pick);
      if (c) await on.apply(c.assigneeId ?? SUPERVISOR, { name: 'conversation.setStatus', args: { conversationId: c.id, status: 'closed' } });
      break;
    }
    case 'reopen': {
      // An agent reopening a closed conversation keeps it if it was theirs (it counts against their capacity).
      const c = at(state.conversations.filter((x) => x.status === 'closed').sort(byId), event.pick);
      if (c) await on.apply(c.assigneeId ?? SUPERVISOR, { name: 'conversation.setStatus', args: { conversationId: c.id, status: 'open' } });
      if (c?.assigneeId) people.add(c.id);
      break;
    }
    case 'reply': {
      const c = at(open.filter((x) => x.assigneeId), event.pick);
      if (c) await on.apply(c.assigneeId!, { name: 'message.send', args: { conversationId: c.id, messageId: `m_${clock.now}_${event.pick}`, body: 'On it', attachments: [] } });
      break;
    }
    case 'accept':
    case 'decline': {
      const c = at(open.filter((x) => x.routing?.offer), event.pick);
      if (!c) break;
      if (event.k === 'accept') people.add(c.id);
      await on.apply(c.routing!.offer!.userId, { name: event.k === 'accept' ? 'offer.accept' : 'offer.decline', args: { conversationId: c.id } });
      break;
    }
    case 'unassign':
    case 'handAssign': {
      const c = at(open, event.pick);
      if (!c) break;
      const assigneeId = event.k === 'handAssign' ? AGENTS[event.agent]! : null;
      people.add(c.id);
      await on.apply(SUPERVISOR, { name: 'conversation.assign', args: { conversationId: c.id, assigneeId } });
      break;
    }
    case 'capacity':
      await on.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: 'queue_rt', userId: event.agent === null ? null : agentId, capacity: event.capacity } });
      break;
    case 'tick':
      clock.now += event.ms;
      await on.domain.routing.runDueTimers();
      break;
  }
  return people;
}

/** FIFO order: waiting since, then id (as the routing query orders). */
const key = (c: Conversation): [number, string] => [c.routing?.waitingSince ?? Number.POSITIVE_INFINITY, c.id];
const before = (a: Conversation, b: Conversation): boolean => {
  const [ta, ia] = key(a);
  const [tb, ib] = key(b);
  return ta < tb || (ta === tb && ia < ib);
};

export interface CheckOptions {
  /** Events ran concurrently (two instances): judge eligibility and FIFO only where the interleaving cannot blur them. */
  concurrent: boolean;
  /** The step moved the clock past the offer timeout: every pass made before it has expired (passes timers). */
  passesExpired?: boolean;
}

/** Moves the clock at least one offer timeout (the world's queue: 30 s): passes made before it expire. */
export const expiresPasses = (...events: Array<RoutingEvent | null>): boolean => events.some((e) => e?.k === 'tick' && e.ms >= 30_000);

/** Who passed it in this waiting spell (declined or let the offer time out). */
const passedBy = (c: Conversation | undefined): readonly string[] => c?.routing?.passedBy ?? [];

/** The four properties of issue 10 §2 (with passes: see server/domain/routing/passes.ts) and never stranded, judged on the change from `s` to `t`. Returns what is wrong (empty = fine). */
export function checkRouting(s: QueueState, t: QueueState, byPeople: Set<string>, options: CheckOptions): string[] {
  const problems: string[] = [];
  // A routing decision changes who holds it or when they got it (a decline offered straight back to the decliner
  // keeps the holder but not offeredAt).
  const decision = (c: Conversation) => `${loadHolder(c)}@${c.routing?.offer?.offeredAt ?? c.routing?.assignedAt ?? ''}`;
  const decisionBefore = new Map(s.conversations.map((c) => [c.id, decision(c)]));
  const load = new Map<string, number>();
  for (const c of t.conversations) {
    const h = loadHolder(c);
    if (h) load.set(h, (load.get(h) ?? 0) + 1);
    if (c.assigneeId && c.routing?.offer) problems.push(`${c.id} is assigned and offered at once`);
  }
  const capacity = (st: QueueState, userId: string) => st.agents.get(userId)?.capacity ?? st.defaultCapacity;
  const eligible = (userId: string) => Boolean(t.agents.get(userId)?.loggedIn && t.agents.get(userId)?.connected);
  const routedNow = t.conversations.filter((c) => {
    const h = loadHolder(c);
    return h !== null && decision(c) !== decisionBefore.get(c.id) && !byPeople.has(c.id);
  });
  const sById = new Map(s.conversations.map((c) => [c.id, c]));
  const routableBefore = new Set(s.conversations.filter((c) => routableSince(c) !== null).map((c) => c.id));
  for (const c of routedNow) {
    const to = loadHolder(c)!;
    const agent = t.agents.get(to);
    // 1. every assignment (or offer) goes to an eligible agent: logged in, connected, and not one who passed it
    // in this waiting spell (an offer keeps the list; an assignment clears it, so judge those by the list before,
    // unless a passes timer cleared it in this step)
    if (!agent?.loggedIn || (!options.concurrent && !agent.connected)) problems.push(`${c.id} went to ${to}, who is not logged in and connected`);
    const passers = c.assigneeId ? (options.passesExpired ? [] : passedBy(sById.get(c.id))) : passedBy(c);
    if (passers.includes(to)) problems.push(`${c.id} went to ${to}, who passed it in this waiting spell`);
    // 3. no agent over capacity (through routing). A hand assignment may go over it; one running at the same time
    // as routing's choice may have committed after it, so concurrent steps judge the load without those.
    const cap = Math.max(capacity(t, to), capacity(s, to));
    const held = options.concurrent ? t.conversations.filter((x) => loadHolder(x) === to && !byPeople.has(x.id)).length : (load.get(to) ?? 0);
    if (held > cap) problems.push(`${to} holds ${held} of capacity ${cap} after routing gave them ${c.id}`);
    // 2. FIFO with exclusions: nothing that still waits was ahead of it, unless this agent passed that one (before
    // the step too, when a passes timer of the step may have cleared the list after routing chose)
    for (const w of t.conversations) {
      const excludedBy = options.passesExpired ? [...passedBy(w), ...passedBy(sById.get(w.id))] : passedBy(w);
      if (routableSince(w) === null || !before(w, c) || excludedBy.includes(to)) continue;
      if (options.concurrent && !routableBefore.has(w.id)) continue;
      problems.push(`${c.id} (waiting since ${c.routing?.waitingSince}) was routed before ${w.id} (waiting since ${w.routing?.waitingSince})`);
    }
  }
  // 4. nothing waits while an eligible agent who has not passed it has room
  const waiting = t.conversations.filter((c) => routableSince(c) !== null);
  for (const userId of AGENTS) {
    if (!eligible(userId) || (load.get(userId) ?? 0) >= capacity(t, userId)) continue;
    const forThem = waiting.filter((c) => !passedBy(c).includes(userId));
    if (forThem.length) problems.push(`${forThem.length} conversation(s) wait while ${userId} has room (${load.get(userId) ?? 0} of ${capacity(t, userId)})`);
  }
  // 5. never stranded: the list is forgotten one offer timeout after the last pass, so after a clock step past
  // it a waiting conversation still excludes those who passed before the step only if someone passed it during it
  if (options.passesExpired) {
    for (const c of t.conversations) {
      const earlier = passedBy(sById.get(c.id));
      const old = passedBy(c).filter((userId) => earlier.includes(userId));
      const passedNow = passedBy(c).some((userId) => !earlier.includes(userId));
      if (isWaiting(c) && old.length && !passedNow) problems.push(`${c.id} still excludes ${old.join(', ')} after their passes expired`);
    }
  }
  return problems;
}

export { readState };
