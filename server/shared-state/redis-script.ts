import { createHash } from 'node:crypto';
import { HttpError } from '../../boundary/http-errors.ts';
import type { RedisClient } from './redis-connection.ts';

/**
 * A Lua script run atomically by Redis: by its SHA1 (EVALSHA), sending the source only when this Redis has
 * not seen it yet (after a restart or a failover, NOSCRIPT).
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      try {
        return await client.evalSha(this.sha, options);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await client.eval(this.source, options);
      }
    } catch (err) {
      throw new SharedStateUnavailable(err);
    }
  }
}

/**
 * Redis did not answer a limit check (down, or reconnecting). The request is refused — never let through
 * unchecked — as 503, which the HTTP boundary logs in one line: an outage is not a server fault with a stack.
 */
export class SharedStateUnavailable extends HttpError {
  constructor(cause: unknown) {
    super(503, 'unavailable', `Shared state (Redis) is unavailable, so this request cannot be checked; try again shortly (${cause instanceof Error ? cause.message : String(cause)}).`);
  }
}

/** Lua numbers reach Redis as integers when returned; stored as strings, they keep their fraction this way. */
export const LUA_STORE_NUMBER = `local function num(x) return string.format('%.17g', x) end`;
