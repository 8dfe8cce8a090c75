import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGeneratePrompt, buildSuggestPrompt, maskContactDetails } from '../../../server/assistant/prompt.ts';
import type { ConversationContext } from '../../../server/assistant/conversation-context.ts';
import { SuggestionSplitter } from '../../../server/assistant/suggestion-splitter.ts';
import { providerStatusCode } from '../../../server/assistant/provider-stream.ts';
import { InProcessAssistantRateLimit } from '../../../server/assistant/rate-limit.ts';
import { normaliseBaseUrl, providerHost } from '../../../server/assistant/config.ts';

const context = (over: Partial<ConversationContext> = {}): ConversationContext => ({
  conversationId: 'c1',
  channelKind: 'sms',
  contactName: 'Jo Park',
  messages: [
    { direction: 'in', body: 'My order 1234 is late.\nCall +1 503-555-0142' },
    { direction: 'out', body: 'Sorry Jo, checking now.' },
  ],
  houseStyle: [{ title: 'Hours', body: 'We are open 9-5, write to help@shop.example' }],
  ...over,
});

describe('prompt building', () => {
  it('names the contact, quotes the ticked messages in order, carries the channel rules and the house style', () => {
    const [system, user] = buildSuggestPrompt(context(), false);
    expect(system!.content).toContain('one SMS segment is 160 characters');
    expect(system!.content).toContain('- Hours: We are open 9-5');
    expect(system!.content).toContain('Separate them with a line containing only ---');
    expect(user!.content).toBe(
      'Contact: Jo Park\nChannel: sms\n\nCustomer: My order 1234 is late. Call +1 503-555-0142\nAgent: Sorry Jo, checking now.\n\nThe agent ticked the messages above. Draft the replies.',
    );
    const wa = buildSuggestPrompt(context({ channelKind: 'whatsapp', contactName: null }), false);
    expect(wa[0]!.content).toContain('no markdown tables');
    expect(wa[1]!.content).toContain('Contact: the customer');
  });

  it('masks phone numbers and email addresses everywhere when asked, and leaves short numbers alone', () => {
    const prompt = buildGeneratePrompt(context(), 'mail jo@example.com or ring 0044 20 7946 0958', 'formal', true)
      .map((m) => m.content)
      .join('\n');
    expect(prompt).not.toMatch(/555-0142|help@shop|jo@example|7946/);
    expect(prompt).toContain('Call [phone]');
    expect(prompt).toContain('What to say: mail [email] or ring [phone]');
    expect(prompt).toContain('Tone: formal');
    expect(prompt).toContain('order 1234'); // an order number is not a phone number
  });

  it('never lets an E.164 number or an email address through the mask (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^\+[1-9]\d{7,14}$/), fc.emailAddress(), fc.string(), (before, phone, email, after) => {
        const masked = maskContactDetails(`${before} ${phone} ${after} ${email} ${before}`);
        expect(masked).not.toContain(phone);
        expect(masked).not.toContain(email);
      }),
    );
  });
});

describe('splitting the streamed answer into suggestions', () => {
  const split = (pieces: string[]) => {
    const out: string[] = [];
    const s = new SuggestionSplitter((i, text) => (out[i] = (out[i] ?? '') + text));
    for (const p of pieces) s.push(p);
    s.end();
    return out.map((t) => t.trim());
  };

  it('splits at lines of only --- however the text is cut into chunks (property)', () => {
    const text = 'First - reply\nwith two lines\n---\nSecond -- one\n---\nThird: a---b\n---\nFourth stays in the third';
    const whole = split([text]);
    expect(whole).toEqual(['First - reply\nwith two lines', 'Second -- one', 'Third: a---b\nFourth stays in the third']);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
        expect(split(pieces)).toEqual(whole);
      }),
    );
  });

  it('hands on text at once unless it may still be a separator', () => {
    const seen: string[] = [];
    const s = new SuggestionSplitter((i, t) => seen.push(`${i}:${t}`));
    s.push('Hello ');
    expect(seen).toEqual(['0:Hello ']);
    s.push('there\n--');
    expect(seen).toEqual(['0:Hello ', '0:there\n']);
    s.push('-\nNext');
    expect(seen).toEqual(['0:Hello ', '0:there\n', '1:Next']);
  });
});

describe('provider errors in words an agent understands', () => {
  const body = (code: string, type = code) => JSON.stringify({ error: { message: 'x', type, code } });
  it.each([
    [401, body('invalid_api_key'), 'key_refused'],
    [403, '', 'key_refused'],
    [429, body('insufficient_quota'), 'quota_exhausted'],
    [402, 'payment required', 'quota_exhausted'],
    [429, body('rate_limit_exceeded', 'requests'), 'provider_rate_limited'],
    [504, '', 'timed_out'],
    [500, 'oops', 'provider_error'],
    [404, body('model_not_found'), 'provider_error'],
  ] as const)('HTTP %i %s → %s', (status, text, code) => {
    expect(providerStatusCode(status, text)).toBe(code);
  });
});

describe('settings helpers and the per-person rate limit', () => {
  it('keeps the base URL without /v1 or trailing slashes, and names only its host', () => {
    expect(normaliseBaseUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com');
    expect(normaliseBaseUrl('http://localhost:11434')).toBe('http://localhost:11434');
    expect(providerHost('https://user:secret@api.example.com:8443/openai')).toBe('api.example.com:8443');
  });

  it('refuses a person past the limit in the window, others not, and lets them in once it slides', async () => {
    let now = 0;
    const limit = new InProcessAssistantRateLimit({ limit: 2, windowMs: 1000 }, () => now);
    expect(await limit.take('a')).toEqual({ ok: true });
    now = 400;
    expect(await limit.take('a')).toEqual({ ok: true });
    expect(await limit.take('a')).toEqual({ ok: false, retryAfterMs: 600 });
    expect(await limit.take('b')).toEqual({ ok: true });
    now = 1001;
    expect(await limit.take('a')).toEqual({ ok: true });
  });
});
