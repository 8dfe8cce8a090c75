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

/**
 * Today's service level of a queue, summed by SQLite over the conversations that first queued today (one row
 * back instead of a row per conversation: on a busy day this was the largest read of the refresh). Each such
 * conversation is `met` (first answered within the target), `missed` (answered later; or unanswered and it
 * already waited longer than the target, still waiting or closed), or left out (unanswered and closed within the
 * target — a short abandon —, or still waiting and younger than the target: it may yet be met).
 * Parameters: @target (ms), @now. Columns: met, counted.
 */
export const SERVICE_LEVEL_SUMS = `
  coalesce(sum(CASE WHEN first_response_at IS NOT NULL AND first_response_at - first_queued_at <= @target THEN 1 ELSE 0 END), 0) AS met,
  coalesce(sum(CASE
    WHEN first_response_at IS NOT NULL THEN 1
    WHEN (CASE WHEN status = 'open' THEN @now ELSE coalesce(closed_at, @now) END) - first_queued_at > @target THEN 1
    ELSE 0 END), 0) AS counted`;

export function serviceLevelOf(met: number, counted: number): { met: number; counted: number; share: number | null } {
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
