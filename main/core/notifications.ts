import type { NotificationPayload } from '../../protocol/ipc.ts';
import { attachmentSummary } from '../../protocol/attachments.ts';
import { formatAddress } from '../../protocol/phone-format.ts';
import type { ChangeEntry } from '../../protocol/sync.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { offerNotification } from './offer-notices.ts';
import { routingLoggedOutNotification } from './routing-logout-notices.ts';

/** Where notifications go: Electron's Notification in the shell, an IPC event in the browser host. */
export interface Notifier {
  notify(notification: NotificationPayload): void;
}

const MUTED_META = 'notifications.muted';
const PREVIEW = 120;

const short = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW - 1)}…` : flat;
};

/**
 * SPEC §4: the one place that decides what becomes a desktop notification.
 * It looks at change entries after they were applied to the cache (so it can
 * read the conversation or chat they belong to) and notifies for:
 * - a new inbound message in a conversation of my inboxes that is assigned to
 *   me or to nobody (private numbers included: their inbox is mine alone);
 * - a direct/team chat message written by someone else;
 * - a notice that my conversation was reassigned (or assigned to me by someone else);
 * - a conversation offered to me by routing (offer-notices.ts);
 * - being logged out of routing, or (supervisors) an agent of mine being so (routing-logout-notices.ts).
 * Never for what I did myself, never for records older than the session start
 * (catch-up after a restart, snapshots, re-sent history), never twice for the
 * same record, and nothing while this person has muted notifications.
 */
export class NotificationService {
  private readonly seen = new Set<string>();

  constructor(
    private readonly cache: CacheDb,
    private readonly notifier: Notifier,
    /** Records created before this moment are history, not news. */
    private readonly since: number,
  ) {}

  get muted(): boolean {
    return this.cache.getMeta(MUTED_META) === '1';
  }

  set muted(value: boolean) {
    this.cache.setMeta(MUTED_META, value ? '1' : '0');
  }

  /** Call with the entries of `changes` frames once they are in the cache. */
  consider(entries: readonly ChangeEntry[]): NotificationPayload[] {
    const out: NotificationPayload[] = [];
    if (this.muted) return out;
    for (const entry of entries) {
      if (entry.op !== 'put') continue;
      const payload = this.decide(entry);
      if (!payload || this.seen.has(payload.id)) continue;
      this.seen.add(payload.id);
      out.push(payload);
    }
    for (const payload of out) this.notifier.notify(payload);
    return out;
  }

  private decide(entry: Extract<ChangeEntry, { op: 'put' }>): NotificationPayload | null {
    const me = this.cache.userId;
    switch (entry.entity) {
      case 'message': {
        const m = entry.record;
        if (m.direction !== 'in' || m.createdAt < this.since) return null;
        const row = this.cache.db
          .prepare(
            `SELECT c.assignee_id, c.customer_address, ct.name AS contact_name, i.name AS inbox_name, i.kind AS inbox_kind
             FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN inboxes i ON i.id = c.inbox_id
             WHERE c.id = ?`,
          )
          .get(m.conversationId) as
          | { assignee_id: string | null; customer_address: string; contact_name: string | null; inbox_name: string | null; inbox_kind: string | null }
          | undefined;
        // Not in my cache = not in my inboxes (or read-only previous messages).
        if (!row || (row.assignee_id !== null && row.assignee_id !== me)) return null;
        const where = row.inbox_kind === 'private' ? 'my texting number' : (row.inbox_name ?? 'an inbox');
        return {
          id: `message:${m.id}`,
          title: `${row.contact_name ?? formatAddress(row.customer_address)} · ${where}`,
          body: short(m.body || attachmentSummary(m.attachments)),
          target: { kind: 'conversation', conversationId: m.conversationId },
        };
      }
      case 'chatMessage': {
        const m = entry.record;
        if (m.authorId === me || m.createdAt < this.since) return null;
        const chat = this.cache.db.prepare('SELECT kind, name FROM chats WHERE id = ?').get(m.chatId) as { kind: string; name: string } | undefined;
        if (!chat) return null;
        const author = (this.cache.db.prepare('SELECT name FROM users WHERE id = ?').pluck().get(m.authorId) as string | undefined) ?? 'Someone';
        return {
          id: `chatMessage:${m.id}`,
          title: chat.kind === 'team' && chat.name ? `${author} in ${chat.name}` : author,
          body: short(m.body),
          target: { kind: 'chat', chatId: m.chatId },
        };
      }
      case 'notice': {
        const n = entry.record;
        // An offer is news whoever routing names as its actor.
        if (n.kind === 'offered') return n.userId === me && n.createdAt >= this.since ? offerNotification(this.cache, n) : null;
        if (n.kind === 'routingLoggedOut') return n.createdAt >= this.since ? routingLoggedOutNotification(this.cache, n) : null;
        if (n.userId !== me || n.actorId === me || n.createdAt < this.since) return null;
        if ((n.kind !== 'reassigned' && n.kind !== 'assigned') || n.conversationId === null) return null;
        const actor = (this.cache.db.prepare('SELECT name FROM users WHERE id = ?').pluck().get(n.actorId) as string | undefined) ?? 'Someone';
        const who = this.cache.db
          .prepare('SELECT ct.name AS contact_name, c.customer_address FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?')
          .get(n.conversationId) as { contact_name: string | null; customer_address: string } | undefined;
        const title = who ? (who.contact_name ?? formatAddress(who.customer_address)) : 'A conversation';
        return {
          id: `notice:${n.id}`,
          title: n.kind === 'reassigned' ? 'Conversation reassigned' : 'Conversation assigned to you',
          body: n.kind === 'reassigned' ? `${actor} reassigned your conversation with ${title}.` : `${actor} assigned you the conversation with ${title}.`,
          target: { kind: 'conversation', conversationId: n.conversationId },
        };
      }
      default:
        return null;
    }
  }
}

/** The browser host's notifier: the renderer shows it with the Web Notifications API. */
export function ipcEventNotifier(emit: (payload: NotificationPayload) => void): Notifier {
  return { notify: emit };
}
