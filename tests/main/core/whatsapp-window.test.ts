import { afterEach, describe, expect, it } from 'vitest';
import { WHATSAPP_WINDOW_MS } from '../../../protocol/domain.ts';
import { conversationDetail, whatsAppWindow } from '../../../main/core/queries/conversation-detail.ts';
import { changes, channel, conversation, harness, INBOX, message, put, seedWorkspace, type Harness } from './fixtures.ts';

let h: Harness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const HOUR = 60 * 60 * 1000;
const TEMPLATE = { id: 'tpl_1', name: 'follow_up', language: 'en_US', body: 'Following up on your message.' };

function whatsAppConversation(now: number): Harness {
  const t = harness(() => now);
  seedWorkspace(t);
  t.applier.apply(
    changes([
      put(t.seq(), INBOX, 'channel', { ...channel('ch_wa', 'inbox_a'), kind: 'whatsapp', whatsappTemplates: [TEMPLATE] }),
      put(t.seq(), INBOX, 'conversation', conversation('c_wa', { channelId: 'ch_wa' })),
      put(t.seq(), INBOX, 'conversation', conversation('c_sms')),
    ]),
  );
  return t;
}

describe('the WhatsApp 24-hour window in the client core', () => {
  it('is open up to exactly 24 hours after the last inbound message, closed after, and closed with no inbound message', () => {
    expect(whatsAppWindow(1000, 1000 + WHATSAPP_WINDOW_MS)).toEqual({ open: true, closesAt: 1000 + WHATSAPP_WINDOW_MS });
    expect(whatsAppWindow(1000, 1001 + WHATSAPP_WINDOW_MS)).toEqual({ open: false, closesAt: 1000 + WHATSAPP_WINDOW_MS });
    expect(whatsAppWindow(null, 5000)).toEqual({ open: false, closesAt: null });
    expect(WHATSAPP_WINDOW_MS).toBe(24 * HOUR);
  });

  it('computes it from the newest cached inbound message, ignores outbound ones, and is null for other channels', () => {
    const now = 100 * HOUR;
    h = whatsAppConversation(now);
    h.applier.apply(
      changes([
        put(h.seq(), INBOX, 'message', message('in_old', 'c_wa', { createdAt: now - 30 * HOUR })),
        put(h.seq(), INBOX, 'message', message('out_new', 'c_wa', { direction: 'out', authorType: 'user', authorId: 'u_me', createdAt: now - HOUR })),
      ]),
    );
    expect(conversationDetail(h.cache, 'c_wa', now)?.whatsappWindow).toEqual({ open: false, closesAt: now - 6 * HOUR });
    expect(conversationDetail(h.cache, 'c_wa', now)?.whatsappTemplates).toEqual([TEMPLATE]);
    h.applier.apply(changes([put(h.seq(), INBOX, 'message', message('in_new', 'c_wa', { createdAt: now - 2 * HOUR }))]));
    expect(conversationDetail(h.cache, 'c_wa', now)?.whatsappWindow).toEqual({ open: true, closesAt: now + 22 * HOUR });
    expect(conversationDetail(h.cache, 'c_sms', now)?.whatsappWindow).toBeNull();
  });

  it('shows a template sent through the outbox as a pending reply with the template body', () => {
    const now = 100 * HOUR;
    h = whatsAppConversation(now);
    h.outbox.enqueue({ name: 'message.sendTemplate', args: { conversationId: 'c_wa', messageId: 'tpl_msg', templateId: 'tpl_1', parameters: [] } });
    const row = h.cache.db.prepare("SELECT body, direction, status, local FROM messages WHERE id = 'tpl_msg'").get();
    expect(row).toEqual({ body: TEMPLATE.body, direction: 'out', status: 'queued', local: 1 });
    expect(h.cache.db.prepare("SELECT message_id FROM outbox WHERE name = 'message.sendTemplate'").pluck().get()).toBe('tpl_msg');
  });
});
