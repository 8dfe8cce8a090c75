import type Database from 'better-sqlite3-multiple-ciphers';
import { UNREAD_SQL } from './unread-rule.ts';

/**
 * The triggers of migration 2 that keep messages_fts, contacts_fts and
 * conversations_fts in step row by row.
 */
const FTS_TRIGGERS = [
  'messages_fts_insert',
  'messages_fts_delete',
  'messages_fts_update',
  'contacts_fts_insert',
  'contacts_fts_delete',
  'contacts_fts_update',
  'conversations_fts_insert',
  'conversations_fts_delete',
  'conversations_fts_update',
] as const;

/**
 * A first sync fills an empty cache with a snapshot; maintaining the FTS indexes row by row costs most of
 * that ingest, so they are built once at the end instead. While a row is here the FTS triggers do not
 * exist (their SQL is kept here to restore them verbatim) and the indexes are empty: a search can miss
 * rows but never match a stale index entry. The rows are written and removed in the same transaction as
 * the DROP / CREATE of the triggers, so the two can never disagree, even after a kill.
 */
export const DEFERRED_FTS_MIGRATION = `
  CREATE TABLE deferred_fts_triggers (name TEXT PRIMARY KEY, sql TEXT NOT NULL) WITHOUT ROWID;
`;

/** contacts_fts indexes phones as digits: the expression of the contacts_fts triggers of migration 2. */
const CONTACT_PHONES_FTS_SQL = `replace(replace(replace(phones, '"', ' '), '+', ''), ',', ' ')`;

interface StoredTrigger {
  name: string;
  sql: string;
}

/**
 * Switches the FTS indexes (and the conversations' unread flags) between row-by-row maintenance and one
 * build at the end of a first snapshot.
 */
export class FtsIndexing {
  private readonly st: {
    isDeferred: Database.Statement<[], number>;
    triggers: Database.Statement<[string], StoredTrigger>;
    store: Database.Statement<[string, string]>;
    stored: Database.Statement<[], StoredTrigger>;
    forget: Database.Statement<[]>;
  };

  constructor(private readonly db: Database.Database) {
    this.st = {
      isDeferred: db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM deferred_fts_triggers)').pluck(),
      triggers: db.prepare<[string], StoredTrigger>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (SELECT value FROM json_each(?)) ORDER BY name",
      ),
      store: db.prepare<[string, string]>('INSERT INTO deferred_fts_triggers (name, sql) VALUES (?, ?)'),
      stored: db.prepare<[], StoredTrigger>('SELECT name, sql FROM deferred_fts_triggers ORDER BY name'),
      forget: db.prepare<[]>('DELETE FROM deferred_fts_triggers'),
    };
  }

  get deferred(): boolean {
    return this.st.isDeferred.get() === 1;
  }

  /**
   * Stops row-by-row index maintenance and empties the indexes (so nothing already indexed can go stale
   * while rows change unseen). Call inside a write transaction.
   */
  defer(): void {
    if (this.deferred) return;
    const triggers = this.st.triggers.all(JSON.stringify(FTS_TRIGGERS));
    for (const t of triggers) {
      this.st.store.run(t.name, t.sql);
      this.db.exec(`DROP TRIGGER ${quoteIdentifier(t.name)}`);
    }
    // 'delete-all' empties an external-content index without reading the (already changed) content rows.
    this.db.exec(`
      INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
      INSERT INTO conversations_fts (conversations_fts) VALUES ('delete-all');
      DELETE FROM contacts_fts;
    `);
  }

  /** Builds the indexes from the tables and restores the triggers, if deferred. Call inside a write transaction. */
  resume(): void {
    const stored = this.st.stored.all();
    if (stored.length === 0) return;
    // 'rebuild' drops whatever the index holds and reads every content row: deletes made while the
    // triggers were gone (snapshot resets, scopeLost) leave nothing behind.
    this.db.exec(`
      INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
      INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');
      DELETE FROM contacts_fts;
      INSERT INTO contacts_fts (rowid, name, company, email, notes, phones)
        SELECT rowid, name, company, email, notes, ${CONTACT_PHONES_FTS_SQL} FROM contacts;
    `);
    // While deferred the entity writer does not settle unread flags per frame either (a conversation arrives
    // before its messages, so its flag would flip 0 → 1 → 0 across frames, rewriting every list index each time).
    this.db.exec(`UPDATE conversations SET unread = ${UNREAD_SQL} WHERE unread IS NOT ${UNREAD_SQL}`);
    for (const t of stored) this.db.exec(t.sql);
    this.st.forget.run();
  }
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
