import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import type { AssistantErrorCode, AssistantUsage } from '../../protocol/assistant.ts';
import type { PromptMessage } from './prompt.ts';

/**
 * One streamed call to an OpenAI-compatible `POST {base}/v1/chat/completions` (OpenAI, Azure OpenAI's
 * compatible endpoint, Ollama, vLLM, LM Studio). The SSE body is parsed by eventsource-parser; each content
 * delta is handed on as it arrives. Failures become a ProviderFailure with a code an agent can be told.
 */

export class ProviderFailure extends Error {
  constructor(
    readonly code: AssistantErrorCode,
    /** For the server log: never the provider's own message (it may quote part of the key). */
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface ChatCallOptions {
  baseUrl: string;
  model: string;
  apiKey: string;
  messages: PromptMessage[];
  /** Aborted when the agent cancels (the client went away). */
  signal: AbortSignal;
  /** The whole call, first byte to last (ms). */
  timeoutMs: number;
  onText(text: string): void;
  fetch?: typeof fetch;
}

const Chunk = z.object({
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullable().optional() }).partial().optional() })).optional(),
  usage: z.object({ prompt_tokens: z.number().int().optional(), completion_tokens: z.number().int().optional() }).nullable().optional(),
});

const ErrorBody = z.object({ error: z.object({ code: z.string().nullable().optional(), type: z.string().nullable().optional() }).passthrough() });

/** An HTTP refusal of the provider as one of our codes. */
export function providerStatusCode(status: number, body: string): AssistantErrorCode {
  let code = '';
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(body));
    if (parsed.success) code = `${parsed.data.error.code ?? ''} ${parsed.data.error.type ?? ''}`;
  } catch {
    // Not JSON: the status alone decides.
  }
  if (status === 401 || status === 403) return 'key_refused';
  if (status === 402 || /insufficient_quota|billing/.test(code)) return 'quota_exhausted';
  if (status === 429) return 'provider_rate_limited';
  if (status === 408 || status === 504) return 'timed_out';
  return 'provider_error';
}

/** A thrown fetch / stream error as one of our codes (the caller's cancel is told apart by the signal). */
export function networkFailureCode(err: unknown, timedOut: boolean): AssistantErrorCode {
  if (timedOut) return 'timed_out';
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError') return 'timed_out';
  return 'unreachable';
}

function usageOf(raw: z.infer<typeof Chunk>['usage']): AssistantUsage | null {
  if (!raw) return null;
  return { promptTokens: raw.prompt_tokens ?? null, completionTokens: raw.completion_tokens ?? null };
}

/** Streams one completion; resolves with the usage the provider reported (or null). Throws ProviderFailure or an AbortError. */
export async function streamChatCompletion(options: ChatCallOptions): Promise<AssistantUsage | null> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout.signal]);
  const doFetch = options.fetch ?? fetch;
  let usage: AssistantUsage | null = null;
  let done = false;
  try {
    let res: Response;
    try {
      res = await doFetch(`${options.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: options.model, messages: options.messages, stream: true, stream_options: { include_usage: true } }),
        signal,
      });
    } catch (err) {
      if (options.signal.aborted) throw err;
      throw new ProviderFailure(networkFailureCode(err, timeout.signal.aborted), `request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!res.ok || !res.body) {
      const body = await res.text().catch(() => '');
      throw new ProviderFailure(providerStatusCode(res.status, body), `HTTP ${res.status}`);
    }
    const parser = createParser({
      onEvent(event) {
        if (event.data === '[DONE]') {
          done = true;
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(event.data);
        } catch {
          return;
        }
        const chunk = Chunk.safeParse(json);
        if (!chunk.success) return;
        usage = usageOf(chunk.data.usage) ?? usage;
        for (const choice of chunk.data.choices ?? []) if (choice.delta?.content) options.onText(choice.delta.content);
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const bytes of res.body) parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
    } catch (err) {
      if (options.signal.aborted) throw err;
      throw new ProviderFailure(networkFailureCode(err, timeout.signal.aborted), `stream broke: ${err instanceof Error ? err.message : String(err)}`);
    }
    // An SSE stream that ends without [DONE] was cut (some local servers omit it but finish cleanly; those send usage).
    if (!done && usage === null) throw new ProviderFailure('unreachable', 'the stream ended before [DONE]');
    return usage;
  } finally {
    clearTimeout(timer);
  }
}
