import type Database from 'better-sqlite3-multiple-ciphers';
import type { ChangedViews, OutboxState } from '../../protocol/ipc.ts';
import type { Mutation, MutationResult, RejectionCode } from '../../protocol/mutations.ts';
import { SYNC_LIMITS } from '../../protocol/sync.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { ChangeCollector } from './cache/changed-views.ts';
import type { OptimisticLayer, OutboxRow } from './cache/optimistic.ts';
import { awaitsUpload } from './attachments.ts';

export type OutboxEntry = { id: number; mutation: Mutation };

function conversationOf(m: Mutation): string | null {
  return 'conversationId' in m.args ? m.args.conversationId : null;
}

export function outboxState(row: Pick<OutboxRow, 'mutation_id' | 'state' | 'error_code' | 'error_message'>): OutboxState {
  return {
    mutationId: row.mutation_id,
    state: row.state,
    error: row.state === 'failed' ? { code: (row.error_code ?? 'internal') as RejectionCode, message: row.error_message ?? '' } : null,
  };
}

/**
 * The durable queue of replies and actions. Each entry is written in the same
 * transaction as its optimistic effect; everything lives in the cache, so a
 * killed process resumes exactly where it stopped.
 */
export class Outbox {
  /** Ids sent on the current connection and not yet answered (re-sent after a reconnect). */
  private readonly inFlight = new Set<number>();

  constructor(
    private readonly cache: CacheDb,
    private readonly layer: OptimisticLayer,
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database.Database {
    return this.cache.db;
  }

  /** Queues a mutation with its local effect; returns its mutation id and the views it touched. */
  enqueue(mutation: Mutation): { id: number; changed: ChangedViews } {
    const changed = new ChangeCollector();
    const id = this.cache.write(() => {
      const mutationId = this.cache.takeMutationId();
      const row: OutboxRow = {
        mutation_id: mutationId,
        name: mutation.name,
        conversation_id: conversationOf(mutation),
        // A new conversation's first message shows its pending / failed state like any reply.
        message_id:
          mutation.name === 'message.send' || mutation.name === 'conversation.create' || mutation.name === 'message.sendTemplate' || mutation.name === 'message.retry'
            ? mutation.args.messageId
            : null,
        mutation: JSON.stringify(mutation),
        // Strictly increasing, so replies typed within one millisecond keep their order.
        taken_at: Math.max(this.now(), (this.db.prepare('SELECT max(taken_at) + 1 FROM outbox').pluck().get() as number | null) ?? 0),
        state: 'pending',
        error_code: null,
        error_message: null,
      };
      this.db
        .prepare(`INSERT INTO outbox (mutation_id, name, conversation_id, message_id, mutation, taken_at, state)
                  VALUES (@mutation_id, @name, @conversation_id, @message_id, @mutation, @taken_at, @state)`)
        .run(row);
      this.layer.applyNew(row, changed);
      return mutationId;
    });
    return { id, changed: changed.toViews() };
  }

  /** Pending entries not yet sent on this connection, oldest first, chunked to the frame limit. */
  takeUnsent(): OutboxEntry[][] {
    const rows = this.db
      .prepare("SELECT mutation_id, mutation FROM outbox WHERE state = 'pending' ORDER BY mutation_id")
      .all() as Pick<OutboxRow, 'mutation_id' | 'mutation'>[];
    const entries: OutboxEntry[] = [];
    for (const r of rows) {
      const mutation = JSON.parse(r.mutation) as Mutation;
      // A reply whose files are not uploaded yet holds back itself and everything after it (order).
      if (awaitsUpload(mutation)) break;
      if (!this.inFlight.has(r.mutation_id)) entries.push({ id: r.mutation_id, mutation });
    }
    for (const e of entries) this.inFlight.add(e.id);
    const frames: OutboxEntry[][] = [];
    for (let i = 0; i < entries.length; i += SYNC_LIMITS.maxMutationsPerFrame) {
      frames.push(entries.slice(i, i + SYNC_LIMITS.maxMutationsPerFrame));
    }
    return frames;
  }

  /** The connection dropped: whatever was in flight is sent again (the server dedupes by id). */
  connectionLost(): void {
    this.inFlight.clear();
  }

  /** Applies the server's answer for one mutation. Returns the views to refresh, or null if unknown. */
  resolve(id: number, result: MutationResult): ChangedViews | null {
    this.inFlight.delete(id);
    const changed = new ChangeCollector();
    const found = this.cache.write(() => {
      const row = this.get(id);
      if (!row) return false;
      if (result.ok) {
        this.db.prepare('DELETE FROM outbox WHERE mutation_id = ?').run(id);
        // The effect stays as it is (the server's puts bring the same or fresher truth);
        // only the truth copy goes once nothing else is pending on the conversation.
        this.dropBaseIfIdle(row.conversation_id);
        this.layer.settled();
      } else {
        this.db
          .prepare("UPDATE outbox SET state = 'failed', error_code = ?, error_message = ? WHERE mutation_id = ?")
          .run(result.code, result.message, id);
      }
      if (row.conversation_id) changed.conversation(row.conversation_id);
      changed.conversationList = true;
      return true;
    });
    return found ? changed.toViews() : null;
  }

  /** Re-queues a failed entry under a new id: the server has already moved past the old one. */
  retry(id: number): ChangedViews | null {
    const changed = new ChangeCollector();
    const ok = this.cache.write(() => {
      const row = this.get(id);
      if (!row || row.state !== 'failed') return false;
      const newId = this.cache.takeMutationId();
      this.db
        .prepare(`UPDATE outbox SET mutation_id = ?, state = 'pending', error_code = NULL, error_message = NULL
                  WHERE mutation_id = ?`)
        .run(newId, id);
      // Its effect now follows entries taken after it: replay in the new order.
      this.layer.rewind();
      this.layer.replay(changed);
      if (row.conversation_id) changed.conversation(row.conversation_id);
      return true;
    });
    return ok ? changed.toViews() : null;
  }

  /**
   * Drops a refused entry and reverts its effect: a reply's local message is
   * deleted, a conversation action falls back to server truth. Pending entries
   * cannot be discarded: one may already have reached the server.
   */
  discard(id: number): ChangedViews | null {
    const changed = new ChangeCollector();
    const ok = this.cache.write(() => {
      const row = this.get(id);
      if (!row || row.state !== 'failed') return false;
      this.db.prepare('DELETE FROM outbox WHERE mutation_id = ?').run(id);
      if (row.message_id) this.db.prepare('DELETE FROM messages WHERE id = ? AND local = 1').run(row.message_id);
      this.layer.rewind();
      this.layer.replay(changed);
      changed.all();
      if (row.conversation_id) changed.conversation(row.conversation_id);
      return true;
    });
    return ok ? changed.toViews() : null;
  }

  get(id: number): OutboxRow | undefined {
    return this.db.prepare('SELECT * FROM outbox WHERE mutation_id = ?').get(id) as OutboxRow | undefined;
  }

  /** Pending + failed, as shown in the connection state. */
  count(): number {
    return this.db.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
  }

  list(): OutboxRow[] {
    return this.db.prepare('SELECT * FROM outbox ORDER BY mutation_id').all() as OutboxRow[];
  }

  private dropBaseIfIdle(conversationId: string | null): void {
    if (!conversationId) return;
    this.db
      .prepare('DELETE FROM conversation_base WHERE conversation_id = ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE conversation_id = ?)')
      .run(conversationId, conversationId);
  }
}
