import type Database from 'better-sqlite3-multiple-ciphers';
import type { EntityRecord } from '../../../protocol/domain.ts';
import type { CacheDb } from './cache-file.ts';
import type { ChangeCollector } from './changed-views.ts';
import type { EntityWriter } from './entity-writer.ts';

/** Where the ids a reset snapshot brought are noted: a temporary table (per connection, never on disk as cache data). */
export const RESET_SEEN_TABLE = 'temp.scope_reset_seen';

/**
 * A fresh snapshot of a scope the cache already holds (a `resync`, a stale scope) replaces its rows only once
 * it is whole (issue 13): until its `done` chunk the old rows stay, so lists do not empty out and counts do not
 * jump while it streams; the records it brings overwrite theirs as they come. At `done`, every row of the scope
 * the snapshot did not bring is deleted (EntityWriter.deleteScope with the kept ids). Should the link drop
 * midway, the scope stays stale and the next link's snapshot starts the replacement again.
 *
 * A scope the cache does not hold yet (a first sync, a new inbox) is not tracked: it has no whole copy to keep
 * (what an interrupted first snapshot left is dropped at its reset, as before), and noting every record of a
 * large first sync would only slow it.
 */
export class ScopeResets {
  private readonly resetting = new Set<string>();
  private readonly held: Database.Statement<[string], number>;
  private readonly note: Database.Statement<[string, string]>;
  private readonly clear: Database.Statement<[string]>;

  constructor(cache: CacheDb) {
    const db = cache.db;
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS scope_reset_seen (scope TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (scope, id)) WITHOUT ROWID`);
    this.held = db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM held_scopes WHERE scope = ?)').pluck();
    this.note = db.prepare<[string, string]>(`INSERT OR IGNORE INTO ${RESET_SEEN_TABLE} (scope, id) VALUES (?, ?)`);
    this.clear = db.prepare<[string]>(`DELETE FROM ${RESET_SEEN_TABLE} WHERE scope = ?`);
  }

  /**
   * The first chunk of a scope's snapshot (`reset`). False for a scope not held: whatever the cache has of it
   * (an interrupted first snapshot) was never whole, and the caller drops it at once as before.
   */
  begin(scope: string): boolean {
    this.clear.run(scope);
    if (this.held.get(scope) === 1) {
      this.resetting.add(scope);
      return true;
    }
    this.resetting.delete(scope);
    return false;
  }

  /** A record of the scope's snapshot was written. */
  brought(scope: string, rec: EntityRecord): void {
    if (this.resetting.has(scope)) this.note.run(scope, rec.record.id);
  }

  /** The scope's snapshot is whole: what it did not bring goes. */
  finish(scope: string, writer: EntityWriter, changed: ChangeCollector): void {
    if (!this.resetting.delete(scope)) return;
    writer.deleteScope(scope, changed, { keepSeen: true });
    this.clear.run(scope);
  }

  /** The scope is gone (scopeLost) or its replacement failed: nothing is waiting for it. */
  abandon(scope: string): void {
    this.resetting.delete(scope);
    this.clear.run(scope);
  }

  /** A batch failed and rolled back: the noted ids went with it, so every replacement starts again. */
  rolledBack(): void {
    this.resetting.clear();
  }
}

/** Rows of a reset scope kept although its snapshot did not bring them. */
const KEEP_TOO: Record<string, string> = {
  conversations: 'AND id NOT IN (SELECT conversation_id FROM outbox WHERE conversation_id IS NOT NULL)',
  messages: 'AND local = 0',
  contacts: 'AND id NOT IN (SELECT contact_id FROM conversations WHERE contact_id IS NOT NULL)',
};

/**
 * The rows of `scope` a whole reset snapshot did not bring (EntityWriter.deleteScope with `keepSeen`): never a
 * conversation an outbox entry acts on, nor a reply not yet sent; kept conversations may have lost older messages,
 * so the scope's "history whole" marks go and older-messages.ts fetches what is missing again.
 */
export function deleteUnseen(db: Database.Database, tables: readonly string[], scope: string, changed: ChangeCollector): void {
  const unseen = `id NOT IN (SELECT id FROM ${RESET_SEEN_TABLE} WHERE scope = @scope)`;
  const goingConversations = `SELECT id FROM conversations WHERE scope = @scope AND ${unseen}
    AND id NOT IN (SELECT conversation_id FROM outbox WHERE conversation_id IS NOT NULL)`;
  const going = db.prepare(goingConversations).pluck().all({ scope }) as string[];
  for (const id of going) changed.conversation(id);
  db.prepare(`DELETE FROM conversation_tags WHERE conversation_id IN (${goingConversations})`).run({ scope });
  db.prepare(`DELETE FROM conversation_base WHERE conversation_id IN (${goingConversations})`).run({ scope });
  let messagesGone = 0;
  for (const t of tables) {
    // A windowed snapshot brings the read states and contacts of its window only; those of conversations
    // fetched later stay (a stale read mark or contact is mended by the next change to it).
    if (t === 'conversation_user_state') continue;
    const gone = db.prepare(`DELETE FROM ${t} WHERE scope = @scope AND ${unseen} ${KEEP_TOO[t] ?? ''}`).run({ scope }).changes;
    if (t === 'messages' || t === 'chat_messages') messagesGone += gone;
  }
  if (messagesGone > 0) {
    db.prepare(`DELETE FROM history_complete WHERE kind = 'conversation' AND id IN (SELECT id FROM conversations WHERE scope = @scope)`).run({ scope });
    db.prepare(`DELETE FROM history_complete WHERE kind = 'chat' AND id IN (SELECT id FROM chats WHERE scope = @scope)`).run({ scope });
  }
  changed.all();
}
