import type pg from 'pg';
import { TALLY_COLUMNS_AFTER, TALLY_COLUMNS_MIGRATION } from './migration-tally-columns.ts';

/**
 * Numbered, forward-only migrations of the PostgreSQL store (its own list: the SQLite file has its own in
 * ../sqlite/migrations.ts). Never edit a shipped step: append one. Version N is MIGRATIONS[N - 1], recorded in
 * `schema_migrations`.
 *
 * The schema mirrors the SQLite one table for table and index for index: a record is its protocol JSON (`data`,
 * jsonb) next to the columns queries filter on. Differences, each for a reason:
 * - ids and the keys pages are ordered by are `text COLLATE "C"`: keyset pages (`id > $1 ORDER BY id`) sort
 *   byte-wise as on SQLite, whatever the database's locale;
 * - times, seqs and mutation ids are bigint (parsed back to numbers by the pool);
 * - orgs get an identity column, since `firstOrg` means the first one created (SQLite's rowid);
 * - channels get an index on the widget key, which web chat looks up on every visitor connection;
 * - inbox_members_user also covers inbox_id (inboxIdsOfUser reads it from the index, in order), and the
 *   referencing columns of contact_favourites and conversation_user_states are indexed: PostgreSQL, unlike a
 *   primary key, does not index a foreign key, and deleting a contact or conversation would scan them;
 * - `channel_provider_config.config` stays text: the contract hands it back byte for byte (it is the caller's JSON).
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the schema of SQLite migrations 1-10 (there is no PostgreSQL data from before them to carry over)
  `
  CREATE TABLE orgs (
    id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    shared_workstation boolean NOT NULL DEFAULT false,
    created_order bigint GENERATED ALWAYS AS IDENTITY
  );

  CREATE TABLE users (
    id text COLLATE "C" PRIMARY KEY,
    org_id text COLLATE "C" NOT NULL REFERENCES orgs(id),
    email text NOT NULL UNIQUE,
    data jsonb NOT NULL
  );
  CREATE INDEX users_org ON users(org_id, id);

  CREATE TABLE credentials (
    user_id text COLLATE "C" PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    password_hash text NOT NULL
  );

  CREATE TABLE sessions (
    id text COLLATE "C" PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    last_used_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE INDEX sessions_last_used ON sessions(last_used_at);
  CREATE INDEX sessions_created ON sessions(created_at);

  CREATE TABLE device_keys (
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id text NOT NULL,
    cache_key text NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (user_id, device_id)
  );

  CREATE TABLE inboxes (
    id text COLLATE "C" PRIMARY KEY,
    org_id text COLLATE "C" NOT NULL REFERENCES orgs(id),
    data jsonb NOT NULL
  );

  CREATE TABLE inbox_members (
    id text COLLATE "C" PRIMARY KEY,
    inbox_id text COLLATE "C" NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data jsonb NOT NULL,
    UNIQUE (inbox_id, user_id)
  );
  CREATE INDEX inbox_members_user ON inbox_members(user_id, inbox_id);
  CREATE INDEX inbox_members_inbox ON inbox_members(inbox_id, id);

  CREATE TABLE channels (
    id text COLLATE "C" PRIMARY KEY,
    inbox_id text COLLATE "C" NOT NULL REFERENCES inboxes(id),
    data jsonb NOT NULL
  );
  CREATE INDEX channels_inbox ON channels(inbox_id, id);
  CREATE INDEX channels_address ON channels((data->>'kind'), (data->>'address'));

  CREATE TABLE contacts (
    id text COLLATE "C" PRIMARY KEY,
    org_id text COLLATE "C" NOT NULL REFERENCES orgs(id),
    owner_id text COLLATE "C" REFERENCES users(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX contacts_org_owner ON contacts(org_id, owner_id, id);

  CREATE TABLE contact_phones (
    contact_id text COLLATE "C" NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    phone text NOT NULL,
    PRIMARY KEY (phone, contact_id)
  );
  CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

  CREATE TABLE contact_favourites (
    id text COLLATE "C" PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_id text COLLATE "C" NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX contact_favourites_user ON contact_favourites(user_id, id);
  CREATE INDEX contact_favourites_contact ON contact_favourites(contact_id);

  CREATE TABLE conversations (
    id text COLLATE "C" PRIMARY KEY,
    inbox_id text COLLATE "C" NOT NULL REFERENCES inboxes(id),
    channel_id text COLLATE "C" NOT NULL REFERENCES channels(id),
    customer_address text NOT NULL,
    created_at bigint NOT NULL,
    data jsonb NOT NULL
  );
  CREATE INDEX conversations_inbox ON conversations(inbox_id, id);
  CREATE INDEX conversations_customer ON conversations(channel_id, customer_address, created_at);

  CREATE TABLE messages (
    id text COLLATE "C" PRIMARY KEY,
    conversation_id text COLLATE "C" NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    inbox_id text COLLATE "C" NOT NULL,
    channel_id text COLLATE "C" NOT NULL,
    direction text NOT NULL,
    provider_id text,
    created_at bigint NOT NULL,
    data jsonb NOT NULL
  );
  CREATE INDEX messages_inbox ON messages(inbox_id, id);
  CREATE INDEX messages_conversation ON messages(conversation_id, direction, created_at);
  CREATE UNIQUE INDEX messages_provider ON messages(channel_id, provider_id) WHERE provider_id IS NOT NULL;

  CREATE TABLE conversation_user_states (
    id text COLLATE "C" PRIMARY KEY,
    conversation_id text COLLATE "C" NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX conversation_user_states_user ON conversation_user_states(user_id, id);
  CREATE INDEX conversation_user_states_conversation ON conversation_user_states(conversation_id);

  CREATE TABLE chats (id text COLLATE "C" PRIMARY KEY, data jsonb NOT NULL);

  CREATE TABLE chat_members (
    chat_id text COLLATE "C" NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, chat_id)
  );
  CREATE INDEX chat_members_chat ON chat_members(chat_id);

  CREATE TABLE chat_messages (
    id text COLLATE "C" PRIMARY KEY,
    chat_id text COLLATE "C" NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX chat_messages_chat ON chat_messages(chat_id, id);

  CREATE TABLE chat_user_states (
    id text COLLATE "C" PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX chat_user_states_user ON chat_user_states(user_id, id);

  CREATE TABLE canned_responses (
    id text COLLATE "C" PRIMARY KEY,
    inbox_id text COLLATE "C" NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX canned_responses_inbox ON canned_responses(inbox_id, id);

  CREATE TABLE notices (
    id text COLLATE "C" PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX notices_user ON notices(user_id, id);

  -- The change log. seq comes from the bigserial's sequence, drawn only while holding the change-log advisory
  -- lock (change-log.ts), so seqs commit in order; a rolled-back append leaves a gap that never fills.
  CREATE TABLE changes (
    seq bigserial PRIMARY KEY,
    scope text COLLATE "C" NOT NULL,
    entity text NOT NULL,
    op text NOT NULL CHECK (op IN ('put', 'delete')),
    entity_id text NOT NULL,
    record jsonb,
    CHECK ((op = 'put') = (record IS NOT NULL))
  );
  CREATE INDEX changes_scope_seq ON changes(scope, seq);

  CREATE TABLE client_mutations (
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id text NOT NULL,
    mutation_id bigint NOT NULL,
    result jsonb NOT NULL,
    applied_at bigint NOT NULL,
    PRIMARY KEY (user_id, client_id, mutation_id)
  );
  CREATE INDEX client_mutations_applied ON client_mutations(applied_at);

  CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

  CREATE TABLE channel_provider_config (
    channel_id text COLLATE "C" PRIMARY KEY,
    provider text NOT NULL,
    address text,
    messaging_service_sid text,
    config text NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX channel_provider_config_address ON channel_provider_config(provider, address);
  CREATE INDEX channel_provider_config_service ON channel_provider_config(provider, messaging_service_sid);

  CREATE TABLE send_jobs (
    message_id text COLLATE "C" PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    -- copied from the message: a conversation's replies are claimed in the order they were written
    conversation_id text COLLATE "C" NOT NULL,
    message_at bigint NOT NULL,
    attempt integer NOT NULL DEFAULT 0,
    due_at bigint,
    lease_owner text,
    lease_until bigint,
    last_error text,
    created_at bigint NOT NULL
  );
  CREATE INDEX send_jobs_due ON send_jobs(due_at) WHERE due_at IS NOT NULL;
  CREATE INDEX send_jobs_lease ON send_jobs(lease_until) WHERE lease_until IS NOT NULL;
  CREATE INDEX send_jobs_conversation ON send_jobs(conversation_id, message_at, message_id) WHERE due_at IS NOT NULL;

  CREATE TABLE server_secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at bigint NOT NULL
  );
  `,  // 2: attachment facts (SQLite migration 11): every instance checks, links and serves the files the others stored;
  // the bytes are in the blob store. A row is written before the bytes (committed false), so housekeeping finds
  // the bytes of a writer that died.
  `
  CREATE TABLE attachments (
    id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    conversation_id text COLLATE "C",
    channel_id text COLLATE "C",
    uploader_id text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    committed boolean NOT NULL DEFAULT false,
    message_id text COLLATE "C",
    linked_at bigint
  );
  CREATE INDEX attachments_uploader ON attachments(channel_id, uploader_id, created_at, id) WHERE channel_id IS NOT NULL;
  CREATE INDEX attachments_unlinked ON attachments(created_at, id) WHERE linked_at IS NULL;
  `,
  // 3: Message Assistant (issue 12; SQLite migration 12): the organisation's edition, its assistant settings (the
  // provider key stays here, like channel provider secrets) and the audit of each use.
  `
  ALTER TABLE orgs ADD COLUMN edition text NOT NULL DEFAULT 'customer_engagement' CHECK (edition IN ('customer_engagement', 'contact_center'));
  CREATE TABLE assistant_settings (
    org_id text COLLATE "C" PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    base_url text NOT NULL,
    model text NOT NULL,
    api_key text NOT NULL,
    mask_contact_details boolean NOT NULL,
    enabled boolean NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE assistant_uses (
    id text COLLATE "C" PRIMARY KEY,
    org_id text COLLATE "C" NOT NULL,
    user_id text COLLATE "C" NOT NULL,
    conversation_id text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    provider_host text NOT NULL,
    model text NOT NULL,
    prompt_tokens integer,
    completion_tokens integer,
    outcome text NOT NULL,
    at bigint NOT NULL,
    duration_ms bigint NOT NULL
  );
  CREATE INDEX assistant_uses_org_at ON assistant_uses(org_id, at);
  `,
  // 4: customer satisfaction surveys (issue 12 §2; SQLite migration 13). surveys holds the synced records (inbox
  // scope); the link token is kept only as its SHA-256 in survey_tokens. surveys_report covers the report's counts
  // per inbox and per agent over a period.
  `
  CREATE TABLE surveys (
    id text COLLATE "C" PRIMARY KEY,
    conversation_id text COLLATE "C" NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    inbox_id text COLLATE "C" NOT NULL,
    sent_by text COLLATE "C" NOT NULL,
    sent_at bigint NOT NULL,
    rating integer,
    data jsonb NOT NULL
  );
  CREATE INDEX surveys_report ON surveys(inbox_id, sent_at, sent_by, rating);
  CREATE INDEX surveys_inbox_id ON surveys(inbox_id, id);
  CREATE INDEX surveys_conversation ON surveys(conversation_id);
  CREATE TABLE survey_tokens (
    token_hash text PRIMARY KEY,
    survey_id text COLLATE "C" NOT NULL UNIQUE REFERENCES surveys(id) ON DELETE CASCADE
  );
  CREATE TABLE survey_settings (
    inbox_id text COLLATE "C" PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    message text NOT NULL,
    updated_by text COLLATE "C" NOT NULL,
    updated_at bigint NOT NULL
  );
  `,
  // 5: Contact Center routing (issue 10; SQLite migration 14, which says why each part exists).
  `
  ALTER TABLE orgs ADD COLUMN softphone_url_template text;
  CREATE TABLE queue_agents (
    id text COLLATE "C" PRIMARY KEY,
    inbox_id text COLLATE "C" NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    logged_in boolean NOT NULL,
    connected boolean NOT NULL,
    capacity integer,
    last_routed_at bigint,
    data jsonb NOT NULL
  );
  CREATE INDEX queue_agents_inbox ON queue_agents(inbox_id, id);
  CREATE INDEX queue_agents_routable ON queue_agents(inbox_id, last_routed_at NULLS FIRST, user_id) WHERE logged_in AND connected;
  CREATE INDEX queue_agents_user ON queue_agents(user_id);
  ALTER TABLE conversations ADD COLUMN route_waiting_since bigint;
  ALTER TABLE conversations ADD COLUMN open_assignee_id text COLLATE "C";
  ALTER TABLE conversations ADD COLUMN offer_user_id text COLLATE "C";
  UPDATE conversations SET open_assignee_id = data->>'assigneeId'
    WHERE data->>'status' = 'open' AND data->>'assigneeId' IS NOT NULL;
  CREATE INDEX conversations_route_waiting ON conversations(inbox_id, route_waiting_since, id) WHERE route_waiting_since IS NOT NULL;
  CREATE INDEX conversations_open_assignee ON conversations(inbox_id, open_assignee_id) WHERE open_assignee_id IS NOT NULL;
  CREATE INDEX conversations_offer_user ON conversations(inbox_id, offer_user_id) WHERE offer_user_id IS NOT NULL;
  CREATE TABLE timers (
    kind text COLLATE "C" NOT NULL,
    timer_key text COLLATE "C" NOT NULL,
    due_at bigint NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (kind, timer_key)
  );
  CREATE INDEX timers_due ON timers(due_at);
  CREATE TABLE presence (
    user_id text COLLATE "C" NOT NULL,
    instance_id text COLLATE "C" NOT NULL,
    sockets integer NOT NULL,
    lease_until bigint NOT NULL,
    PRIMARY KEY (user_id, instance_id)
  );
  CREATE INDEX presence_instance ON presence(instance_id);
  CREATE INDEX presence_lease ON presence(lease_until);
  `,
  // 6: windowed first sync and history on demand (issue 13; SQLite migration 15): the conversation columns the
  // window and the list pages read, chat message times, and full-text search over message bodies (a generated
  // tsvector, so it is current in the writing transaction, with a GIN index).
  `
  ALTER TABLE conversations ADD COLUMN status text NOT NULL DEFAULT 'open';
  ALTER TABLE conversations ADD COLUMN contact_id text COLLATE "C";
  ALTER TABLE conversations ADD COLUMN last_activity_at bigint NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN conv_key bigint NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN rmk bigint NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN lmk bigint NOT NULL DEFAULT -1;
  UPDATE conversations SET
    status = data->>'status',
    contact_id = data->>'contactId',
    last_activity_at = greatest(created_at, coalesce((data->>'closedAt')::bigint, 0), coalesce((data->>'lastMessageAt')::bigint, 0)),
    conv_key = CASE WHEN data->>'status' = 'closed' THEN coalesce((data->>'closedAt')::bigint, created_at) ELSE created_at END,
    rmk = coalesce((data->>'lastMessageAt')::bigint, 9007199254740991),
    lmk = coalesce((data->>'lastMessageAt')::bigint, -1);
  CREATE INDEX conversations_activity ON conversations(inbox_id, status, last_activity_at, id);
  CREATE INDEX conversations_list_conv ON conversations(inbox_id, status, conv_key, id);
  CREATE INDEX conversations_list_rmk ON conversations(inbox_id, status, rmk, id);
  CREATE INDEX conversations_list_lmk ON conversations(inbox_id, status, lmk, id);
  CREATE INDEX conversations_contact ON conversations(contact_id, last_activity_at) WHERE contact_id IS NOT NULL;
  CREATE INDEX messages_conversation_time ON messages(conversation_id, created_at, id);
  CREATE INDEX messages_inbox_time ON messages(inbox_id, created_at, id);
  CREATE INDEX conversation_user_states_conversation_user ON conversation_user_states(conversation_id, user_id);
  ALTER TABLE chat_messages ADD COLUMN created_at bigint NOT NULL DEFAULT 0;
  UPDATE chat_messages SET created_at = (data->>'createdAt')::bigint;
  CREATE INDEX chat_messages_time ON chat_messages(chat_id, created_at, id);
  ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(data->>'body', ''))) STORED;
  CREATE INDEX messages_search ON messages USING gin (search);
  -- A word in a large share of all messages is found faster walking messages newest first and testing each
  -- (stopping at the page's end) than by collecting every match from the GIN index and sorting: the planner
  -- picks between the two with this index.
  CREATE INDEX messages_created ON messages(created_at, id);
  `,
  // 7: the view totals and server search on plain columns (issue 13): migration-tally-columns.ts.
  TALLY_COLUMNS_MIGRATION,
];

/** Run once a migration committed, by version. */
const AFTER_MIGRATION: Readonly<Record<number, string>> = { 7: TALLY_COLUMNS_AFTER };

/** Advisory-lock class of the migration lock (the second key is the schema's hash), distinct from change-log.ts's. */
const MIGRATION_LOCK_CLASS = 0x53424d47; // 'SBMG'

/**
 * Brings the schema to the latest version, one migration per transaction. Two instances starting at once
 * serialise on a session advisory lock keyed on the schema: the second waits, then finds nothing to do.
 */
export async function migrate(pool: pg.Pool, schema: string | undefined, log: (line: string) => void = () => {}): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema ?? '']);
    try {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`); // checked identifier (pool.ts)
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      if (current > MIGRATIONS.length) {
        throw new Error(`database schema version ${current} is newer than this server (${MIGRATIONS.length}); refusing to start`);
      }
      for (let version = current + 1; version <= MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(MIGRATIONS[version - 1] as string);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        log(`postgres: migrated ${schema ?? 'database'} to version ${version}`);
        // Outside the transaction (VACUUM cannot run in one): a backfill that rewrote every row.
        const after = AFTER_MIGRATION[version];
        if (after) await client.query(after);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema ?? '']);
    }
  } catch (error) {
    if (!(error instanceof Error && /newer than this server/.test(error.message))) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
