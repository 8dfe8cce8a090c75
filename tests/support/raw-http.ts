import net from 'node:net';

/** What came back on one raw connection: every status line the peer wrote, and all its bytes. */
export interface RawExchange {
  /** Final (non-1xx) statuses in order; empty when the peer closed without answering. */
  statuses: number[];
  text: string;
}

/**
 * Writes `request` byte for byte on a fresh TCP connection (so request lines and targets that
 * HTTP clients refuse to send get through), half-closes, and collects everything until the peer
 * closes. A peer that neither answers nor closes is cut off after `guardMs` (a hang guard, not an
 * assertion: the exchange then simply has what arrived).
 */
export function rawExchange(port: number, request: string | Buffer, guardMs = 10_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1])).filter((s) => s >= 200);
      resolve({ statuses, text });
    };
    socket.setTimeout(guardMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(request);
      socket.end();
    });
  });
}

/** Opens a connection, sends the head and part of a body, then drops the connection mid-body. */
export function abortMidBody(port: number, head: string, partialBody: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.write(head);
      socket.write(partialBody, () => {
        socket.destroy();
        resolve();
      });
    });
  });
}

/** A log line that carries a stack trace. */
export const hasStack = (line: string): boolean => /\n\s+at /.test(line);
