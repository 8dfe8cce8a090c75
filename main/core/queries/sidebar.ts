import type { SidebarChat, SidebarInbox, SidebarView } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { CHAT_UNREAD_SQL } from './chats.ts';

interface ChannelRow {
  id: string;
  inbox_id: string;
  kind: SidebarInbox['channels'][number]['kind'];
  name: string;
  address: string;
  registration: SidebarInbox['channels'][number]['registration'];
}

/** SPEC (2), (5), (6): my inboxes with their channels, my chats, unread counts. */
export function sidebarView(cache: CacheDb): SidebarView {
  const db = cache.db;
  const me = cache.userId;
  const unreadByChannel = new Map(
    (
      db
        .prepare(`SELECT channel_id, count(*) AS n FROM conversations INDEXED BY conv_unread
                  WHERE status = 'open' AND archived = 0 AND unread = 1 GROUP BY channel_id`)
        .all() as { channel_id: string; n: number }[]
    ).map((r) => [r.channel_id, r.n]),
  );
  const channels = db.prepare('SELECT id, inbox_id, kind, name, address, registration FROM channels ORDER BY kind, name').all() as ChannelRow[];
  const all: SidebarInbox[] = (
    db.prepare('SELECT id, name, kind, assignment_mode FROM inboxes ORDER BY name COLLATE NOCASE').all() as {
      id: string;
      name: string;
      kind: SidebarInbox['kind'];
      assignment_mode: number;
    }[]
  ).map((i) => {
    const own = channels
      .filter((c) => c.inbox_id === i.id)
      .map((c) => ({
        id: c.id,
        kind: c.kind,
        name: c.name,
        address: c.address,
        registration: c.registration,
        unread: unreadByChannel.get(c.id) ?? 0,
      }));
    return {
      id: i.id,
      name: i.name,
      kind: i.kind,
      assignmentMode: i.assignment_mode === 1,
      unread: own.reduce((n, c) => n + c.unread, 0),
      channels: own,
    };
  });
  // SPEC (3): my private inbox is not listed under (2); its channels are my texting numbers.
  const inboxes = all.filter((i) => i.kind !== 'private');
  const privateInbox = all.find((i) => i.kind === 'private') ?? null;
  // A chat counts as unread for the messages others wrote after my read mark or my own last message.
  const chats: SidebarChat[] = (
    db
      .prepare(
        `SELECT c.id, c.kind, c.name, c.member_ids, c.last_message_at, ${CHAT_UNREAD_SQL} AS unread
         FROM chats c ORDER BY c.last_message_at IS NULL, c.last_message_at DESC`,
      )
      .all({ me }) as { id: string; kind: 'direct' | 'team'; name: string; member_ids: string; last_message_at: number | null; unread: number }[]
  ).map((c) => ({
    id: c.id,
    kind: c.kind,
    // A direct chat is named after the other person, whatever name it was stored with.
    name: c.kind === 'direct' || !c.name ? directChatName(cache, c.member_ids) : c.name,
    unread: c.unread,
    lastMessageAt: c.last_message_at,
  }));
  const previousMessages = (
    db.prepare('SELECT inbox_id, count(*) AS n FROM previous_conversations GROUP BY inbox_id').all() as { inbox_id: string; n: number }[]
  ).map((r) => ({ inboxId: r.inbox_id, count: r.n }));
  const unreadTotal = all.reduce((n, i) => n + i.unread, 0) + chats.reduce((n, c) => n + c.unread, 0);
  return {
    inboxes,
    chats,
    privateNumbers: privateInbox?.channels ?? [],
    privateInboxId: privateInbox?.id ?? null,
    previousMessages,
    unreadTotal,
  };
}

function directChatName(cache: CacheDb, memberIds: string): string {
  const other = (JSON.parse(memberIds) as string[]).find((id) => id !== cache.userId);
  if (!other) return 'Chat';
  return (cache.db.prepare('SELECT name FROM users WHERE id = ?').pluck().get(other) as string | undefined) ?? 'Chat';
}
