import { describe, expect, it } from 'vitest';
import { ServerFrame } from '../../../protocol/sync.ts';
import { parseServerFrame } from '../../../main/core/server-frame.ts';

const message = {
  id: 'm1',
  conversationId: 'c1',
  direction: 'in',
  authorType: 'contact',
  authorId: null,
  body: 'Hello',
  attachments: [],
  status: 'delivered',
  statusReason: null,
  providerId: null,
  createdAt: 5,
};
const conversation = {
  id: 'c1',
  inboxId: 'i1',
  channelId: 'ch1',
  contactId: null,
  customerAddress: '+14155550123',
  status: 'open',
  assigneeId: 'u1',
  tags: ['vip'],
  createdAt: 1,
  closedAt: null,
  lastMessageAt: 5,
  lastMessagePreview: 'Hello',
  participantIds: ['u1'],
};
const state = { id: 'c1:u1', conversationId: 'c1', userId: 'u1', readAt: 3, archived: false };
const entry = (entity: string, record: unknown, seq = 1): Record<string, unknown> => ({ seq, scope: 'inbox:i1', op: 'put', entity, record });
const frame = (entries: unknown[]): Record<string, unknown> => ({ type: 'changes', entries, cursor: 9, caughtUp: false });

/** Bad values for each field: every one must be rejected exactly when zod rejects it. */
const BAD: unknown[] = [undefined, null, '', 'x'.repeat(65), -1, 1.5, Number.MAX_SAFE_INTEGER + 2, true, [], {}, 'bogus', ['ok', 3]];

describe('parseServerFrame (fast path for catch-up entries)', () => {
  it('accepts the hot shapes and returns what zod returns', () => {
    const json = frame([entry('message', message, 1), entry('conversation', conversation, 2), entry('conversationUserState', state, 3),
      entry('conversation', { ...conversation, previousOfChannelId: 'ch9' }, 4), entry('message', { ...message, attachments: [{ id: 'a', name: 'a.png', contentType: 'image/png', size: 3 }] }, 5)]);
    const fast = parseServerFrame(json);
    expect(fast.success).toBe(true);
    expect(fast.success && fast.data).toEqual(ServerFrame.parse(json));
  });

  it('agrees with zod on every single-field corruption of every hot shape', () => {
    const cases: { entity: string; record: Record<string, unknown> }[] = [
      { entity: 'message', record: message },
      { entity: 'conversation', record: conversation },
      { entity: 'conversationUserState', record: state },
    ];
    let rejected = 0;
    for (const { entity, record } of cases) {
      for (const key of [...Object.keys(record), 'extra', 'previousOfChannelId']) {
        for (const bad of BAD) {
          const json = frame([entry(entity, { ...record, [key]: bad })]);
          const zod = ServerFrame.safeParse(json);
          const fast = parseServerFrame(json);
          expect(fast.success, `${entity}.${key} = ${JSON.stringify(bad)}`).toBe(zod.success);
          if (fast.success && zod.success) expect(fast.data).toEqual(zod.data);
          if (!zod.success) rejected++;
        }
      }
    }
    expect(rejected).toBeGreaterThan(200);
  });

  it('rejects bad envelopes and entry heads like zod, and leaves other frames to zod', () => {
    const bads = [
      { ...frame([entry('message', message)]), cursor: -1 },
      { ...frame([entry('message', message)]), caughtUp: 'no' },
      frame([{ ...entry('message', message), scope: 'nope' }]),
      frame([{ ...entry('message', message), seq: 0 }]),
      frame([{ ...entry('message', message), op: 'upsert' }]),
      frame([{ ...entry('message', message), entity: 'gizmo' }]),
      frame(Array.from({ length: 501 }, (_, i) => entry('message', { ...message, id: `m${i}` }, i + 1))),
    ];
    for (const json of bads) {
      expect(ServerFrame.safeParse(json).success).toBe(false);
      expect(parseServerFrame(json).success).toBe(false);
    }
    const ping = { type: 'ping', t: 4 };
    expect(parseServerFrame(ping)).toEqual(ServerFrame.safeParse(ping));
  });
});
