import { DEFAULT_QUEUE_SETTINGS, OrgEdition, QueueSettings } from '../../../protocol/contact-center.ts';
import type { MyQueuesView, OfferView, OrgView } from '../../../protocol/ipc.ts';
import { permissions } from '../../../protocol/permissions.ts';
import { formatAddress } from '../../../protocol/phone-format.ts';
import type { CacheDb } from '../cache/cache-file.ts';

/**
 * The agent's Contact Center views from the cache (issue 10 §3; tables of cache migration 11): the org's edition,
 * my queues with my state and load, and my pending offers. Everything works offline from what was synced last.
 */

interface OrgRow {
  id: string;
  name: string;
  edition: string;
  softphone_url_template: string | null;
}

/** The org record, or null before it synced (the layout then stays Customer Engagement). */
export function orgView(cache: CacheDb, orgId: string): OrgView | null {
  const row = cache.db.prepare('SELECT id, name, edition, softphone_url_template FROM orgs WHERE id = ?').get(orgId) as OrgRow | undefined;
  if (!row) return null;
  const edition = OrgEdition.catch('customer_engagement').parse(row.edition);
  return {
    id: row.id,
    name: row.name,
    edition,
    softphoneUrlTemplate: row.softphone_url_template,
    contactCenterLayout: permissions.ccLayout(edition),
    mayCall: permissions.placeCall(edition),
  };
}

export function queueSettingsOf(raw: string | null): QueueSettings {
  if (!raw) return DEFAULT_QUEUE_SETTINGS;
  try {
    return QueueSettings.catch(DEFAULT_QUEUE_SETTINGS).parse(JSON.parse(raw));
  } catch {
    return DEFAULT_QUEUE_SETTINGS;
  }
}

interface QueueRow {
  id: string;
  name: string;
  queue_settings: string | null;
  logged_in: number | null;
  capacity: number | null;
  load: number;
}

/** My inbox queues (kind queue, I am a member), with my state: "Billing — logged in · 2 of 3". */
export function myQueues(cache: CacheDb, userId: string, orgId: string): MyQueuesView {
  const rows = cache.db
    .prepare(
      `SELECT i.id, i.name, i.queue_settings, qa.logged_in, qa.capacity,
              (SELECT count(*) FROM conversations c
                WHERE c.inbox_id = i.id AND c.status = 'open' AND (c.assignee_id = @me OR c.offer_user_id = @me)) AS load
         FROM inboxes i
         JOIN inbox_members m ON m.inbox_id = i.id AND m.user_id = @me
         LEFT JOIN queue_agents qa ON qa.inbox_id = i.id AND qa.user_id = @me
        WHERE i.kind = 'queue'
        ORDER BY i.name COLLATE NOCASE, i.id`,
    )
    .all({ me: userId }) as QueueRow[];
  return {
    edition: orgView(cache, orgId)?.edition ?? 'customer_engagement',
    queues: rows.map((r) => {
      const settings = queueSettingsOf(r.queue_settings);
      return { inboxId: r.id, name: r.name, mode: settings.mode, loggedIn: r.logged_in === 1, load: r.load, capacity: r.capacity ?? settings.defaultCapacity };
    }),
  };
}

interface OfferRow {
  id: string;
  inbox_id: string;
  queue_name: string | null;
  contact_name: string | null;
  customer_address: string;
  preview: string;
  channel_kind: string | null;
  routing: string | null;
  offer_expires_at: number;
}

/** Conversations offered to me now, soonest to expire first. An expired offer is left out (the server moves it on). */
export function myOffers(cache: CacheDb, userId: string, now: number): OfferView[] {
  const rows = cache.db
    .prepare(
      `SELECT c.id, c.inbox_id, i.name AS queue_name, ct.name AS contact_name, c.customer_address, c.preview, ch.kind AS channel_kind,
              c.routing, c.offer_expires_at
         FROM conversations c
         LEFT JOIN inboxes i ON i.id = c.inbox_id
         LEFT JOIN contacts ct ON ct.id = c.contact_id
         LEFT JOIN channels ch ON ch.id = c.channel_id
        WHERE c.offer_user_id = ? AND c.offer_expires_at > ? AND c.status = 'open' AND c.assignee_id IS NULL
        ORDER BY c.offer_expires_at, c.id`,
    )
    .all(userId, now) as OfferRow[];
  return rows.map((r) => {
    const offeredAt = offeredAtOf(r.routing) ?? r.offer_expires_at;
    const kind = r.channel_kind === 'sms' || r.channel_kind === 'whatsapp' || r.channel_kind === 'webchat' ? r.channel_kind : 'sms';
    return {
      conversationId: r.id,
      inboxId: r.inbox_id,
      queueName: r.queue_name ?? 'Queue',
      title: r.contact_name ?? formatAddress(r.customer_address),
      preview: r.preview,
      channelKind: kind,
      offeredAt,
      expiresAt: r.offer_expires_at,
    };
  });
}

function offeredAtOf(routing: string | null): number | null {
  if (!routing) return null;
  try {
    const offeredAt = (JSON.parse(routing) as { offer?: { offeredAt?: unknown } | null }).offer?.offeredAt;
    return typeof offeredAt === 'number' ? offeredAt : null;
  } catch {
    return null;
  }
}

/** Is this conversation offered to me right now (Accept / Decline are refused early otherwise)? */
export function isOfferedTo(cache: CacheDb, conversationId: string, userId: string): boolean {
  return cache.db.prepare("SELECT 1 FROM conversations WHERE id = ? AND offer_user_id = ? AND status = 'open'").pluck().get(conversationId, userId) === 1;
}

/** Which of these inbox ids are queues I am a member of. */
export function memberQueueIds(cache: CacheDb, userId: string, inboxIds: readonly string[]): string[] {
  const mine = new Set(myQueueIds(cache, userId));
  return inboxIds.filter((id) => mine.has(id));
}

function myQueueIds(cache: CacheDb, userId: string): string[] {
  return cache.db
    .prepare("SELECT i.id FROM inboxes i JOIN inbox_members m ON m.inbox_id = i.id AND m.user_id = ? WHERE i.kind = 'queue'")
    .pluck()
    .all(userId) as string[];
}
