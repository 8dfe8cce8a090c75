import type { ChangeEntry } from '../../protocol/sync.ts';

/** A consistent read of the log over every scope: the entries after a seq, and the head of the same snapshot. */
export interface LogRead {
  entries: ChangeEntry[];
  head: number;
}

/** What the reader reads from (Domain in the server; a fake in unit tests). */
export interface LogSource {
  head(): Promise<number>;
  readLog(afterSeq: number, limit: number): Promise<LogRead>;
}

export interface LogReaderOptions {
  /** Entries per storage read. */
  pageSize: number;
  /** At most this many entries are kept for sockets still behind; a socket further behind pages from the database. */
  keepEntries: number;
  /** The lowest cursor a live socket still has to be served from memory (Infinity: none). */
  lowestCursor: () => number;
}

/** Where a socket's next entries are: every entry after its cursor (from `start`) through `through`. */
export interface LogWindow {
  entries: readonly ChangeEntry[];
  start: number;
  through: number;
}

/**
 * One reader of the change log per server instance (issue 9 §3). On each commit poke it reads the new range of
 * the log once, over every scope, and keeps the recent entries; each sync socket then takes the entries of its
 * own scopes from memory instead of asking the database once per socket per poke. A socket whose cursor is older
 * than what is kept (a reconnect catching up) pages from the database itself, as before.
 *
 * The entries kept are exactly those with seq in (base, position], with nothing missing in between: every read
 * starts at the position, and the storage contract serves no entry below which another can still commit.
 */
export class LogReader {
  private entries: ChangeEntry[] = [];
  /** -1 until the first read: then nothing is vouched for. */
  private base = -1;
  private position = -1;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly listeners = new Set<() => void>();
  /** Storage reads made (the head read at start included); what the one-read-per-commit test counts. */
  readonly stats = { logReads: 0, entriesRead: 0 };

  constructor(
    private readonly source: LogSource,
    private readonly options: LogReaderOptions,
  ) {}

  /** The highest seq read so far (-1 before the first read). */
  get head(): number {
    return this.position;
  }

  /** Called after each page read (listeners must not throw). */
  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The log moved: read it up to the head. A call while a read is in flight makes that read go round once more
   * (its snapshot may predate the commit being announced), so pokes arriving together cost one extra read at most.
   */
  advance(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.readToHead();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Resolves once the reader is at or past `seq` (a head some socket already saw), joining a read in flight. */
  async reach(seq: number): Promise<void> {
    // A read started after `seq` was seen always reaches it; the bound only guards against a head moving back.
    for (let rounds = 0; this.position < seq && rounds < 3; rounds++) {
      if (this.running) await this.running;
      else await this.advance();
    }
  }

  /** The entries after `cursor` held in memory, or null when the reader cannot vouch for that range. */
  window(cursor: number): LogWindow | null {
    if (this.base < 0 || cursor < this.base) return null;
    if (cursor >= this.position) return { entries: this.entries, start: this.entries.length, through: cursor };
    return { entries: this.entries, start: firstAbove(this.entries, cursor), through: this.position };
  }

  private async readToHead(): Promise<void> {
    if (this.position < 0) {
      const head = await this.source.head();
      this.stats.logReads += 1;
      this.base = this.position = head;
    }
    for (;;) {
      const read = await this.source.readLog(this.position, this.options.pageSize);
      this.stats.logReads += 1;
      this.stats.entriesRead += read.entries.length;
      for (const entry of read.entries) this.entries.push(entry);
      const last = read.entries[read.entries.length - 1];
      const full = read.entries.length === this.options.pageSize;
      this.position = full && last ? last.seq : Math.max(read.head, this.position);
      this.trim();
      for (const listener of this.listeners) listener();
      if (!full) return;
    }
  }

  /** Drops what every live socket has passed, and beyond keepEntries the oldest. */
  private trim(): void {
    const passed = Math.min(this.options.lowestCursor(), this.position);
    let drop = firstAbove(this.entries, passed);
    let base = Math.max(this.base, passed);
    const over = this.entries.length - this.options.keepEntries;
    if (over > drop) {
      drop = over;
      base = Math.max(base, this.entries[drop - 1]!.seq);
    }
    if (drop > 0) this.entries = this.entries.slice(drop);
    this.base = base;
  }
}

/** Index of the first entry with seq > cursor (entries are in seq order). */
function firstAbove(entries: readonly ChangeEntry[], cursor: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.seq > cursor) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
