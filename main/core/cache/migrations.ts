import type Database from 'better-sqlite3';

/**
 * Forward-only migrations keyed on `PRAGMA user_version`: migration N brings a
 * cache from version N-1 to N. Never edit a shipped step; append a new one.
 */
export const migrations: readonly string[] = [
  // 1: the synced tables, the outbox and the list indexes.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE held_scopes (scope TEXT PRIMARY KEY) WITHOUT ROWID;

  CREATE TABLE users (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, org_id TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
    role TEXT NOT NULL, status TEXT NOT NULL, avatar_color TEXT NOT NULL
  );
  CREATE INDEX users_scope ON users(scope);

  CREATE TABLE inboxes (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, org_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    assignment_mode INTEGER NOT NULL
  );
  CREATE INDEX inboxes_scope ON inboxes(scope);

  CREATE TABLE inbox_members (id TEXT PRIMARY KEY, scope TEXT NOT NULL, inbox_id TEXT NOT NULL, user_id TEXT NOT NULL);
  CREATE INDEX inbox_members_scope ON inbox_members(scope);
  CREATE INDEX inbox_members_inbox ON inbox_members(inbox_id);

  CREATE TABLE channels (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, inbox_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    address TEXT NOT NULL, registration TEXT
  );
  CREATE INDEX channels_scope ON channels(scope);
  CREATE INDEX channels_inbox ON channels(inbox_id);

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, org_id TEXT NOT NULL, owner_id TEXT, name TEXT NOT NULL,
    phones TEXT NOT NULL, email TEXT, company TEXT, notes TEXT, sms_opt_out INTEGER NOT NULL
  );
  CREATE INDEX contacts_scope ON contacts(scope);

  -- read_at/archived are the signed-in person's state (denormalised from conversation_user_state),
  -- last_inbound_at is maintained from inbound message puts, with_me from participant_ids, and
  -- unread = last_inbound_at > coalesce(read_at, -1) is kept by the writer (see UNREAD_SQL): all so
  -- that every list filter is a plain column the indexes below can use. unread is a plain column,
  -- not a generated one, so that moving read_at / last_inbound_at rewrites no index unless the
  -- flag actually flips (and SQLite treats plain columns as covering).
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, inbox_id TEXT NOT NULL, channel_id TEXT NOT NULL, contact_id TEXT,
    customer_address TEXT NOT NULL, status TEXT NOT NULL, assignee_id TEXT, tags TEXT NOT NULL,
    created_at INTEGER NOT NULL, closed_at INTEGER, last_message_at INTEGER, preview TEXT NOT NULL,
    participant_ids TEXT NOT NULL, with_me INTEGER NOT NULL DEFAULT 0,
    read_at INTEGER, archived INTEGER NOT NULL DEFAULT 0, last_inbound_at INTEGER,
    unread INTEGER NOT NULL DEFAULT 0,
    -- SPEC (13) "conversations": creation time while open, closing time once closed.
    conv_key INTEGER GENERATED ALWAYS AS (CASE WHEN status = 'closed' THEN coalesce(closed_at, created_at) ELSE created_at END) VIRTUAL,
    -- SPEC (13) "messages", newest first with conversations without messages first: NULL sorts above every time.
    recent_msg_key INTEGER GENERATED ALWAYS AS (coalesce(last_message_at, 9007199254740991)) VIRTUAL
  );
  CREATE INDEX conversations_scope ON conversations(scope);
  -- One index per (scope prefix × sort key); the trailing filter columns make each one covering
  -- for the counts and let a page walk in sort order without touching rows it skips.
  CREATE INDEX conv_all_conv ON conversations(status, archived, conv_key, unread, with_me, assignee_id);
  CREATE INDEX conv_all_lma ON conversations(status, archived, last_message_at, unread, with_me, assignee_id);
  CREATE INDEX conv_all_rmk ON conversations(status, archived, recent_msg_key, unread, with_me, assignee_id);
  CREATE INDEX conv_inbox_conv ON conversations(inbox_id, status, archived, conv_key, unread, with_me, assignee_id);
  CREATE INDEX conv_inbox_lma ON conversations(inbox_id, status, archived, last_message_at, unread, with_me, assignee_id);
  CREATE INDEX conv_inbox_rmk ON conversations(inbox_id, status, archived, recent_msg_key, unread, with_me, assignee_id);
  CREATE INDEX conv_channel_conv ON conversations(channel_id, status, archived, conv_key, unread, with_me, assignee_id);
  CREATE INDEX conv_channel_lma ON conversations(channel_id, status, archived, last_message_at, unread, with_me, assignee_id);
  CREATE INDEX conv_channel_rmk ON conversations(channel_id, status, archived, recent_msg_key, unread, with_me, assignee_id);
  -- Sidebar unread counts per channel.
  CREATE INDEX conv_unread ON conversations(status, archived, unread, channel_id);

  CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (conversation_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX conversation_tags_tag ON conversation_tags(tag, conversation_id);

  CREATE TABLE messages (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, conversation_id TEXT NOT NULL, direction TEXT NOT NULL,
    author_type TEXT NOT NULL, author_id TEXT, body TEXT NOT NULL, attachments TEXT NOT NULL, status TEXT NOT NULL,
    status_reason TEXT, provider_id TEXT, created_at INTEGER NOT NULL,
    -- 1 while the row is only the optimistic copy of an outbox send (no server put seen yet).
    local INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX messages_scope ON messages(scope);
  -- rowid (log / send order) breaks ties between messages of the same millisecond.
  CREATE INDEX messages_conversation ON messages(conversation_id, created_at);

  CREATE TABLE conversation_user_state (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, conversation_id TEXT NOT NULL, user_id TEXT NOT NULL,
    read_at INTEGER, archived INTEGER NOT NULL
  );
  CREATE INDEX conversation_user_state_scope ON conversation_user_state(scope);
  CREATE INDEX conversation_user_state_conv ON conversation_user_state(conversation_id, user_id);

  CREATE TABLE chats (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, member_ids TEXT NOT NULL,
    last_message_at INTEGER
  );
  CREATE INDEX chats_scope ON chats(scope);

  CREATE TABLE chat_messages (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, chat_id TEXT NOT NULL, author_id TEXT NOT NULL, body TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX chat_messages_scope ON chat_messages(scope);
  CREATE INDEX chat_messages_chat ON chat_messages(chat_id, author_id, created_at);

  -- Replies and actions not yet acknowledged, in the order they were taken.
  CREATE TABLE outbox (
    mutation_id INTEGER PRIMARY KEY, name TEXT NOT NULL, conversation_id TEXT, message_id TEXT,
    mutation TEXT NOT NULL, taken_at INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
    error_code TEXT, error_message TEXT
  );
  CREATE INDEX outbox_conversation ON outbox(conversation_id, mutation_id);
  CREATE INDEX outbox_message ON outbox(message_id);

  -- Server truth of conversation fields that pending outbox effects overwrite (rebase base).
  CREATE TABLE conversation_base (
    conversation_id TEXT PRIMARY KEY, status TEXT NOT NULL, assignee_id TEXT, closed_at INTEGER,
    last_message_at INTEGER, preview TEXT NOT NULL, participant_ids TEXT NOT NULL, with_me INTEGER NOT NULL,
    read_at INTEGER, archived INTEGER NOT NULL, unread INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The unread rule; statements set `unread` to it only where it differs (no needless index writes). */
export const UNREAD_SQL = '(last_inbound_at IS NOT NULL AND last_inbound_at > coalesce(read_at, -1))';

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`cache schema ${current} is newer than this app (${migrations.length}); delete the cache or update the app`);
  }
  for (let v = current; v < migrations.length; v++) {
    const step = migrations[v] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}
