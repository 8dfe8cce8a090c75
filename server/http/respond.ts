import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

import { ClientAbort, HttpError } from '../../boundary/http-errors.ts';
import { nulIssue } from '../../protocol/nul.ts';

// Answered by the HTTP boundary as `{ error: { code, message } }` (sendError below).
export { ClientAbort, HttpError };

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(data);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } });
}

/**
 * The whole body, refused with 413 (`tooLarge`) past `limit` bytes, declared or counted; a client
 * that goes away mid-body is a ClientAbort (logged as such, in one line), not a server failure.
 */
export async function readBodyBytes(req: IncomingMessage, limit: number, tooLarge = () => new HttpError(413, 'too_large', `The body is larger than ${limit} bytes.`)): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? '0') > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new ClientAbort();
  }
  // An aborted body may also just end early.
  if (!req.complete) throw new ClientAbort();
  return Buffer.concat(chunks);
}

/** Reads a JSON body up to `limit` bytes and validates it with a protocol schema. */
export async function readBody<S extends z.ZodType>(req: IncomingMessage, schema: S, limit: number): Promise<z.output<S>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
  const raw = await readBodyBytes(req, limit);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_json', 'The body is not valid JSON.');
  }
  const nul = nulIssue(json);
  if (nul) throw new HttpError(400, 'invalid', nul);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new HttpError(400, 'invalid', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
  return match?.[1] ?? null;
}
