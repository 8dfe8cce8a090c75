import { z } from 'zod';
import { Id, Timestamp } from './domain.ts';
import { OrgEdition } from './contact-center.ts';

/**
 * Message Assistant (issue 12 §1): the contract between the client core and the sync server, and the
 * settings an admin keeps on the server. The provider key never appears in anything a client receives.
 */

export const ASSISTANT_PATHS = {
  /** GET (Bearer) → AssistantStatus: whether this person's organisation offers the assistant. */
  status: '/api/assistant/status',
  /** GET (admins) → AssistantSettingsView; PUT AssistantSettingsInput → AssistantSettingsView. */
  settings: '/api/assistant/settings',
  /** GET (admins) ?limit= → AssistantUse[] newest first. */
  uses: '/api/assistant/uses',
  /** POST AssistantSuggestRequest → 200 application/x-ndjson of AssistantStreamEvent, or ApiError. */
  suggest: '/api/assistant/suggest',
  /** POST AssistantGenerateRequest → 200 application/x-ndjson of AssistantStreamEvent, or ApiError. */
  generate: '/api/assistant/generate',
} as const;

/** The organisation's product: the assistant exists only in Customer Engagement (SPEC (18), Contact Center (14)). */
export { OrgEdition } from './contact-center.ts';

export const Tone = z.enum(['friendly', 'formal', 'concise', 'empathetic', 'apologetic']);
export type Tone = z.infer<typeof Tone>;
export const TONES = Tone.options;

export const MAX_SUGGESTIONS = 3;
export const MAX_TICKED_MESSAGES = 20;

export const AssistantSuggestRequest = z.object({
  conversationId: Id,
  messageIds: z.array(Id).min(1, 'tick at least one message').max(MAX_TICKED_MESSAGES),
});
export type AssistantSuggestRequest = z.infer<typeof AssistantSuggestRequest>;

export const AssistantGenerateRequest = z.object({
  conversationId: Id,
  intent: z.string().trim().min(1, 'say what the reply should tell the customer').max(1000),
  tone: Tone,
});
export type AssistantGenerateRequest = z.infer<typeof AssistantGenerateRequest>;

/** Why a use failed, in a word the client turns into a sentence (assistantErrorText). */
export const AssistantErrorCode = z.enum([
  'unreachable',
  'key_refused',
  'quota_exhausted',
  'provider_rate_limited',
  'rate_limited',
  'timed_out',
  'provider_error',
  'not_configured',
  'disabled',
  'not_available',
  'offline',
]);
export type AssistantErrorCode = z.infer<typeof AssistantErrorCode>;

const ERROR_TEXT: Record<AssistantErrorCode, string> = {
  unreachable: 'The assistant’s provider could not be reached. Try again in a moment.',
  key_refused: 'The assistant’s provider refused its key. Ask an admin to check the assistant settings.',
  quota_exhausted: 'The assistant’s provider account has no quota left. Ask an admin to top it up.',
  provider_rate_limited: 'The assistant’s provider is busy (rate limited). Try again in a minute.',
  rate_limited: 'You asked the assistant many times in a short while. Wait a minute and try again.',
  timed_out: 'The assistant took too long to answer and was stopped. Try again.',
  provider_error: 'The assistant’s provider had a problem answering. Try again.',
  not_configured: 'The assistant is not set up yet. An admin can set it up under Manage.',
  disabled: 'The assistant is turned off for your organisation.',
  not_available: 'The assistant is not part of your organisation’s plan.',
  offline: 'You are offline: only suggestions from past replies are available.',
};

/** The sentence an agent reads for an error code. */
export const assistantErrorText = (code: AssistantErrorCode): string => ERROR_TEXT[code];

export const AssistantUsage = z.object({
  promptTokens: z.number().int().nonnegative().nullable(),
  completionTokens: z.number().int().nonnegative().nullable(),
});
export type AssistantUsage = z.infer<typeof AssistantUsage>;

/**
 * One line of the streamed answer. `delta.index` is the suggestion (0..2) for suggest, always 0 for generate.
 * A stream ends with exactly one `done` or `error`.
 */
export const AssistantStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), model: z.string().max(200) }),
  z.object({ type: z.literal('delta'), index: z.number().int().min(0).max(MAX_SUGGESTIONS - 1), text: z.string().max(20_000) }),
  z.object({ type: z.literal('done'), usage: AssistantUsage.nullable() }),
  z.object({ type: z.literal('error'), code: AssistantErrorCode, message: z.string().max(500) }),
]);
export type AssistantStreamEvent = z.infer<typeof AssistantStreamEvent>;

/** What the client needs to decide whether to show the assistant. */
export const AssistantStatus = z.object({
  edition: OrgEdition,
  /** Edition allows it, an admin enabled it and it is configured. */
  available: z.boolean(),
  enabled: z.boolean(),
  configured: z.boolean(),
  /** The notice shown beside the assistant: what leaves the organisation and where to. */
  notice: z.string().max(1000),
});
export type AssistantStatus = z.infer<typeof AssistantStatus>;

const BaseUrl = z
  .string()
  .trim()
  .max(500)
  .url('the base URL must be a full address such as https://api.openai.com')
  .refine((u) => /^https?:\/\//.test(u), 'the base URL must start with http:// or https://');

/** What an admin sets. `key` absent = keep the stored one; empty string = no key (local servers). */
export const AssistantSettingsInput = z.object({
  baseUrl: BaseUrl,
  model: z.string().trim().min(1, 'name the model').max(200),
  key: z.string().max(1000).optional(),
  maskContactDetails: z.boolean(),
  enabled: z.boolean(),
});
export type AssistantSettingsInput = z.infer<typeof AssistantSettingsInput>;

/** The settings as admins see them: never the key, only whether there is one. */
export const AssistantSettingsView = z.object({
  edition: OrgEdition,
  baseUrl: z.string().nullable(),
  model: z.string().nullable(),
  hasKey: z.boolean(),
  maskContactDetails: z.boolean(),
  enabled: z.boolean(),
  updatedAt: Timestamp.nullable(),
  notice: z.string(),
});
export type AssistantSettingsView = z.infer<typeof AssistantSettingsView>;

export const AssistantOutcome = z.union([z.literal('ok'), z.literal('cancelled'), AssistantErrorCode]);
export type AssistantOutcome = z.infer<typeof AssistantOutcome>;

/** One audit record: who used the assistant, on what, against which provider, with what result. */
export const AssistantUse = z.object({
  id: Id,
  userId: Id,
  userName: z.string(),
  conversationId: Id,
  kind: z.enum(['suggest', 'generate']),
  providerHost: z.string(),
  model: z.string(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  outcome: AssistantOutcome,
  at: Timestamp,
  durationMs: z.number().int().nonnegative(),
});
export type AssistantUse = z.infer<typeof AssistantUse>;

/** The notice an admin accepts by enabling, and agents see beside the assistant. */
export function assistantNotice(providerHost: string | null, masked: boolean): string {
  const where = providerHost ? `the AI provider at ${providerHost}` : 'the AI provider an admin sets up';
  return (
    `Using the Message Assistant sends the messages you tick (or what you type for Generate), the contact’s name, ` +
    `the channel and this inbox’s pre-written messages to ${where}. ` +
    (masked ? 'Phone numbers and email addresses are masked before anything is sent. ' : 'Phone numbers and email addresses in them are sent as written. ') +
    'Nothing is ever sent to the customer without you.'
  );
}
