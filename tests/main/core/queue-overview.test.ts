import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, QueueAgent } from '../../../protocol/domain.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../../../protocol/contact-center.ts';
import { recordId } from '../../../protocol/scope.ts';
import { queueOverview } from '../../../main/core/queries/queue-overview.ts';
import { WaitingHistory } from '../../../main/core/queries/waiting-history.ts';
import { median } from '../../../main/core/queries/queue-metrics.ts';
import { changes, conversation, harness, inbox, ME, put, user, type Harness } from './fixtures.ts';

/**
 * queues.overview against a real cache: generated queues, agents and routed conversations go in through the
 * frame applier, and every figure must equal a straightforward computation over the generated records.
 */

const NOW = new Date(2026, 5, 15, 14, 30, 0).getTime();
const DAY_START = new Date(2026, 5, 15).getTime();
const AGENTS = ['u_a', 'u_b', 'u_c'];
const QUEUES = ['q_one', 'q_two'];
const H = 3_600_000;

let h: Harness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const time = fc.integer({ min: NOW - 36 * H, max: NOW });
const conversationArb = fc.record({
  queue: fc.constantFrom(...QUEUES, 'q_foreign', 'shared_x'),
  open: fc.boolean(),
  assignee: fc.option(fc.constantFrom(...AGENTS), { nil: null }),
  waiting: fc.boolean(),
  firstQueuedAt: time,
  responseAfter: fc.option(fc.integer({ min: 0, max: 4 * 60_000 }), { nil: null }),
  closeAfter: fc.integer({ min: 0, max: 3 * H }),
  assignedAfter: fc.integer({ min: 0, max: 10 * 60_000 }),
  offerTo: fc.option(fc.constantFrom(...AGENTS), { nil: null }),
  flagged: fc.boolean(),
});
const agentArb = fc.option(
  fc.record({ loggedIn: fc.boolean(), connected: fc.boolean(), capacity: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }), since: time }),
  { nil: null },
);
const scenarioArb = fc.record({
  conversations: fc.array(conversationArb, { maxLength: 40 }),
  agents: fc.array(fc.array(agentArb, { minLength: AGENTS.length, maxLength: AGENTS.length }), { minLength: QUEUES.length, maxLength: QUEUES.length }),
  target: fc.constantFrom(30_000, 60_000, 120_000),
  defaultCapacity: fc.integer({ min: 1, max: 3 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function toConversation(i: number, g: Scenario['conversations'][number]): Conversation {
  const unassigned = g.assignee === null;
  const closedAt = g.open ? null : Math.min(NOW, g.firstQueuedAt + g.closeAfter);
  const firstResponseAt = g.responseAfter === null ? null : Math.min(NOW, g.firstQueuedAt + g.responseAfter);
  const routed = g.queue !== 'shared_x';
  return conversation(`c${i}`, {
    inboxId: g.queue,
    channelId: `ch_${g.queue}`,
    status: g.open ? 'open' : 'closed',
    assigneeId: g.assignee,
    closedAt,
    createdAt: g.firstQueuedAt,
    ...(routed
      ? {
          routing: {
            waitingSince: g.open && unassigned && g.waiting ? g.firstQueuedAt : null,
            firstQueuedAt: g.firstQueuedAt,
            offer: g.open && unassigned && g.waiting && g.offerTo ? { userId: g.offerTo, offeredAt: g.firstQueuedAt + 1, expiresAt: g.firstQueuedAt + 30_001 } : null,
            assignedAt: unassigned ? null : Math.min(NOW, g.firstQueuedAt + g.assignedAfter),
            firstResponseAt,
            handledBy: g.assignee ? [g.assignee] : [],
            inProgressWhenLoggedOut: g.flagged,
          },
        }
      : {}),
  });
}

function load(s: Scenario): void {
  const harnessed = (h = harness());
  const entries = [
    put(harnessed.seq(), 'org:org_1', 'user', user(ME, 'Sofia Supervisor', 'supervisor')),
    ...AGENTS.map((id, i) => put(harnessed.seq(), 'org:org_1', 'user', user(id, `Agent ${'ABC'[i]}`, 'agent'))),
  ];
  for (const q of [...QUEUES, 'q_foreign', 'shared_x']) {
    const scope = `inbox:${q}` as const;
    const kind = q === 'shared_x' ? 'shared' : 'queue';
    entries.push(put(harnessed.seq(), scope, 'inbox', inbox(q, { name: q, kind, ...(kind === 'queue' ? { queue: { ...DEFAULT_QUEUE_SETTINGS, serviceLevelTargetMs: s.target, defaultCapacity: s.defaultCapacity } } : {}) })));
    // I am a member of my two queues and the shared inbox; q_foreign's records are held but I am not its member.
    const members = q === 'q_foreign' ? AGENTS : [ME, ...AGENTS];
    for (const m of members) entries.push(put(harnessed.seq(), scope, 'inboxMember', { id: recordId.inboxMember(q, m), inboxId: q, userId: m }));
  }
  QUEUES.forEach((q, qi) =>
    AGENTS.forEach((a, ai) => {
      const g = s.agents[qi]?.[ai];
      if (!g) return;
      const record: QueueAgent = {
        id: recordId.queueAgent(q, a),
        inboxId: q,
        userId: a,
        loggedIn: g.loggedIn,
        connected: g.connected,
        capacity: g.capacity,
        since: g.since,
        loggedOutReason: g.loggedIn ? null : 'self',
        missedOffers: 0,
        lastRoutedAt: null,
        lastActivityAt: g.since,
      };
      entries.push(put(harnessed.seq(), `inbox:${q}`, 'queueAgent', record));
    }),
  );
  s.conversations.forEach((g, i) => entries.push(put(harnessed.seq(), `inbox:${g.queue}`, 'conversation', toConversation(i, g))));
  harnessed.applier.apply(changes(entries));
}

/** The reference: plain loops over the generated records, written from the README definitions. */
function reference(s: Scenario, queueId: string) {
  const qi = QUEUES.indexOf(queueId);
  const convs = s.conversations.map((g, i) => toConversation(i, g)).filter((c) => c.inboxId === queueId);
  const waitingConvs = convs.filter((c) => c.status === 'open' && c.assigneeId === null && c.routing?.waitingSince != null);
  const answeredToday = convs.filter((c) => c.routing?.firstResponseAt != null && c.routing.firstResponseAt >= DAY_START);
  let met = 0;
  let counted = 0;
  for (const c of convs) {
    const r = c.routing;
    if (!r || r.firstQueuedAt < DAY_START) continue;
    if (r.firstResponseAt !== null) {
      counted++;
      if (r.firstResponseAt - r.firstQueuedAt <= s.target) met++;
    } else if ((c.status === 'open' ? NOW : (c.closedAt as number)) - r.firstQueuedAt > s.target) counted++;
  }
  const agents = AGENTS.map((a, ai) => {
    const g = s.agents[qi]?.[ai] ?? null;
    const loadOf = convs.filter((c) => c.status === 'open' && (c.assigneeId === a || (c.assigneeId === null && c.routing?.offer?.userId === a))).length;
    const capacity = g?.capacity ?? s.defaultCapacity;
    const status = !g || !g.loggedIn ? 'loggedOut' : !g.connected ? 'away' : loadOf >= capacity ? 'atCapacity' : 'available';
    return { userId: a, status, load: loadOf, capacity };
  });
  return {
    waiting: waitingConvs.length,
    oldestWaitingSince: waitingConvs.length ? Math.min(...waitingConvs.map((c) => c.routing!.waitingSince!)) : null,
    handledToday: convs.filter((c) => c.status === 'closed' && (c.closedAt as number) >= DAY_START).length,
    firstResponsesToday: answeredToday.length,
    medianFirstResponseMs: median(answeredToday.map((c) => c.routing!.firstResponseAt! - c.routing!.firstQueuedAt)),
    serviceLevel: { met, counted, share: counted ? met / counted : null },
    agents,
  };
}

describe('queues.overview', () => {
  // Each run opens a fresh encrypted cache (tens of ms), hence the run count and the time allowed.
  test.prop([scenarioArb], { numRuns: 30 })('every figure matches a straightforward computation over the records', (s) => {
    load(s);
    const overview = queueOverview(h!.cache, NOW, null);
    expect(overview.dayStart).toBe(DAY_START);
    // Only queues I am a member of; never the shared inbox or another queue.
    expect(overview.queues.map((q) => q.inboxId).sort()).toEqual([...QUEUES].sort());
    for (const q of overview.queues) {
      const ref = reference(s, q.inboxId);
      expect({
        waiting: q.waiting,
        oldestWaitingSince: q.oldestWaitingSince,
        handledToday: q.handledToday,
        firstResponsesToday: q.firstResponsesToday,
        medianFirstResponseMs: q.medianFirstResponseMs,
        serviceLevel: q.serviceLevel,
      }).toEqual({
        waiting: ref.waiting,
        oldestWaitingSince: ref.oldestWaitingSince,
        handledToday: ref.handledToday,
        firstResponsesToday: ref.firstResponsesToday,
        medianFirstResponseMs: ref.medianFirstResponseMs,
        serviceLevel: ref.serviceLevel,
      });
      const rows = new Map(q.agentRows.map((a) => [a.userId, a]));
      for (const a of ref.agents) expect(rows.get(a.userId)).toMatchObject({ status: a.status, load: a.load, capacity: a.capacity });
      expect(rows.has(ME)).toBe(true);
      expect(q.agents).toEqual({
        loggedIn: q.agentRows.filter((a) => a.status !== 'loggedOut').length,
        available: ref.agents.filter((a) => a.status === 'available').length,
        atCapacity: ref.agents.filter((a) => a.status === 'atCapacity').length,
        away: ref.agents.filter((a) => a.status === 'away').length,
      });
      expect(q.waitingConversations.map((c) => c.since)).toEqual([...q.waitingConversations.map((c) => c.since)].sort((x, y) => (x as number) - (y as number)));
    }
    h!.cleanup();
    h = null;
  }, 60_000);

  it('lists an agent’s conversations and offers, flags kept work, and reads the queue’s own settings', () => {
    const s: Scenario = {
      conversations: [
        { queue: 'q_one', open: true, assignee: 'u_a', waiting: false, firstQueuedAt: NOW - 600_000, responseAfter: null, closeAfter: 0, assignedAfter: 1000, offerTo: null, flagged: true },
        { queue: 'q_one', open: true, assignee: null, waiting: true, firstQueuedAt: NOW - 120_000, responseAfter: null, closeAfter: 0, assignedAfter: 0, offerTo: 'u_a', flagged: false },
      ],
      agents: [
        [{ loggedIn: true, connected: true, capacity: 2, since: NOW - H }, null, null],
        [null, null, null],
      ],
      target: 60_000,
      defaultCapacity: 3,
    };
    load(s);
    const q = queueOverview(h!.cache, NOW, null).queues.find((x) => x.inboxId === 'q_one')!;
    const a = q.agentRows.find((r) => r.userId === 'u_a')!;
    expect(a).toMatchObject({ status: 'atCapacity', load: 2, capacity: 2, capacityOverride: 2, statusSince: NOW - H });
    expect(a.conversations.map((c) => [c.id, c.flagged, c.offered, c.since])).toEqual([
      ['c0', true, false, NOW - 600_000 + 1000],
      ['c1', false, true, NOW - 120_000 + 1],
    ]);
    expect(q.waitingConversations.map((c) => [c.id, c.offered])).toEqual([['c1', true]]);
    expect(q.serviceLevelTargetMs).toBe(60_000);
    expect(q.defaultCapacity).toBe(3);
    // Queued 2 minutes ago, unanswered, still waiting: past the 60 s target, so already missed.
    expect(q.serviceLevel).toEqual({ met: 0, counted: 2, share: 0 });
  });
});

describe('waiting history (the sparkline)', () => {
  it('is the step line of the noted counts, unknown before the first note, one point a minute ending now', () => {
    const history = new WaitingHistory();
    const t0 = NOW - 30 * 60_000;
    history.note('q', 2, t0);
    history.note('q', 2, t0 + 10_000);
    history.note('q', 5, t0 + 5 * 60_000 + 1);
    history.note('q', 1, NOW - 1);
    const line = history.sparkline('q', NOW);
    expect(line.points).toHaveLength(61);
    expect(line.start).toBe(NOW - 60 * 60_000);
    expect(line.points.slice(0, 30).every((p) => p === null)).toBe(true);
    expect(line.points[30]).toBe(2);
    expect(line.points[35]).toBe(2);
    expect(line.points[36]).toBe(5);
    expect(line.points[60]).toBe(1);
  });

  test.prop([fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5 * 60_000 }), n: fc.nat(6) }), { maxLength: 60 })])(
    'each point equals the last count noted at or before it',
    (steps) => {
      const history = new WaitingHistory();
      let t = NOW - 2 * H;
      const noted: { at: number; n: number }[] = [];
      for (const s of steps) {
        t += s.dt;
        history.note('q', s.n, t);
        noted.push({ at: t, n: s.n });
      }
      const now = t + 1;
      const line = history.sparkline('q', now);
      line.points.forEach((p, i) => {
        const at = line.start + i * line.stepMs;
        const before = noted.filter((x) => x.at <= at);
        expect(p).toBe(before.length ? (before[before.length - 1] as { n: number }).n : null);
      });
    },
  );
});
