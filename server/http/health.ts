import { HTTP_PATHS, type ReadinessResponse } from '../../protocol/http.ts';
import type { Handler } from './routes.ts';
import { sendJson } from './respond.ts';

/** A dependency this instance needs to serve: resolves, or rejects with the reason. */
export type ReadinessProbe = () => Promise<void>;

export interface ReadinessProbes {
  database: ReadinessProbe;
  /** Present only with SWITCHBOARD_REDIS_URL. */
  redis?: ReadinessProbe;
}

/** How long one probe may take before it counts as failed (ms). */
export const PROBE_TIMEOUT_MS = 1000;

async function probe(run: ReadinessProbe): Promise<ReadinessResponse['checks']['database']> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return { failed: (err instanceof Error ? err.message : String(err)).slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/** GET /healthz (the process answers) and GET /readyz (its database and Redis answer); protocol/http.ts. */
export function healthRoutes(probes: ReadinessProbes): Record<string, Partial<Record<string, Handler>>> {
  return {
    [HTTP_PATHS.health]: { GET: (_req, res) => sendJson(res, 200, { ok: true }) },
    [HTTP_PATHS.ready]: {
      GET: async (_req, res) => {
        const [database, redis] = await Promise.all([probe(probes.database), probes.redis ? probe(probes.redis) : undefined]);
        const checks: ReadinessResponse['checks'] = redis === undefined ? { database } : { database, redis };
        const ok = Object.values(checks).every((c) => c === 'ok');
        const body: ReadinessResponse = { ok, checks };
        sendJson(res, ok ? 200 : 503, body);
      },
    },
  };
}
