import { ConversationRouting } from '../../../protocol/contact-center.ts';
import type { RoutingDetailsView } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';

/**
 * Conversation details (the mobile app's (15); issue 10 §3): channel, inbox or queue, who started it, how long it
 * has been open, how long it waited before the first reply, and who had it. From the conversation's routing record
 * when it has one (queues); otherwise derived from the cached messages: the first agent reply after the
 * conversation started, and the agents who wrote in it, in the order they first did.
 */

interface DetailRow {
  id: string;
  status: 'open' | 'closed';
  created_at: number;
  closed_at: number | null;
  routing: string | null;
  channel_kind: 'sms' | 'whatsapp' | 'webchat' | null;
  channel_name: string | null;
  inbox_id: string;
  inbox_name: string | null;
  inbox_kind: 'shared' | 'queue' | 'private' | null;
}

function parseRouting(raw: string | null): ConversationRouting | null {
  if (!raw) return null;
  try {
    const parsed = ConversationRouting.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function routingDetails(cache: CacheDb, conversationId: string): RoutingDetailsView | null {
  const db = cache.db;
  const row = db
    .prepare(
      `SELECT c.id, c.status, c.created_at, c.closed_at, c.routing, ch.kind AS channel_kind, ch.name AS channel_name,
              c.inbox_id, i.name AS inbox_name, i.kind AS inbox_kind
         FROM conversations c
         LEFT JOIN channels ch ON ch.id = c.channel_id
         LEFT JOIN inboxes i ON i.id = c.inbox_id
        WHERE c.id = ?`,
    )
    .get(conversationId) as DetailRow | undefined;
  if (!row) return null;
  const first = db
    .prepare("SELECT direction, author_type FROM messages WHERE conversation_id = ? AND NOT (author_type = 'system' AND direction = 'out' AND author_id IS NOT NULL) ORDER BY created_at, id LIMIT 1")
    .get(conversationId) as { direction: string; author_type: string } | undefined;
  const routing = parseRouting(row.routing);
  const queuedAt = routing?.firstQueuedAt ?? row.created_at;
  const firstResponseAt =
    routing?.firstResponseAt ??
    ((db
      .prepare("SELECT min(created_at) FROM messages WHERE conversation_id = ? AND direction = 'out' AND author_type = 'user' AND created_at >= ?")
      .pluck()
      .get(conversationId, queuedAt) as number | null) ?? null);
  const handledIds = routing?.handledBy.length
    ? routing.handledBy
    : (db
        .prepare(
          `SELECT author_id FROM messages WHERE conversation_id = ? AND direction = 'out' AND author_type = 'user' AND author_id IS NOT NULL
            GROUP BY author_id ORDER BY min(created_at)`,
        )
        .pluck()
        .all(conversationId) as string[]);
  const names = new Map(
    (handledIds.length
      ? (db.prepare(`SELECT id, name FROM users WHERE id IN (${handledIds.map(() => '?').join(',')})`).all(...handledIds) as { id: string; name: string }[])
      : []
    ).map((u) => [u.id, u.name]),
  );
  return {
    conversationId: row.id,
    channel: { kind: row.channel_kind ?? 'sms', name: row.channel_name ?? 'Unknown channel' },
    inbox: { id: row.inbox_id, name: row.inbox_name ?? 'Unknown inbox', kind: row.inbox_kind ?? 'shared' },
    startedBy: first?.direction === 'out' ? 'team' : 'customer',
    status: row.status,
    createdAt: row.created_at,
    closedAt: row.closed_at,
    queuedAt,
    waitingSince: routing?.waitingSince ?? null,
    firstResponseAt,
    handledBy: handledIds.map((id) => ({ id, name: names.get(id) ?? 'A former member' })),
    source: routing ? 'routing' : 'messages',
  };
}
