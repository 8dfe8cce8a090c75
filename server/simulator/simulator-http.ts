import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createHttpServer } from '../../boundary/http-boundary.ts';
import type { RequestTarget } from '../../boundary/request-target.ts';
import { readBodyBytes, sendError } from '../http/respond.ts';

/** Larger than any file a provider takes, so a simulator never refuses what the real API would accept. */
const SIMULATOR_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * A provider simulator's HTTP server, behind the same boundary as ours (under `npm start` it runs in
 * the product's process): the whole body in, any failure answered, input never ends the process.
 */
export function simulatorServer(
  name: string,
  handle: (req: IncomingMessage, res: ServerResponse, body: Buffer, target: RequestTarget) => void | Promise<void>,
): Server {
  return createHttpServer({
    name,
    // A simulator stands in for a provider's servers; its failures are the provider's, not ours to log.
    log: () => {},
    sendError,
    onRequest: async (req, res, target) => handle(req, res, await readBodyBytes(req, SIMULATOR_BODY_LIMIT), target),
  });
}
