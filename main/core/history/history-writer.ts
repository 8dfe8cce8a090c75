import type Database from 'better-sqlite3-multiple-ciphers';
import type { EntityKind, EntityRecord } from '../../../protocol/domain.ts';
import type { ChangedViews } from '../../../protocol/ipc.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { FrameApplier } from '../cache/apply-frame.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { ChangeCollector } from '../cache/changed-views.ts';

/** One record of a history answer, with the scope it belongs to (protocol/history.ts). */
export type FetchedRecord = EntityRecord & { scope: Scope };

/** The kinds a history answer may carry; anything else (users, inboxes…) only ever comes through sync. */
const EXISTS: Partial<Record<EntityKind, string>> = {
  conversation: 'SELECT 1 FROM conversations WHERE id = @id UNION ALL SELECT 1 FROM previous_conversations WHERE id = @id',
  message: 'SELECT 1 FROM messages WHERE id = @id',
  chatMessage: 'SELECT 1 FROM chat_messages WHERE id = @id',
  contact: 'SELECT 1 FROM contacts WHERE id = @id',
  survey: 'SELECT 1 FROM surveys WHERE id = @id',
  // The person's own read mark and archive flag of a fetched row: without it the row would show as never read.
  conversationUserState: 'SELECT 1 FROM conversation_user_state WHERE id = @id',
};

/** A record that belongs to a conversation or chat is kept only while that one is cached (never an orphan). */
const PARENT: Partial<Record<EntityKind, string>> = {
  message: 'SELECT 1 FROM conversations WHERE id = ?',
  survey: 'SELECT 1 FROM conversations WHERE id = ?',
  conversationUserState: 'SELECT 1 FROM conversations WHERE id = ?',
  chatMessage: 'SELECT 1 FROM chats WHERE id = ?',
};

/** Where a fetch started: tombstones written after this seq are deletes its answer may not know about. */
export interface FetchMark {
  readonly tombstoneSeq: number;
}

/**
 * Writes records fetched over HTTP into the cache without ever regressing what sync wrote:
 * - a record already in the cache is left alone (sync keeps it current; the fetched copy may be older);
 * - a record deleted after the fetch began (tombstone newer than its mark) stays deleted;
 * - a record whose scope the person does not hold (any more) is dropped, so a scope lost while history was
 *   loading leaves nothing of it behind;
 * - the person's own state of a fetched conversation is kept with it (read mark, archived), never defaulted.
 * Conversation rows it writes are handed to `onRows` after the commit (unread-check.ts asks the server whether
 * they are unread, since their inbound messages may not be cached).
 * The optimistic layer is rewound and replayed around the write, as around a sync batch, so pending
 * actions stay on top of the server truth the fetch adds.
 */
export class HistoryWriter {
  private readonly exists = new Map<EntityKind, Database.Statement>();
  private readonly parent = new Map<EntityKind, Database.Statement>();
  private readonly tombstoned: Database.Statement<{ id: string; seq: number }, number>;
  private readonly heldScope: Database.Statement<[string], number>;
  private readonly lastTombstone: Database.Statement<[], number | null>;
  private readonly prune: Database.Statement<[number]>;
  /** Marks of fetches in flight: tombstones at or below the lowest one can go. */
  private readonly inFlight = new Set<FetchMark>();
  /** Called with the conversation rows each write added (after its commit). */
  onRows: (conversationIds: string[]) => void = () => {};

