/**
 * The OpenAI-compatible simulator's answers: deterministic text derived from the prompt, so a demo reads
 * like a reply to the customer and a test can predict every word.
 */

export interface ChatMessageIn {
  role: string;
  content: string;
}

const SUGGESTION_OPENERS = [
  (name: string, topic: string) => `Hi ${name}, thanks for getting in touch about ${topic}. I am looking into it now and will update you shortly.`,
  (name: string, topic: string) => `Thanks ${name}! Happy to help with ${topic}. Could you share your order number so I can check the details?`,
  (name: string, topic: string) => `Hello ${name}, sorry for the trouble with ${topic}. I have passed this to the team and we will get back to you today.`,
];

const TONE_FRAMES: Record<string, (name: string, intent: string) => string> = {
  friendly: (name, intent) => `Hi ${name}! ${intent} Let me know if there is anything else I can do.`,
  formal: (name, intent) => `Dear ${name}, thank you for your message. ${intent} Kind regards.`,
  concise: (_name, intent) => `${intent}`,
  empathetic: (name, intent) => `Hi ${name}, I understand how frustrating this must be. ${intent} We are here for you.`,
  apologetic: (name, intent) => `Hi ${name}, we are very sorry about this. ${intent} Thank you for your patience.`,
};

const STOP = new Set('the a an and or but to of in on for with my your our is are was were it this that i you we me be have has do does can could would will just please hi hello thanks thank'.split(' '));

function line(prompt: string, label: string): string | null {
  const match = new RegExp(`^${label}:\\s*(.+)$`, 'im').exec(prompt);
  return match?.[1]?.trim() ?? null;
}

/** The longest meaningful word of the customer's messages: what the reply is "about". */
function topicOf(prompt: string): string {
  const quoted = [...prompt.matchAll(/^Customer(?: \([^)]*\))?:\s*(.+)$/gim)].map((m) => m[1] ?? '').join(' ');
  const words = (quoted.match(/[\p{L}]{3,}/gu) ?? []).map((w) => w.toLowerCase()).filter((w) => !STOP.has(w));
  return words.sort((a, b) => b.length - a.length || a.localeCompare(b))[0] ?? 'your message';
}

function sentence(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  if (!t) return '';
  const capital = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** What the simulated model answers to these messages. */
export function simulatedReply(messages: readonly ChatMessageIn[]): string {
  const prompt = messages.map((m) => m.content).join('\n');
  const name = (line(prompt, 'Contact') ?? 'there').split(/\s+/)[0] ?? 'there';
  // An unlinked customer is "the customer" in our prompt (a number or a mask is no name either).
  const first = /\+|\d|\[/.test(name) || /^the customer$/i.test(line(prompt, 'Contact') ?? '') ? 'there' : name;
  const intent = line(prompt, 'What to say');
  if (intent) {
    const tone = (line(prompt, 'Tone') ?? 'friendly').toLowerCase();
    const frame = TONE_FRAMES[tone] ?? TONE_FRAMES.friendly!;
    return frame(first, sentence(intent));
  }
  const topic = topicOf(prompt);
  const count = /separate them with a line containing only ---/i.test(prompt) ? SUGGESTION_OPENERS.length : 1;
  return SUGGESTION_OPENERS.slice(0, count)
    .map((make) => make(first, topic))
    .join('\n---\n');
}

/** The text cut into the pieces a model streams (a word with its following space). */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** A rough token count, as a provider would report it. */
export const roughTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));
