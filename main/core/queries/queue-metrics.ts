import type { QueueAgentStatus } from '../../../protocol/queue-overview.ts';

/**
 * The arithmetic of the supervisor's metrics (README "Supervisor view"), apart from the SQL that gathers the
 * rows, so each rule is stated once and tested on its own.
 */

/** Midnight of the day holding `now`, in this computer's time zone: the "today" of the metrics. */
export function startOfLocalDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The median of the values (mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** What service level needs of one conversation that first queued today. */
export interface ServiceLevelFacts {
  firstQueuedAt: number;
  firstResponseAt: number | null;
  /** Closed without an agent reply (the customer gave up, or someone closed it unanswered). */
  closedAt: number | null;
  open: boolean;
}

/**
 * One conversation's part in today's service level: `met` (first answered within the target), `missed`
 * (answered later; or unanswered and already waited longer than the target, still waiting or closed), or
 * `excluded` (unanswered and closed within the target — a short abandon —, or still waiting and younger than
 * the target: it may yet be met).
 */
export function serviceLevelOutcome(c: ServiceLevelFacts, targetMs: number, now: number): 'met' | 'missed' | 'excluded' {
  if (c.firstResponseAt !== null) return c.firstResponseAt - c.firstQueuedAt <= targetMs ? 'met' : 'missed';
  const waitedUntil = c.open ? now : (c.closedAt ?? now);
  return waitedUntil - c.firstQueuedAt > targetMs ? 'missed' : 'excluded';
}

export function serviceLevel(rows: Iterable<ServiceLevelFacts>, targetMs: number, now: number): { met: number; counted: number; share: number | null } {
  let met = 0;
  let counted = 0;
  for (const row of rows) {
    const outcome = serviceLevelOutcome(row, targetMs, now);
    if (outcome === 'excluded') continue;
    counted++;
    if (outcome === 'met') met++;
  }
  return { met, counted, share: counted === 0 ? null : met / counted };
}

export interface PresenceFacts {
  loggedIn: boolean;
  connected: boolean;
  load: number;
  capacity: number;
}

export function agentStatus(p: PresenceFacts | null): QueueAgentStatus {
  if (!p || !p.loggedIn) return 'loggedOut';
  if (!p.connected) return 'away';
  return p.load >= p.capacity ? 'atCapacity' : 'available';
}
