import type { EntityOf } from '../../protocol/domain.ts';
import type { NotificationPayload } from '../../protocol/ipc.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { queueSettingsOf } from './queries/contact-center.ts';

/**
 * "Logged out of routing" (issue 10 §1–2) as a desktop notification. The agent hears it about themselves —
 * unless they logged out on their own — and a click opens their queue status popover, where they log in
 * again. A supervisor hears it about their agents when routing (not a person) logged them out, and a click
 * opens the Queues view. Who gets which notice is the server's choice (routing/queue-agents.ts); this only
 * tells the two apart: the agent's own notice names the agent or a supervisor as actor, a supervisor's names
 * the agent.
 */
export function routingLoggedOutNotification(cache: CacheDb, notice: EntityOf<'notice'>): NotificationPayload | null {
  const me = cache.userId;
  if (notice.kind !== 'routingLoggedOut' || notice.userId !== me || !notice.inboxId || !notice.reason || notice.reason === 'self') return null;
  const queue = cache.db.prepare('SELECT name, queue_settings FROM inboxes WHERE id = ?').get(notice.inboxId) as { name: string; queue_settings: string | null } | undefined;
  const name = queue?.name ?? 'an inbox queue';
  const settings = queueSettingsOf(queue?.queue_settings ?? null);
  const userName = (id: string): string => (cache.db.prepare('SELECT name FROM users WHERE id = ?').pluck().get(id) as string | undefined) ?? 'Someone';
  const mine = notice.reason === 'supervisor' || notice.actorId === me;
  if (mine) {
    const why =
      notice.reason === 'supervisor'
        ? `${userName(notice.actorId)} logged you out.`
        : notice.reason === 'missedOffers'
          ? `${settings.missedOffersLimit} offers in a row timed out.`
          : `Your connection was lost for more than ${graceText(settings.disconnectGraceMs)}.`;
    return {
      id: `notice:${notice.id}`,
      title: `You were logged out of ${name}`,
      body: `${why} Log in again from your queue status.`,
      target: { kind: 'queueStatus' },
    };
  }
  const agent = userName(notice.actorId);
  return {
    id: `notice:${notice.id}`,
    title: `${agent} was logged out of ${name}`,
    body: notice.reason === 'missedOffers' ? `${settings.missedOffersLimit} offers in a row timed out.` : `Their connection was lost for more than ${graceText(settings.disconnectGraceMs)}.`,
    target: { kind: 'queues', inboxId: notice.inboxId },
  };
}

// main has no locale formatter (renderer/format.ts is the renderer's); a grace period is whole minutes or seconds.
function graceText(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  const s = Math.round(ms / 1000);
  return s === 1 ? '1 second' : `${s} seconds`;
}
