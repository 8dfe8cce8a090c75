import { describe, expect, it } from 'vitest';
import { WEBCHAT_LIMITS, WebchatClientFrame, WebchatServerFrame } from '../../protocol/webchat.ts';

const token = 'a'.repeat(43);

describe('web chat frames', () => {
  it('accepts hello, send and ack', () => {
    expect(WebchatClientFrame.parse({ type: 'hello', widgetKey: 'widget-sales', visitorToken: null }).type).toBe('hello');
    expect(WebchatClientFrame.parse({ type: 'hello', widgetKey: 'w', visitorToken: token, name: ' Ann ', email: 'ann@example.com' })).toMatchObject({ name: 'Ann' });
    expect(WebchatClientFrame.parse({ type: 'send', clientMessageId: 'abc_1', body: ' hi ' })).toMatchObject({ body: 'hi' });
    expect(WebchatClientFrame.parse({ type: 'ack', messageIds: ['msg_1'] }).type).toBe('ack');
  });

  it.each([
    ['unknown type', { type: 'subscribe', conversationId: 'conv_1' }],
    ['malformed token', { type: 'hello', widgetKey: 'w', visitorToken: 'short' }],
    ['token with odd characters', { type: 'hello', widgetKey: 'w', visitorToken: `${token.slice(1)}/` }],
    ['bad email', { type: 'hello', widgetKey: 'w', visitorToken: null, email: 'not-an-email' }],
    ['empty body', { type: 'send', clientMessageId: 'a', body: '   ' }],
    ['oversized body', { type: 'send', clientMessageId: 'a', body: 'x'.repeat(WEBCHAT_LIMITS.maxBodyChars + 1) }],
    ['bad client message id', { type: 'send', clientMessageId: 'a b', body: 'hi' }],
    ['empty ack', { type: 'ack', messageIds: [] }],
    ['huge ack', { type: 'ack', messageIds: Array.from({ length: 101 }, (_, i) => `m${i}`) }],
  ])('rejects %s', (_label, frame) => {
    expect(WebchatClientFrame.safeParse(frame).success).toBe(false);
  });

  it('strips a smuggled conversation id: the conversation always comes from the token', () => {
    expect(WebchatClientFrame.parse({ type: 'send', clientMessageId: 'a', body: 'hi', conversationId: 'conv_x' })).not.toHaveProperty('conversationId');
  });

  it('describes server frames', () => {
    expect(WebchatServerFrame.parse({ type: 'welcome', visitorToken: token, title: 'Sales web chat', history: [] }).type).toBe('welcome');
    expect(WebchatServerFrame.safeParse({ type: 'message', message: { id: 'm', from: 'bot', body: '', createdAt: 1 } }).success).toBe(false);
  });
});
