import { isId } from '../../protocol/domain.ts';
import { scope, type Scope } from '../../protocol/scope.ts';
import type { ChangeEntry } from '../../protocol/sync.ts';
import type { ChangesPage } from '../domain/domain.ts';
import type { LogReader, LogWindow } from './log-reader.ts';

/** The database side of a socket's pages: what Domain offers (scopes and entries read together). */
export interface ChangesFromDatabase {
  readChanges(userId: string, afterSeq: number, limit: number): Promise<ChangesPage>;
}

/** How a hub's sockets got their pages, for tests and the bench. */
export interface PageStats {
  fromMemory: number;
  fromDatabase: number;
}

/**
 * One socket's pages of changes: from the instance's log reader when it holds the range, else from the database.
 *
 * The scopes a person holds (server/domain/change-log.ts scopesOfUser) follow their user record, their inbox
 * memberships and the member lists of their chats. Those change only through log entries, so the scopes read with
 * the last database page stay true until an entry in the memory range could change them (`mayChangeScopes`);
 * such a page is read from the database instead, scopes and entries together, exactly as a socket always did.
 */
export class ChangePages {
  private scopes: Scope[];
  private held: Set<Scope>;

  constructor(
    private readonly userId: string,
    initialScopes: Scope[],
    private readonly reader: LogReader,
    private readonly database: ChangesFromDatabase,
    private readonly stats: PageStats,
  ) {
    this.scopes = initialScopes;
    this.held = new Set(initialScopes);
  }

  /** The next page after `cursor`: at most `limit` entries of the person's scopes; `head` is how far it looked. */
  async next(cursor: number, limit: number): Promise<ChangesPage> {
    const window = this.reader.window(cursor);
    const page = window ? this.fromMemory(window, limit) : null;
    if (page) {
      this.stats.fromMemory += 1;
      return page;
    }
    this.stats.fromDatabase += 1;
    const read = await this.database.readChanges(this.userId, cursor, limit);
    this.scopes = read.scopes;
    this.held = new Set(read.scopes);
    return read;
  }

  private fromMemory(window: LogWindow, limit: number): ChangesPage | null {
    const entries: ChangeEntry[] = [];
    for (let i = window.start; i < window.entries.length; i++) {
      const entry = window.entries[i]!;
      if (mayChangeScopes(entry, this.userId, this.held)) return null;
      if (!this.held.has(entry.scope)) continue;
      entries.push(entry);
      // Full: the cursor moves to this entry only, so what lies beyond it is judged on the next page.
      if (entries.length === limit) return { scopes: this.scopes, entries, head: entry.seq };
    }
    return { scopes: this.scopes, entries, head: window.through };
  }
}

/**
 * Whether this entry could change the scopes `userId` holds (given the scopes `held` before it): their user
 * record; an inbox membership of theirs that they do not hold yet, or lose; a chat whose member list now
 * differs from holding it; a held inbox or chat deleted. Erring towards true costs a database read, never data.
 */
export function mayChangeScopes(entry: ChangeEntry, userId: string, held: ReadonlySet<Scope>): boolean {
  switch (entry.entity) {
    case 'user':
      return (entry.op === 'put' ? entry.record.id : entry.id) === userId;
    case 'inboxMember':
      if (entry.op === 'put') return entry.record.userId === userId && !(isId(entry.record.inboxId) && held.has(scope.inbox(entry.record.inboxId)));
      // `<inboxId>:<userId>` (protocol/scope.ts recordId); ids hold no colon, so the suffix names the person.
      return entry.id.endsWith(`:${userId}`) && held.has(entry.scope);
    case 'chat':
      if (entry.op === 'delete') return held.has(entry.scope);
      return isId(entry.record.id) && entry.record.memberIds.includes(userId) !== held.has(scope.chat(entry.record.id));
    case 'inbox':
      return entry.op === 'delete' && held.has(entry.scope);
    default:
      return false;
  }
}
