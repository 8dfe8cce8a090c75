import type Database from 'better-sqlite3-multiple-ciphers';
import { DEFERRED_FTS_MIGRATION } from './deferred-fts.ts';
import { LIST_COUNTS_MIGRATION } from './list-counts.ts';
import { STAGED_ATTACHMENTS_MIGRATION } from './staged-attachments.ts';
import { QUEUE_OVERVIEW_INDEXES_MIGRATION } from './queue-overview-indexes.ts';
import { HISTORY_MIGRATION } from '../history/history-tables.ts';

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
  // contacts and search: per-user favourites, full-text search (FTS5) over messages and contacts, and the
  // server truth of contact rows that pending contact actions overwrite (rebase base, as conversation_base).
  `
  CREATE TABLE contact_favourites (id TEXT PRIMARY KEY, scope TEXT NOT NULL, contact_id TEXT NOT NULL, user_id TEXT NOT NULL);
  CREATE INDEX contact_favourites_scope ON contact_favourites(scope);
  CREATE INDEX contact_favourites_user ON contact_favourites(user_id, contact_id);
  CREATE INDEX conversations_contact ON conversations(contact_id, created_at);
  -- A contact's history (17) also lists unlinked conversations with one of its numbers.
  CREATE INDEX conversations_customer ON conversations(customer_address);

  -- External-content FTS5 indexes: the text lives once, in messages / contacts; the triggers keep the
  -- index in step with every write path (sync, optimistic replies, scope drops). Messages are upserted
  -- (rowid stays), and status updates leave the body alone, so only a changed body touches the index.
  CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages WHEN old.body IS NOT new.body BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
  END;
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

  -- Contacts are written with an upsert from this version on (a REPLACE would skip the delete trigger and
  -- move the rowid). phones is indexed as digits (the JSON text minus punctuation), so a full number matches.
  -- Contacts are few: this index keeps its own copy of the text (for snippets), keyed by the contacts rowid.
  CREATE VIRTUAL TABLE contacts_fts USING fts5(name, company, email, notes, phones, tokenize='unicode61 remove_diacritics 2');
  CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name, company, email, notes, phones)
    VALUES (new.rowid, new.name, new.company, new.email, new.notes, replace(replace(replace(new.phones, '"', ' '), '+', ''), ',', ' '));
  END;
  CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.rowid;
  END;
  CREATE TRIGGER contacts_fts_update AFTER UPDATE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.rowid;
    INSERT INTO contacts_fts (rowid, name, company, email, notes, phones)
    VALUES (new.rowid, new.name, new.company, new.email, new.notes, replace(replace(replace(new.phones, '"', ' '), '+', ''), ',', ' '));
  END;
  INSERT INTO contacts_fts (rowid, name, company, email, notes, phones)
    SELECT rowid, name, company, email, notes, replace(replace(replace(phones, '"', ' '), '+', ''), ',', ' ') FROM contacts;

  -- Conversations by (part of) their customer number: a trigram index answers LIKE '%digits%' without a scan.
  CREATE VIRTUAL TABLE conversations_fts USING fts5(customer_address, content='conversations', content_rowid='rowid', tokenize='trigram');
  CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_fts (rowid, customer_address) VALUES (new.rowid, new.customer_address);
  END;
  CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, customer_address) VALUES ('delete', old.rowid, old.customer_address);
  END;
  CREATE TRIGGER conversations_fts_update AFTER UPDATE OF customer_address ON conversations
  WHEN old.customer_address IS NOT new.customer_address BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, customer_address) VALUES ('delete', old.rowid, old.customer_address);
    INSERT INTO conversations_fts (rowid, customer_address) VALUES (new.rowid, new.customer_address);
  END;
  INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');

  -- Server truth of rows that pending contact actions changed: present = 0 means "did not exist".
  CREATE TABLE contact_base (
    contact_id TEXT PRIMARY KEY, present INTEGER NOT NULL, scope TEXT, org_id TEXT, owner_id TEXT, name TEXT, phones TEXT,
    email TEXT, company TEXT, notes TEXT, sms_opt_out INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE contact_favourite_base (id TEXT PRIMARY KEY, present INTEGER NOT NULL, scope TEXT, contact_id TEXT, user_id TEXT) WITHOUT ROWID;
  CREATE TABLE contact_link_base (conversation_id TEXT PRIMARY KEY, contact_id TEXT) WITHOUT ROWID;
  `,
  // conversation workflow: pre-written messages (SPEC (18)), per-person notices (reassignment), and the server
  // truth of rows that pending workflow actions overwrite (rebase base, as conversation_base).
  `
  CREATE TABLE canned_responses (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, inbox_id TEXT NOT NULL, title TEXT NOT NULL, key_phrase TEXT NOT NULL, body TEXT NOT NULL
  );
  CREATE INDEX canned_responses_scope ON canned_responses(scope);
  CREATE INDEX canned_responses_inbox ON canned_responses(inbox_id, key_phrase);
  CREATE TABLE notices (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, conversation_id TEXT NOT NULL,
    actor_id TEXT NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE INDEX notices_scope ON notices(scope);
  CREATE INDEX notices_created ON notices(created_at);

  -- present = 0: the row did not exist before the pending action created it.
  CREATE TABLE created_conversation_base (conversation_id TEXT PRIMARY KEY, present INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE conversation_tag_base (conversation_id TEXT PRIMARY KEY, tags TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE canned_response_base (
    id TEXT PRIMARY KEY, present INTEGER NOT NULL, scope TEXT, inbox_id TEXT, title TEXT, key_phrase TEXT, body TEXT
  ) WITHOUT ROWID;
  CREATE TABLE inbox_base (
    id TEXT PRIMARY KEY, present INTEGER NOT NULL, scope TEXT, org_id TEXT, name TEXT, kind TEXT, assignment_mode INTEGER
  ) WITHOUT ROWID;
  `,
  // chats and private numbers (SPEC (3), (5), (6), (11)): my chat read state, and the read-only "previous
  // messages" conversations of a private number moved into a shared inbox. Those live in their own table so
  // that no conversation list, count or index above ever has to filter them out.
  `
  CREATE TABLE chat_user_state (id TEXT PRIMARY KEY, scope TEXT NOT NULL, chat_id TEXT NOT NULL, user_id TEXT NOT NULL, read_at INTEGER);
  CREATE INDEX chat_user_state_scope ON chat_user_state(scope);
  CREATE INDEX chat_user_state_chat ON chat_user_state(chat_id, user_id);
  ALTER TABLE chats ADD COLUMN created_by TEXT;
  CREATE TABLE previous_conversations (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, inbox_id TEXT NOT NULL, channel_id TEXT NOT NULL, contact_id TEXT,
    customer_address TEXT NOT NULL, created_at INTEGER NOT NULL, last_message_at INTEGER, preview TEXT NOT NULL
  );
  CREATE INDEX previous_conversations_scope ON previous_conversations(scope);
  CREATE INDEX previous_conversations_inbox ON previous_conversations(inbox_id, last_message_at);
  `,
  // list totals maintained by triggers (see list-counts.ts)
  LIST_COUNTS_MIGRATION,
  // SPEC (18): picked files waiting for upload (see attachments.ts)
  STAGED_ATTACHMENTS_MIGRATION,
  // WhatsApp: each channel's approved templates (JSON array; NULL = none)
  'ALTER TABLE channels ADD COLUMN whatsapp_templates TEXT;',
  // first sync: full-text indexes built once after the snapshot (see deferred-fts.ts)
  DEFERRED_FTS_MIGRATION,
  // search while typing: prefix indexes for 2 and 3 characters, so "th" or "ord" reads one doclist instead of
  // merging every word that starts so (150 ms → 0.2 ms at a million messages). The triggers of migration 2 keep
  // referring to the table by name; a first sync that deferred the indexes builds it at its end instead.
  `
  DROP TABLE messages_fts;
  CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
  INSERT INTO messages_fts (messages_fts) SELECT 'rebuild' WHERE NOT EXISTS (SELECT 1 FROM deferred_fts_triggers);
  `,
  // satisfaction surveys (issue 12 §2): shown in their conversation's timeline and, answered, on the contact
  // (found through the conversations linked to it, so a later link shows earlier ratings too).
  `
  CREATE TABLE surveys (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, conversation_id TEXT NOT NULL, message_id TEXT NOT NULL, sent_by TEXT NOT NULL,
    sent_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, rating INTEGER, comment TEXT, answered_at INTEGER, via TEXT
  );
  CREATE INDEX surveys_scope ON surveys(scope);
  CREATE INDEX surveys_conversation ON surveys(conversation_id, sent_at);
  CREATE INDEX surveys_answered ON surveys(conversation_id, answered_at) WHERE answered_at IS NOT NULL;
  `,
  // 11: Contact Center (issue 10; see contact-center-rows.ts): the org record (edition, softphone template), each
  // agent's state per queue, queue settings on inboxes, and the routing state of conversations as columns the
  // agent's and supervisor's queries filter on (routing keeps the whole JSON). Notices of kind routingLoggedOut
  // name no conversation, so notices is rebuilt with a nullable conversation_id (SQLite cannot drop NOT NULL).
  `
  CREATE TABLE orgs (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, name TEXT NOT NULL, edition TEXT NOT NULL, softphone_url_template TEXT
  );
  CREATE INDEX orgs_scope ON orgs(scope);
  CREATE TABLE queue_agents (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, inbox_id TEXT NOT NULL, user_id TEXT NOT NULL, logged_in INTEGER NOT NULL,
    connected INTEGER NOT NULL, capacity INTEGER, since INTEGER NOT NULL, logged_out_reason TEXT,
    missed_offers INTEGER NOT NULL, last_routed_at INTEGER, last_activity_at INTEGER
  );
  CREATE INDEX queue_agents_scope ON queue_agents(scope);
  CREATE INDEX queue_agents_inbox ON queue_agents(inbox_id, user_id);
  CREATE INDEX queue_agents_user ON queue_agents(user_id, inbox_id);
  ALTER TABLE inboxes ADD COLUMN queue_settings TEXT;
  ALTER TABLE conversations ADD COLUMN routing TEXT;
  ALTER TABLE conversations ADD COLUMN waiting_since INTEGER;
  ALTER TABLE conversations ADD COLUMN first_queued_at INTEGER;
  ALTER TABLE conversations ADD COLUMN first_response_at INTEGER;
  ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
  ALTER TABLE conversations ADD COLUMN offer_user_id TEXT;
  ALTER TABLE conversations ADD COLUMN offer_expires_at INTEGER;
  ALTER TABLE conversations ADD COLUMN in_progress_logged_out INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX conversations_waiting ON conversations(inbox_id, waiting_since) WHERE waiting_since IS NOT NULL;
  CREATE INDEX conversations_offered ON conversations(offer_user_id, offer_expires_at) WHERE offer_user_id IS NOT NULL;
  CREATE INDEX conversations_first_queued ON conversations(inbox_id, first_queued_at) WHERE first_queued_at IS NOT NULL;
  CREATE TABLE notices_v11 (
    id TEXT PRIMARY KEY, scope TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, conversation_id TEXT,
    actor_id TEXT NOT NULL, created_at INTEGER NOT NULL, reason TEXT, inbox_id TEXT
  );
  INSERT INTO notices_v11 (id, scope, user_id, kind, conversation_id, actor_id, created_at)
    SELECT id, scope, user_id, kind, conversation_id, actor_id, created_at FROM notices;
  DROP TABLE notices;
  ALTER TABLE notices_v11 RENAME TO notices;
  CREATE INDEX notices_scope ON notices(scope);
  CREATE INDEX notices_created ON notices(created_at);
  `,
  // 12: windowed first sync (issue 13): what is known to be whole, list totals, background fill (history-tables.ts)
  HISTORY_MIGRATION,
  // 13: the supervisor's Queues view (issue 10 §4; see queue-overview-indexes.ts)
  QUEUE_OVERVIEW_INDEXES_MIGRATION,
];


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
