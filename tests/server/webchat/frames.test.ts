import { describe, expect, it } from 'vitest';
import { WebchatClientFrame, WebchatServerFrame } from '../../../protocol/webchat.ts';

const att = (n: number) => `att_${String(n).padStart(32, '0')}`;

describe('web chat attachment frames', () => {
  it('accepts a send with only attachments, and a ping', () => {
    expect(WebchatClientFrame.parse({ type: 'send', clientMessageId: 'a', body: '', attachmentIds: [att(1)] })).toMatchObject({ attachmentIds: [att(1)] });
    expect(WebchatClientFrame.parse({ type: 'ping' }).type).toBe('ping');
  });

  it.each([
    ['neither text nor attachments', { type: 'send', clientMessageId: 'a', body: ' ', attachmentIds: [] }],
    ['a duplicate attachment', { type: 'send', clientMessageId: 'a', body: 'x', attachmentIds: [att(1), att(1)] }],
    ['too many attachments', { type: 'send', clientMessageId: 'a', body: 'x', attachmentIds: Array.from({ length: 11 }, (_, i) => att(i)) }],
    ['a path for an id', { type: 'send', clientMessageId: 'a', body: 'x', attachmentIds: ['../switchboard.sqlite'] }],
  ])('rejects %s', (_label, frame) => {
    expect(WebchatClientFrame.safeParse(frame).success).toBe(false);
  });

  it('carries attachments on server messages (absent = none) and the refused message id on errors', () => {
    const pushed = WebchatServerFrame.parse({ type: 'message', message: { id: 'm', from: 'agent', body: '', createdAt: 1 } });
    expect(pushed.type === 'message' && pushed.message.attachments).toEqual([]);
    expect(WebchatServerFrame.parse({ type: 'error', code: 'not_sent', message: 'no', clientMessageId: 'abc' })).toMatchObject({ clientMessageId: 'abc' });
  });
});
