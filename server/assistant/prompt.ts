import { MAX_SUGGESTIONS, type Tone } from '../../protocol/assistant.ts';
import type { ChannelKind } from '../../protocol/domain.ts';
import type { ConversationContext } from './conversation-context.ts';

/** The chat-completions messages we send; nothing else of the conversation leaves the server. */
export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** The line that separates suggestions in the model's answer (the stream splitter looks for it). */
export const SUGGESTION_SEPARATOR = '---';

// Phone-like runs: an optional +, then digits with the usual separators, at least 7 digits in all.
const PHONE = /(?:\+|\b)\d(?:[\s().-]{0,2}\d){6,}\b/g;
const EMAIL = /[^\s@<>()[\]",;:]+@[\p{L}\p{N}.-]+\.[\p{L}\p{N}-]{2,}/gu;

/** Replaces phone numbers and email addresses before text leaves the server (the admin's masking option). */
export function maskContactDetails(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

const CHANNEL_RULES: Record<ChannelKind, string> = {
  sms:
    'The reply goes out as an SMS: plain text only, no markdown. Keep it short: one SMS segment is 160 characters ' +
    '(70 with emoji or non-Latin letters), and every extra segment costs; aim for at most 2 segments.',
  whatsapp: 'The reply goes out on WhatsApp: no markdown tables or headings; *bold* is allowed sparingly. Keep it conversational and brief.',
  webchat: 'The reply goes out in a website chat: plain text, a few short sentences.',
};

const TONES: Record<Tone, string> = {
  friendly: 'friendly and warm',
  formal: 'formal and polite',
  concise: 'concise: as few words as possible',
  empathetic: 'empathetic: acknowledge how the customer feels',
  apologetic: 'apologetic: say sorry clearly and take responsibility',
};

function systemPrompt(context: ConversationContext, task: string): string {
  const style = context.houseStyle.length
    ? `House style: the team's pre-written messages read like this:\n${context.houseStyle.map((c) => `- ${c.title}: ${c.body}`).join('\n')}`
    : '';
  return [
    'You help a customer service agent draft replies to a customer. You never send anything; the agent edits and sends.',
    'Never invent order numbers, prices, dates or promises that are not in the conversation.',
    CHANNEL_RULES[context.channelKind],
    style,
    task,
  ]
    .filter(Boolean)
    .join('\n\n');
}

function transcript(context: ConversationContext, mask: (s: string) => string): string {
  const name = context.contactName ? mask(context.contactName) : 'the customer';
  const lines = context.messages.map((m) => `${m.direction === 'in' ? 'Customer' : 'Agent'}: ${mask(m.body).replace(/\s*\n\s*/g, ' ')}`);
  return [`Contact: ${name}`, `Channel: ${context.channelKind}`, '', ...lines].join('\n');
}

const identity = (s: string): string => s;

/** Suggest: up to three different replies to the ticked messages, separated by a line with only ---. */
export function buildSuggestPrompt(context: ConversationContext, mask: boolean): PromptMessage[] {
  const m = mask ? maskContactDetails : identity;
  const task =
    `Write ${MAX_SUGGESTIONS} different replies the agent could send next, each complete on its own. ` +
    `Separate them with a line containing only ${SUGGESTION_SEPARATOR} and write nothing else (no numbering, no introductions).`;
  return [
    { role: 'system', content: m(systemPrompt(context, task)) },
    { role: 'user', content: `${transcript(context, m)}\n\nThe agent ticked the messages above. Draft the replies.` },
  ];
}

/** Generate: one reply saying what the agent wants, in the chosen tone. */
export function buildGeneratePrompt(context: ConversationContext, intent: string, tone: Tone, mask: boolean): PromptMessage[] {
  const m = mask ? maskContactDetails : identity;
  const task = `Write one reply in a ${TONES[tone]} tone that says what the agent wants to say. Write only the reply.`;
  return [
    { role: 'system', content: m(systemPrompt(context, task)) },
    { role: 'user', content: `${transcript(context, m)}\n\nWhat to say: ${m(intent.replace(/\s*\n\s*/g, ' '))}\nTone: ${tone}` },
  ];
}
