import { SPARKLINE_POINTS, SPARKLINE_STEP_MS, type QueueSparkline } from '../../../protocol/queue-overview.ts';

/**
 * How many conversations waited in each queue over the last hour, sampled (README "Supervisor view"): the
 * routing fields keep only a conversation's original queueing time and its latest assignment, so a conversation
 * that went back to the queue, or was reopened, cannot be placed on a timeline from them. Every change of
 * "waiting" reaches this computer as a conversation write, though, so noting the count after each applied
 * change gives the exact step line for as long as the app has been running. Before that the line is unknown
 * (null points), never guessed.
 */
export class WaitingHistory {
  /** Per queue: (time, waiting from then on), oldest first, the newest at most one hour + one step old before it. */
  private readonly samples = new Map<string, { at: number; waiting: number }[]>();

  constructor(private readonly windowMs = (SPARKLINE_POINTS - 1) * SPARKLINE_STEP_MS) {}

  /** Notes the count now; an unchanged count adds nothing. */
  note(inboxId: string, waiting: number, at: number): void {
    let list = this.samples.get(inboxId);
    if (!list) this.samples.set(inboxId, (list = []));
    const last = list[list.length - 1];
    if (last && last.waiting === waiting) return;
    if (last && at < last.at) at = last.at;
    list.push({ at, waiting });
    // Keep the newest sample older than the window: it is the value at the window's start.
    const from = at - this.windowMs;
    let drop = 0;
    while (drop + 1 < list.length && (list[drop + 1] as { at: number }).at <= from) drop++;
    if (drop > 0) list.splice(0, drop);
  }

  /** The line ending at `now`: one point a step, each the count in force at that moment. */
  sparkline(inboxId: string, now: number): QueueSparkline {
    const stepMs = SPARKLINE_STEP_MS;
    const start = now - (SPARKLINE_POINTS - 1) * stepMs;
    const list = this.samples.get(inboxId) ?? [];
    const points: (number | null)[] = [];
    let k = 0;
    let current: number | null = null;
    for (let i = 0; i < SPARKLINE_POINTS; i++) {
      const t = start + i * stepMs;
      while (k < list.length && (list[k] as { at: number }).at <= t) current = (list[k++] as { waiting: number }).waiting;
      points.push(current);
    }
    return { start, stepMs, points };
  }

  forget(keep: ReadonlySet<string>): void {
    for (const id of this.samples.keys()) if (!keep.has(id)) this.samples.delete(id);
  }
}
