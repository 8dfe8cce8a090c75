import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode } from '../../protocol/sync.ts';
import type { Domain } from '../domain/domain.ts';
import type { PageStats } from './change-pages.ts';
import { SyncConnection, type SharedLog } from './connection.ts';
import { LogReader } from './log-reader.ts';
import type { SyncTuning } from './tuning.ts';

/** After a failed log read, the next try (a commit poke also tries again). */
const LOG_RETRY_MS = 1000;

/**
 * Accepts sync sockets and fans commits and sign-outs out to them. A commit (here or, through the poke,
 * elsewhere) makes the one log reader read the new entries once; then every socket takes its share.
 */
export class SyncHub {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<SyncConnection>();
  private readonly shared: SharedLog;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly domain: Domain,
    private readonly tuning: SyncTuning,
    private readonly log: (line: string) => void,
  ) {
    // maxPayload makes ws close oversized frames with 1009 before we parse them.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: tuning.maxFrameBytes });
    const reader = new LogReader(domain, { pageSize: tuning.logPageSize, keepEntries: tuning.logKeepEntries, lowestCursor: () => this.lowestCursor() });
    this.shared = { reader, pageStats: { fromMemory: 0, fromDatabase: 0 } };
    reader.onAdvance(() => {
      for (const connection of this.connections) connection.poke();
    });
    domain.feed.on('committed', () => this.readLog());
    this.readLog();
    domain.feed.on('sessionRevoked', (sessionId) => {
      for (const connection of this.connections) {
        if (connection.sessionId === sessionId) connection.close(CloseCode.signedOut, 'signed out');
      }
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new SyncConnection(ws, this.domain, this.shared, this.tuning, this.log, (c) => this.connections.delete(c));
      this.connections.add(connection);
    });
  }

  get size(): number {
    return this.connections.size;
  }

  /** Storage reads of the log reader, and where the sockets' pages came from (tests, bench). */
  stats(): { logReads: number; pages: PageStats } {
    return { logReads: this.shared.reader.stats.logReads, pages: { ...this.shared.pageStats } };
  }

  /** Reads the new part of the log for every socket; a failure is logged and tried again shortly. */
  private readLog(): void {
    if (this.closed) return;
    this.shared.reader.advance().catch((err: unknown) => {
      if (this.closed) return;
      this.log(`sync log read failed: ${err instanceof Error ? err.message : String(err)}`);
      if (this.retry) return;
      this.retry = setTimeout(() => {
        this.retry = null;
        this.readLog();
      }, LOG_RETRY_MS);
      this.retry.unref();
    });
  }

  private lowestCursor(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const connection of this.connections) {
      const cursor = connection.liveCursor;
      if (cursor !== null && cursor < lowest) lowest = cursor;
    }
    return lowest;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const connection of [...this.connections]) connection.close(1001, 'server shutting down');
    this.wss.close();
  }
}
