import net from 'node:net';

/**
 * A TCP proxy in front of the sync server that can hold back what the server sends (HTTP answers and
 * websocket frames alike) without closing anything: the client simply receives nothing until `resume()`.
 * End-to-end tests use it to look at the app in the middle of a first sync, at a moment they choose.
 */
export interface PausableProxy {
  url: string;
  /** Resolves once the proxy paused itself (`pauseAfterBytes`). */
  pausedItself: Promise<void>;
  pause(): void;
  resume(): void;
  /** Drops every connection and refuses new ones until `online()`: the client is offline (issue 13 e2e). */
  offline(): void;
  online(): void;
  close(): Promise<void>;
}

/** `pauseAfterBytes`: pause by itself once the server has sent that many bytes, so a test need not race the sync. */
export async function startPausableProxy(target: URL, options: { pauseAfterBytes?: number } = {}): Promise<PausableProxy> {
  let paused = false;
  let refusing = false;
  let forwarded = 0;
  let pausedItself!: () => void;
  const pausedItselfPromise = new Promise<void>((resolve) => (pausedItself = resolve));
  const held = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!paused) {
        client.write(chunk);
        forwarded += chunk.length;
        if (options.pauseAfterBytes !== undefined && forwarded >= options.pauseAfterBytes && forwarded - chunk.length < options.pauseAfterBytes) {
          paused = true;
          pausedItself();
        }
        return;
      }
      // Held in order: while paused, pause the upstream too so chunks queue in the kernel, not here.
      upstream.pause();
      const release = (): void => {
        held.delete(release);
        client.write(chunk);
        upstream.resume();
      };
      held.add(release);
    });
    upstream.on('end', () => client.end());
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pausedItself: pausedItselfPromise,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const release of [...held]) release();
    },
    offline: () => {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    online: () => {
      refusing = false;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
