import { createClient } from 'redis';
import { parseRedisUrl } from './redis-url.ts';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  /** SWITCHBOARD_REDIS_URL. */
  url: string;
  /** Prepended to every key and channel (several deployments, or test runs, can share one Redis). */
  keyPrefix?: string;
  /** How long the first connection may take, TCP and handshake together (ms). Default 5000. */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Redis could not be used at start: the message says which server and why, never the password. */
export class RedisUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailable';
  }
}

/** Longest pause between reconnect attempts once running (ms). */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * The Redis connections of one server instance: `client` for commands, `subscriber` for pub/sub (a
 * subscribed connection takes no other commands). Commands fail at once while the connection is down
 * (no offline queue): a caller gets an error rather than a request that hangs until Redis returns.
 */
export class SharedRedis {
  private constructor(
    readonly client: RedisClient,
    readonly subscriber: RedisClient,
    readonly keyPrefix: string,
    readonly display: string,
  ) {}

  /**
   * Connects both connections or throws RedisUnavailable within connectTimeoutMs: at start there is no
   * retrying (an operator wants the typo or the firewall named, not a server that hangs). Once connected,
   * a dropped connection is retried with a capped delay for as long as the server runs.
   */
  static async connect(options: RedisConnectionOptions): Promise<SharedRedis> {
    const checked = parseRedisUrl(options.url);
    if (!checked.ok) throw new RedisUnavailable(checked.error);
    const log = options.log ?? (() => {});
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    const opened: RedisClient[] = [];
    const open = async (role: string): Promise<RedisClient> => {
      let connected = false;
      let lastError = '';
      const client: RedisClient = createClient({
        url: checked.url,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: timeoutMs,
          reconnectStrategy: (retries) => (connected ? Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** Math.min(retries, 6)) : false),
        },
      });
      opened.push(client);
      client.on('error', (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        // While running, one line per distinct failure: a Redis outage must not flood the log.
        if (connected && message !== lastError) log(`redis (${role}) ${checked.display}: ${message}; reconnecting`);
        lastError = message;
      });
      client.on('ready', () => {
        if (connected && lastError) log(`redis (${role}) ${checked.display}: connected again`);
        lastError = '';
      });
      await client.connect();
      connected = true;
      return client;
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const [client, subscriber] = await Promise.race([Promise.all([open('commands'), open('pub/sub')]), deadline]);
      return new SharedRedis(client, subscriber, options.keyPrefix ?? 'switchboard:', checked.display);
    } catch (err) {
      for (const client of opened) client.destroy();
      const why = err instanceof Error ? err.message : String(err);
      throw new RedisUnavailable(`cannot use Redis at ${checked.display} (SWITCHBOARD_REDIS_URL): ${why}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The same connections under a longer prefix (tests give each case its own); close the original, not this. */
  within(subPrefix: string): SharedRedis {
    return new SharedRedis(this.client, this.subscriber, this.keyPrefix + subPrefix, this.display);
  }

  /** A key or channel name under this deployment's prefix. */
  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /** Readiness: PONG within timeoutMs, or the reason it did not come. */
  async ping(timeoutMs = 1000): Promise<{ ok: true } | { ok: false; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return answer === 'PONG' ? { ok: true } : { ok: false, reason: `unexpected answer ${String(answer).slice(0, 40)}` };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Readiness probe: resolves on PONG, rejects with the reason otherwise. */
  async pingOrThrow(): Promise<void> {
    const pong = await this.ping();
    if (!pong.ok) throw new Error(pong.reason);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }
}