  constructor(
    private readonly cache: CacheDb,
    private readonly applier: FrameApplier,
    /** Scopes being snapshotted but not yet whole count as held (a history fetch during the window). */
    private readonly owedScopes: () => ReadonlySet<string> = () => new Set(),
  ) {
    const db = cache.db;
    for (const [kind, sql] of Object.entries(EXISTS)) this.exists.set(kind as EntityKind, db.prepare(sql));
    for (const [kind, sql] of Object.entries(PARENT)) this.parent.set(kind as EntityKind, db.prepare(sql));
    this.tombstoned = db.prepare<{ id: string; seq: number }, number>('SELECT EXISTS (SELECT 1 FROM history_tombstones WHERE id = @id AND seq > @seq)').pluck();
    this.heldScope = db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM held_scopes WHERE scope = ?)').pluck();
    this.lastTombstone = db.prepare<[], number | null>('SELECT max(seq) FROM history_tombstones').pluck();
    this.prune = db.prepare<[number]>('DELETE FROM history_tombstones WHERE seq <= ?');
  }

  /** Call before sending the request; pass the mark to write() (or release() when the fetch failed). */
  begin(): FetchMark {
    const mark = { tombstoneSeq: this.lastTombstone.get() ?? 0 };
    this.inFlight.add(mark);
    return mark;
  }

  release(mark: FetchMark): void {
    this.inFlight.delete(mark);
    if (!this.cache.db.open) return;
    const lowest = Math.min(...[...this.inFlight].map((m) => m.tombstoneSeq), this.lastTombstone.get() ?? 0);
    this.prune.run(lowest);
  }

  /** Writes what a fetch returned in one transaction; `after` runs inside it (bookkeeping of the same answer). */
  write(mark: FetchMark, records: readonly FetchedRecord[], after?: (written: number) => void): { written: number; changed: ChangedViews } {
    const changed = new ChangeCollector();
    let written = 0;
    const rows: string[] = [];
    const writer = this.applier.writer;
    try {
      this.underServerTruth(() => {
        const owed = this.owedScopes();
        for (const rec of records) {
          if (!this.mayWrite(mark, rec, owed)) continue;
          const { scope, ...entity } = rec;
          writer.put(scope, entity as EntityRecord, changed);
          if (rec.entity === 'conversation') rows.push(rec.record.id);
          written++;
        }
        writer.endFrame();
        after?.(written);
      });
    } catch (err) {
      writer.abortFrame();
      throw err;
    } finally {
      this.release(mark);
    }
    if (rows.length > 0) this.onRows(rows);
    return { written, changed: changed.toViews() };
  }

  /** The server's newest inbound times of cached conversations (unread-check.ts): unread flags follow. */
  mergeInbound(entries: readonly { id: string; lastInboundAt: number }[]): ChangedViews {
    const changed = new ChangeCollector();
    const writer = this.applier.writer;
    try {
      this.underServerTruth(() => {
        for (const e of entries) writer.inboundFromServer(e.id, e.lastInboundAt, changed);
        writer.endFrame();
      });
    } catch (err) {
      writer.abortFrame();
      throw err;
    }
    return changed.toViews();
  }

  /** One cache transaction that writes server truth: the outbox's effects are rewound first and replayed on top. */
  private underServerTruth(fn: () => void): void {
    const layer = this.applier.layer;
    this.cache.write(() => {
      const pending = layer.hasEntries();
      if (pending) layer.rewind();
      fn();
      if (pending) layer.replay(new ChangeCollector());
    });
  }

  private mayWrite(mark: FetchMark, rec: FetchedRecord, owed: ReadonlySet<string>): boolean {
    const exists = this.exists.get(rec.entity);
    if (!exists) return false;
    if (this.heldScope.get(rec.scope) === 0 && !owed.has(rec.scope)) return false;
    const id = rec.record.id;
    if (exists.get({ id }) !== undefined) return false;
    if (this.tombstoned.get({ id, seq: mark.tombstoneSeq }) === 1) return false;
    const parent = this.parent.get(rec.entity);
    return !parent || parent.get(parentId(rec)) !== undefined;
  }
}

function parentId(rec: FetchedRecord): string {
  switch (rec.entity) {
    case 'message':
    case 'survey':
    case 'conversationUserState':
      return rec.record.conversationId;
    case 'chatMessage':
      return rec.record.chatId;
    default:
      return '';
  }
}
