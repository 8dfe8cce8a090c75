import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from './listen.ts';
import { simulatorServer } from './simulator-http.ts';
import { roughTokens, simulatedReply, streamPieces, type ChatMessageIn } from './openai-text.ts';

/** How a simulated provider misbehaves instead of answering. */
export type OpenAiFailure =
  /** 401 invalid_api_key */
  | 'key_refused'
  /** 429 rate_limit_exceeded with Retry-After */
  | 'rate_limited'
  /** 429 insufficient_quota (what OpenAI answers when the account has no credit) */
  | 'quota'
  /** 402 (some OpenAI-compatible gateways answer payment required) */
  | 'payment_required'
  | 'server_error'
  /** a few chunks, then the connection is cut */
  | 'drop_mid_stream'
  /** headers and nothing else, until the caller gives up */
  | 'hang';

export interface OpenAiSimulatorOptions {
  port?: number;
  host?: string;
  /** The key callers must send as Bearer; null = none needed (like a local Ollama). Default 'sk-sim-…'. */
  apiKey?: string | null;
  /** Before the response starts (ms). */
  latencyMs?: number;
  /** Between streamed chunks (ms). */
  chunkDelayMs?: number;
}

export interface RecordedCompletion {
  model: string;
  messages: ChatMessageIn[];
  stream: boolean;
  authorized: boolean;
  /** HTTP status answered. */
  status: number;
  /** The caller went away before the answer ended (a cancel upstream). */
  aborted: boolean;
  /** When the first content chunk was written (performance.now()), null if none. */
  firstChunkAt: number | null;
  receivedAt: number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorBody(message: string, type: string, code: string | null) {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/**
 * A minimal OpenAI-compatible provider: POST /v1/chat/completions, streamed (SSE `data:` chunks, usage in
 * the last one, then `data: [DONE]`) or not, with latency and failure switches for tests and the demo.
 */
export class OpenAiSimulator {
  readonly completions: RecordedCompletion[] = [];
  /** The next calls fail like this, in order. */
  readonly failNext: OpenAiFailure[] = [];
  /** Every call fails like this while set. */
  failAll: OpenAiFailure | null = null;
  latencyMs: number;
  chunkDelayMs: number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly apiKey: string | null,
    options: OpenAiSimulatorOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
  }

  static async start(options: OpenAiSimulatorOptions = {}): Promise<OpenAiSimulator> {
    const apiKey = options.apiKey === undefined ? 'sk-sim-switchboard-demo' : options.apiKey;
    let sim: OpenAiSimulator | null = null;
    const server = simulatorServer('openai simulator', async (req, res, body, target) => {
      if (!sim) return void res.writeHead(503).end();
      if (req.method !== 'POST' || target.path !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody(`Unknown request URL: ${req.method} ${target.path}`, 'invalid_request_error', 'unknown_url'));
        return;
      }
      await sim.complete(req.headers.authorization, body, res);
    });
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
    const { port } = server.address() as AddressInfo;
    sim = new OpenAiSimulator(server, `http://${options.host ?? '127.0.0.1'}:${port}`, apiKey, options);
    return sim;
  }

  private async complete(authorization: string | undefined, raw: Buffer, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    let parsed: { model?: unknown; messages?: unknown; stream?: unknown };
    try {
      parsed = JSON.parse(raw.toString('utf8')) as typeof parsed;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
      return;
    }
    const messages = Array.isArray(parsed.messages) ? (parsed.messages as ChatMessageIn[]).filter((m) => typeof m?.content === 'string') : [];
    const authorized = this.apiKey === null || authorization === `Bearer ${this.apiKey}`;
    const record: RecordedCompletion = {
      model: String(parsed.model ?? ''),
      messages,
      stream: parsed.stream === true,
      authorized,
      status: 200,
      aborted: false,
      firstChunkAt: null,
      receivedAt,
    };
    this.completions.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    if (this.latencyMs > 0) await wait(this.latencyMs);
    const failure = this.failNext.shift() ?? this.failAll ?? (authorized ? null : 'key_refused');
    if (failure && failure !== 'drop_mid_stream' && failure !== 'hang') return this.refuse(failure, record, res);
    const text = simulatedReply(messages);
    const usage = { prompt_tokens: roughTokens(messages.map((m) => m.content).join('\n')), completion_tokens: roughTokens(text) };
    if (!record.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-sim', object: 'chat.completion', model: record.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    if (failure === 'hang') return;
    const pieces = streamPieces(text);
    const chunk = (payload: object) => res.write(`data: ${JSON.stringify({ id: 'chatcmpl-sim', object: 'chat.completion.chunk', model: record.model, ...payload })}\n\n`);
    chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (const [i, piece] of pieces.entries()) {
      if (record.aborted || res.destroyed) return;
      if (failure === 'drop_mid_stream' && i === 3) return void res.socket?.destroy();
      if (this.chunkDelayMs > 0) await wait(this.chunkDelayMs);
      if (record.aborted || res.destroyed) return;
      chunk({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      record.firstChunkAt ??= performance.now();
    }
    chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    // Like OpenAI with stream_options.include_usage: a last chunk with no choices carries the usage.
    chunk({ choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
    res.end('data: [DONE]\n\n');
  }

  private refuse(failure: Exclude<OpenAiFailure, 'drop_mid_stream' | 'hang'>, record: RecordedCompletion, res: ServerResponse): void {
    const answers = {
      key_refused: [401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'), {}],
      rate_limited: [429, errorBody('Rate limit reached for requests.', 'requests', 'rate_limit_exceeded'), { 'retry-after': '20' }],
      quota: [429, errorBody('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'), {}],
      payment_required: [402, errorBody('Payment required.', 'billing_error', 'payment_required'), {}],
      server_error: [500, errorBody('The server had an error while processing your request.', 'server_error', null), {}],
    } as const;
    const [status, body, headers] = answers[failure];
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
