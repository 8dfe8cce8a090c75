import type { Server } from 'node:http';

/** Resolves once `server` listens; rejects (instead of an unhandled 'error' event) when the port is taken. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
