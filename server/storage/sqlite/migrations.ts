import type Database from 'better-sqlite3-multiple-ciphers';
import { TALLY_COLUMNS_MIGRATION } from './migration-tally-columns.ts';

/**
 * Numbered, forward-only migrations keyed on PRAGMA user_version. Never edit a
 * shipped migration: append a new one. Records are stored as their protocol
 * JSON (`data`) next to the columns that queries filter on, so the JSON is the
 * single source of a record and the columns exist only to be indexed.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL);

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
  );
  CREATE INDEX users_org ON users(org_id, id);

  CREATE TABLE credentials (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL
  );

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX sessions_user ON sessions(user_id);

  CREATE TABLE inboxes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    data TEXT NOT NULL
  );

  CREATE TABLE inbox_members (
    id TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    UNIQUE (inbox_id, user_id)
  );
  CREATE INDEX inbox_members_user ON inbox_members(user_id);
  CREATE INDEX inbox_members_inbox ON inbox_members(inbox_id, id);

  CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    data TEXT NOT NULL
  );
  CREATE INDEX channels_inbox ON channels(inbox_id, id);

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    owner_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX contacts_org_owner ON contacts(org_id, owner_id, id);

  CREATE TABLE contact_phones (
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    PRIMARY KEY (phone, contact_id)
  );
  CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    channel_id TEXT NOT NULL REFERENCES channels(id),
    customer_address TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX conversations_inbox ON conversations(inbox_id, id);
  CREATE INDEX conversations_customer ON conversations(channel_id, customer_address, created_at);

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    provider_id TEXT,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX messages_inbox ON messages(inbox_id, id);
  CREATE INDEX messages_conversation ON messages(conversation_id, direction, created_at);
  CREATE UNIQUE INDEX messages_provider ON messages(channel_id, provider_id) WHERE provider_id IS NOT NULL;

  CREATE TABLE conversation_user_states (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX conversation_user_states_user ON conversation_user_states(user_id, id);

  CREATE TABLE chats (id TEXT PRIMARY KEY, data TEXT NOT NULL);

  CREATE TABLE chat_members (
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, chat_id)
  );
  CREATE INDEX chat_members_chat ON chat_members(chat_id);

  CREATE TABLE chat_messages (
    id TEXT PRIMARY KEY,
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX chat_messages_chat ON chat_messages(chat_id, id);

  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    entity TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('put', 'delete')),
    entity_id TEXT NOT NULL,
    record TEXT,
    CHECK ((op = 'put') = (record IS NOT NULL))
  );
  CREATE INDEX changes_scope_seq ON changes(scope, seq);

  CREATE TABLE client_mutations (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    mutation_id INTEGER NOT NULL,
    result TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id, mutation_id)
  );

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // contacts: per-user favourites (SPEC (4))
  `
  CREATE TABLE contact_favourites (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX contact_favourites_user ON contact_favourites(user_id, id);
  `,
  // conversation workflow: pre-written messages per inbox (SPEC (18)) and per-person notices (reassignment)
  `
  CREATE TABLE canned_responses (
    id TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX canned_responses_inbox ON canned_responses(inbox_id, id);
  CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX notices_user ON notices(user_id, id);
  `,
  // chats: per-person chat read state (SPEC (5), (6))
  `
  CREATE TABLE chat_user_states (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX chat_user_states_user ON chat_user_states(user_id, id);
  `,
  // channel provider configuration (issue 4): server-side only, never in the change log or sync stream
  `
  CREATE TABLE channel_provider_config (
    channel_id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    address TEXT,
    messaging_service_sid TEXT,
    config TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX channel_provider_config_address ON channel_provider_config(provider, address);
  CREATE INDEX channel_provider_config_service ON channel_provider_config(provider, messaging_service_sid);
  `,
  // session expiry: last-used time (idle timeout) next to created_at (absolute age); both indexed for the sweep.
  // Existing sessions count as used now: their real last use was never recorded, and signing everyone out on
  // upgrade would be worse than giving them one idle period. created_at is real, so the absolute age applies.
  `
  ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
  UPDATE sessions SET last_used_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
  CREATE INDEX sessions_last_used ON sessions(last_used_at);
  CREATE INDEX sessions_created ON sessions(created_at);
  `,
  // log retention (housekeeping.ts): answers to client mutations are pruned by age.
  `
  CREATE INDEX client_mutations_applied ON client_mutations(applied_at);
  `,
  // shared workstations (issue 8): the organisation's mode, and the cache key each person's device gets back
  // only after signing in (server-held, so a cache left on a shared machine is unreadable without that person).
  `
  ALTER TABLE orgs ADD COLUMN shared_workstation INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE device_keys (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id)
  );
  `,
  // send jobs (durable outbound delivery): written with their message, leased by the send worker, deleted once
  // the provider answered for good. due_at NULL = parked (a web chat visitor away). Replies left 'queued' by
  // earlier versions (the send started in memory after commit, so a crash lost it) get a job now.
  `
  CREATE TABLE send_jobs (
    message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    -- copied from the message: a conversation's replies are claimed in the order they were written
    conversation_id TEXT NOT NULL,
    message_at INTEGER NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX send_jobs_due ON send_jobs(due_at) WHERE due_at IS NOT NULL;
  CREATE INDEX send_jobs_lease ON send_jobs(lease_until) WHERE lease_until IS NOT NULL;
  CREATE INDEX send_jobs_conversation ON send_jobs(conversation_id, message_at, message_id) WHERE due_at IS NOT NULL;
  INSERT INTO send_jobs (message_id, conversation_id, message_at, due_at, created_at)
    SELECT id, conversation_id, created_at, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), created_at FROM messages
    WHERE direction = 'out' AND provider_id IS NULL AND json_extract(data, '$.status') = 'queued';
  `,
  // server secrets (issue 9, many instances): generated secrets every instance must share, such as the key that
  // signs media links, live in the database instead of a file in one machine's data dir. Rows are created on
  // first use; server/channels/media-links.ts imports the media-secret file of earlier versions once.
  `
  CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // attachment facts (issue 9, many instances): the facts of each stored file move from <data-dir>/attachments/<id>.json
  // into the database (the bytes go to a blob store: that directory, or S3), so every instance can check, link and
  // serve them. A row is written before the bytes (committed 0), so bytes whose writer died are found and removed
  // with the unlinked uploads. server/blobs/legacy-attachments.ts imports the .json files of earlier versions once.
  `
  CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    conversation_id TEXT,
    channel_id TEXT,
    uploader_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    committed INTEGER NOT NULL DEFAULT 0,
    message_id TEXT,
    linked_at INTEGER
  );
  CREATE INDEX attachments_uploader ON attachments(channel_id, uploader_id, created_at, id) WHERE channel_id IS NOT NULL;
  CREATE INDEX attachments_unlinked ON attachments(created_at, id) WHERE linked_at IS NULL;
  `,
  // 12: Message Assistant (issue 12): the organisation's edition (the assistant exists only in Customer Engagement),
  // its assistant settings (the provider key stays here, like channel provider secrets) and the audit of each use.
  `
  ALTER TABLE orgs ADD COLUMN edition TEXT NOT NULL DEFAULT 'customer_engagement' CHECK (edition IN ('customer_engagement', 'contact_center'));
  CREATE TABLE assistant_settings (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    base_url TEXT NOT NULL,
    model TEXT NOT NULL,
    api_key TEXT NOT NULL,
    mask_contact_details INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE assistant_uses (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    provider_host TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
  );
  CREATE INDEX assistant_uses_org_at ON assistant_uses(org_id, at);
  `,
  // 13: customer satisfaction surveys (issue 12 §2). surveys holds the synced records (inbox scope); the link
  // token is kept only as its SHA-256 in survey_tokens, never in a record or the change log. The report counts
  // the surveys of the reader's inboxes sent in a period, per inbox and per agent: surveys_report covers both.
  `
  CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    rating INTEGER,
    data TEXT NOT NULL
  );
  CREATE INDEX surveys_report ON surveys(inbox_id, sent_at, sent_by, rating);
  CREATE INDEX surveys_inbox_id ON surveys(inbox_id, id);
  CREATE TABLE survey_tokens (
    token_hash TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL UNIQUE REFERENCES surveys(id) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE TABLE survey_settings (
    inbox_id TEXT PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 14: Contact Center routing (issue 10). orgs gain the softphone URL template (the org record is built from the
  // columns of orgs: no JSON copy to drift). queue_agents holds the synced queueAgent records, with the columns the
  // routing choice filters and orders on. conversations gain three routing columns derived from the record: the
  // FIFO key of a waiting, not offered conversation; the assignee while open (agent loads); the offered agent.
  // Conversations assigned before this migration count against capacity at once. timers are the durable timers
  // (offer timeouts, disconnection graces): deleted by the transaction that fires them. presence is one row per
  // (user, server instance) with open sync sockets, kept alive by that instance's heartbeat (lease).
  `
  ALTER TABLE orgs ADD COLUMN softphone_url_template TEXT;
  CREATE TABLE queue_agents (
    id TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    logged_in INTEGER NOT NULL,
    connected INTEGER NOT NULL,
    capacity INTEGER,
    last_routed_at INTEGER,
    data TEXT NOT NULL
  );
  CREATE INDEX queue_agents_inbox ON queue_agents(inbox_id, id);
  CREATE INDEX queue_agents_routable ON queue_agents(inbox_id, last_routed_at, user_id) WHERE logged_in = 1 AND connected = 1;
  CREATE INDEX queue_agents_user ON queue_agents(user_id);
  ALTER TABLE conversations ADD COLUMN route_waiting_since INTEGER;
  ALTER TABLE conversations ADD COLUMN open_assignee_id TEXT;
  ALTER TABLE conversations ADD COLUMN offer_user_id TEXT;
  UPDATE conversations SET open_assignee_id = json_extract(data, '$.assigneeId')
    WHERE json_extract(data, '$.status') = 'open' AND json_extract(data, '$.assigneeId') IS NOT NULL;
  CREATE INDEX conversations_route_waiting ON conversations(inbox_id, route_waiting_since, id) WHERE route_waiting_since IS NOT NULL;
  CREATE INDEX conversations_open_assignee ON conversations(inbox_id, open_assignee_id) WHERE open_assignee_id IS NOT NULL;
  CREATE INDEX conversations_offer_user ON conversations(inbox_id, offer_user_id) WHERE offer_user_id IS NOT NULL;
  CREATE TABLE timers (
    kind TEXT NOT NULL,
    timer_key TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, timer_key)
  ) WITHOUT ROWID;
  CREATE INDEX timers_due ON timers(due_at);
  CREATE TABLE presence (
    user_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    sockets INTEGER NOT NULL,
    lease_until INTEGER NOT NULL,
    PRIMARY KEY (user_id, instance_id)
  ) WITHOUT ROWID;
  CREATE INDEX presence_instance ON presence(instance_id);
  CREATE INDEX presence_lease ON presence(lease_until);
  `,
  // 15: windowed first sync and history on demand (issue 13). Conversations get the columns the window and the
  // list pages read (status, contact, last activity, the three list sort keys of protocol/conversation-views.ts),
  // chat messages their time; messages are searchable (FTS5 over the body, kept by triggers in the writing
  // transaction; rowid-keyed, so this file must never be VACUUMed, which may renumber rowids of tables without
  // an INTEGER PRIMARY KEY).
  `
  ALTER TABLE conversations ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
  ALTER TABLE conversations ADD COLUMN contact_id TEXT;
  ALTER TABLE conversations ADD COLUMN last_activity_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN conv_key INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN rmk INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN lmk INTEGER NOT NULL DEFAULT -1;
  UPDATE conversations SET
    status = json_extract(data, '$.status'),
    contact_id = json_extract(data, '$.contactId'),
    last_activity_at = max(created_at, coalesce(json_extract(data, '$.closedAt'), 0), coalesce(json_extract(data, '$.lastMessageAt'), 0)),
    conv_key = CASE WHEN json_extract(data, '$.status') = 'closed' THEN coalesce(json_extract(data, '$.closedAt'), created_at) ELSE created_at END,
    rmk = coalesce(json_extract(data, '$.lastMessageAt'), 9007199254740991),
    lmk = coalesce(json_extract(data, '$.lastMessageAt'), -1);
  CREATE INDEX conversations_activity ON conversations(inbox_id, status, last_activity_at, id);
  CREATE INDEX conversations_list_conv ON conversations(inbox_id, status, conv_key, id);
  CREATE INDEX conversations_list_rmk ON conversations(inbox_id, status, rmk, id);
  CREATE INDEX conversations_list_lmk ON conversations(inbox_id, status, lmk, id);
  CREATE INDEX conversations_contact ON conversations(contact_id, last_activity_at) WHERE contact_id IS NOT NULL;
  CREATE INDEX messages_conversation_time ON messages(conversation_id, created_at, id);
  CREATE INDEX messages_inbox_time ON messages(inbox_id, created_at, id);
  CREATE INDEX conversation_user_states_conversation ON conversation_user_states(conversation_id, user_id);
  CREATE INDEX surveys_conversation ON surveys(conversation_id);
  ALTER TABLE chat_messages ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
  UPDATE chat_messages SET created_at = json_extract(data, '$.createdAt');
  CREATE INDEX chat_messages_time ON chat_messages(chat_id, created_at, id);

  CREATE VIRTUAL TABLE message_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
  INSERT INTO message_search (rowid, body) SELECT rowid, json_extract(data, '$.body') FROM messages;
  CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, body) VALUES (new.rowid, json_extract(new.data, '$.body'));
  END;
  CREATE TRIGGER message_search_update AFTER UPDATE OF data ON messages
    WHEN json_extract(old.data, '$.body') IS NOT json_extract(new.data, '$.body') BEGIN
    UPDATE message_search SET body = json_extract(new.data, '$.body') WHERE rowid = new.rowid;
  END;
  CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_search WHERE rowid = old.rowid;
  END;
  `,
  // 16: the view totals and server search on plain columns (issue 13): migration-tally-columns.ts.
  TALLY_COLUMNS_MIGRATION,
];

/** Brings the database to the latest version, one migration per transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this server (${MIGRATIONS.length}); refusing to start`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(sql);
      // PRAGMA cannot take parameters; version is a trusted integer.
      db.pragma(`user_version = ${version}`);
    })();
  }
}
