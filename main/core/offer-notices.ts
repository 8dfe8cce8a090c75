import type { EntityOf } from '../../protocol/domain.ts';
import type { NotificationPayload } from '../../protocol/ipc.ts';
import { formatAddress } from '../../protocol/phone-format.ts';
import type { CacheDb } from './cache/cache-file.ts';

/**
 * An offer to me (issue 10 §2–3, offer-mode inbox queues) as a desktop notification: who, which queue, their
 * first words and how long I have to accept. Clicking it opens the conversation, where the offer card waits.
 */
export function offerNotification(cache: CacheDb, notice: EntityOf<'notice'>): NotificationPayload | null {
  if (notice.kind !== 'offered' || notice.conversationId === null) return null;
  const row = cache.db
    .prepare(
      `SELECT c.customer_address, c.preview, c.offer_user_id, c.offer_expires_at, ct.name AS contact_name, i.name AS queue_name
         FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN inboxes i ON i.id = c.inbox_id
        WHERE c.id = ?`,
    )
    .get(notice.conversationId) as
    | { customer_address: string; preview: string; offer_user_id: string | null; offer_expires_at: number | null; contact_name: string | null; queue_name: string | null }
    | undefined;
  // Already moved on (accepted elsewhere, declined, timed out) by the time it arrived: nothing to act on.
  if (!row || row.offer_user_id !== notice.userId) return null;
  const seconds = row.offer_expires_at === null ? null : Math.max(0, Math.round((row.offer_expires_at - notice.createdAt) / 1000));
  const who = row.contact_name ?? formatAddress(row.customer_address);
  return {
    id: `notice:${notice.id}`,
    title: `Conversation offered · ${row.queue_name ?? 'inbox queue'}`,
    body: `${who}: ${row.preview}${seconds === null ? '' : ` — accept within ${seconds} s`}`.slice(0, 200),
    target: { kind: 'conversation', conversationId: notice.conversationId },
  };
}
