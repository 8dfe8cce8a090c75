import type { AssistantErrorCode, AssistantOutcome, AssistantStreamEvent, AssistantUsage } from '../../protocol/assistant.ts';
import { assistantErrorText } from '../../protocol/assistant.ts';
import type { NewAssistantUse } from './audit.ts';
import { providerHost, type ProviderSettings } from './config.ts';
import type { PromptMessage } from './prompt.ts';
import { ProviderFailure, streamChatCompletion } from './provider-stream.ts';
import { SuggestionSplitter } from './suggestion-splitter.ts';

export interface AssistantUseInput {
  kind: 'suggest' | 'generate';
  orgId: string;
  userId: string;
  conversationId: string;
  settings: ProviderSettings;
  prompt: PromptMessage[];
  /** Aborted when the agent cancels. */
  signal: AbortSignal;
  timeoutMs: number;
  send(event: AssistantStreamEvent): void;
  /** One audit record per use, whatever happened. */
  record(use: NewAssistantUse): Promise<void>;
  log(line: string): void;
  clock(): number;
  fetch?: typeof fetch;
}

/**
 * One use of the assistant: the provider's stream passed through as delta events (split into suggestions
 * for suggest), ended by exactly one done or error event, and an audit record.
 */
export async function runAssistantUse(input: AssistantUseInput): Promise<AssistantOutcome> {
  const started = input.clock();
  const host = providerHost(input.settings.baseUrl);
  const splitter = input.kind === 'suggest' ? new SuggestionSplitter((index, text) => input.send({ type: 'delta', index, text })) : null;
  let usage: AssistantUsage | null = null;
  let outcome: AssistantOutcome;
  input.send({ type: 'start', model: input.settings.model });
  try {
    usage = await streamChatCompletion({
      baseUrl: input.settings.baseUrl,
      model: input.settings.model,
      apiKey: input.settings.apiKey,
      messages: input.prompt,
      signal: input.signal,
      timeoutMs: input.timeoutMs,
      fetch: input.fetch,
      onText: (text) => (splitter ? splitter.push(text) : input.send({ type: 'delta', index: 0, text })),
    });
    splitter?.end();
    input.send({ type: 'done', usage });
    outcome = 'ok';
  } catch (err) {
    if (err instanceof ProviderFailure) {
      outcome = err.code;
      input.log(`assistant: ${input.kind} for ${input.userId} via ${host} failed: ${err.detail}`);
      sendError(input, err.code);
    } else if (input.signal.aborted) {
      outcome = 'cancelled';
    } else {
      outcome = 'provider_error';
      input.log(`assistant: ${input.kind} for ${input.userId} via ${host} failed: ${err instanceof Error ? err.message : String(err)}`);
      sendError(input, 'provider_error');
    }
  }
  try {
    await input.record({
      orgId: input.orgId,
      userId: input.userId,
      conversationId: input.conversationId,
      kind: input.kind,
      providerHost: host,
      model: input.settings.model,
      promptTokens: usage?.promptTokens ?? null,
      completionTokens: usage?.completionTokens ?? null,
      outcome,
      at: started,
      durationMs: Math.max(0, Math.round(input.clock() - started)),
    });
  } catch (err) {
    input.log(`assistant: could not record a use: ${err instanceof Error ? err.message : String(err)}`);
  }
  return outcome;
}

function sendError(input: AssistantUseInput, code: AssistantErrorCode): void {
  input.send({ type: 'error', code, message: assistantErrorText(code) });
}
