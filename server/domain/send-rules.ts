import { WHATSAPP_WINDOW_MS, type EntityOf } from '../../protocol/domain.ts';
import type { RejectionCode } from '../../protocol/mutations.ts';
import type { StorageTx } from '../storage/storage.ts';

export interface SendRefusal {
  code: Extract<RejectionCode, 'not_registered' | 'opted_out' | 'window_closed'>;
  message: string;
}

/**
 * Whether the channel may carry a reply to this conversation now: checked when a reply is written (a
 * refusal) and again when its send job runs (a failure), since a customer may text STOP or the WhatsApp
 * window may close while a send waits for its retry. Templates may open a closed WhatsApp window.
 */
export async function sendRefusal(
  tx: StorageTx,
  conversation: EntityOf<'conversation'>,
  channel: EntityOf<'channel'>,
  kind: { template: boolean },
  now: number,
): Promise<SendRefusal | null> {
  if (channel.kind === 'sms') {
    if (channel.registration !== 'approved') {
      return {
        code: 'not_registered',
        message: `${channel.name} cannot send texts until its carrier registration is approved (it is ${channel.registration ?? 'unregistered'}): ask an admin to complete carrier registration for ${channel.address} (Manage → the inbox → Carrier registration), then press Retry.`,
      };
    }
    const contact = conversation.contactId ? await tx.get('contact', conversation.contactId) : null;
    if (contact?.smsOptOut) return { code: 'opted_out', message: `${contact.name} has opted out of text messages; they must text START to opt back in.` };
  }
  if (channel.kind === 'whatsapp' && !kind.template) {
    const lastInbound = await tx.lastInboundMessageAt(conversation.id);
    if (lastInbound === null || now - lastInbound > WHATSAPP_WINDOW_MS) {
      return { code: 'window_closed', message: 'WhatsApp allows free-form replies only within 24 hours of the customer’s last message.' };
    }
  }
  return null;
}
