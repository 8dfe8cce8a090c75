import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode } from '../../protocol/sync.ts';
import type { Domain } from '../domain/domain.ts';
import { SyncConnection } from './connection.ts';
import type { SyncTuning } from './tuning.ts';

/** Accepts sync sockets and fans commits and sign-outs out to them. */
export class SyncHub {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<SyncConnection>();

  constructor(
    private readonly domain: Domain,
    private readonly tuning: SyncTuning,
    private readonly log: (line: string) => void,
  ) {
    // maxPayload makes ws close oversized frames with 1009 before we parse them.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: tuning.maxFrameBytes });
    domain.feed.on('committed', () => {
      for (const connection of this.connections) connection.poke();
    });
    domain.feed.on('sessionRevoked', (sessionId) => {
      for (const connection of this.connections) {
        if (connection.sessionId === sessionId) connection.close(CloseCode.signedOut, 'signed out');
      }
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new SyncConnection(ws, this.domain, this.tuning, this.log, (c) => this.connections.delete(c));
      this.connections.add(connection);
    });
  }

  get size(): number {
    return this.connections.size;
  }

  close(): void {
    for (const connection of [...this.connections]) connection.close(1001, 'server shutting down');
    this.wss.close();
  }
}
