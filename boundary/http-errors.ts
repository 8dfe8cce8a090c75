/** An HTTP failure with its status and a stable code; the boundary answers it (no log line). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The client went away mid-request (aborted upload, closed download): one log line, no answer. */
export class ClientAbort extends HttpError {
  constructor(message = 'The client closed the connection before the request was complete.') {
    super(400, 'aborted', message);
  }
}

/** Error codes Node gives a stream whose peer went away (HPE_INVALID_EOF_STATE: the connection ended mid-request). */
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'HPE_INVALID_EOF_STATE']);

export function isPeerGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof ClientAbort || (typeof code === 'string' && PEER_GONE.has(code));
}
