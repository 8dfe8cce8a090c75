import type { EntityOf } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { addPrivateNumber } from './private-numbers.ts';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/** SPEC (3) demo data: a private texting number for Sam and one for Maya, each with a little history. */
export const DEMO_PRIVATE_NUMBERS = [
  {
    ownerId: 'user_sam',
    channelId: 'pn_sam',
    number: '+14155550170',
    peer: '+16285550190',
    lines: ['Hi Sam, it’s Jordan from the climbing gym — still on for the demo day?', 'Yes! I’ll bring the new harnesses around 10.', 'Perfect, see you then.'],
  },
  {
    ownerId: 'user_maya',
    channelId: 'pn_maya',
    number: '+14155550171',
    peer: '+16285550191',
    lines: ['Maya, the wholesale catalogue is ready for review.', 'Thanks, I’ll look tonight and text you my notes.'],
  },
] as const;

export async function seedDemoPrivateNumbers(tx: StorageTx, orgId: string, now: number): Promise<void> {
  for (const spec of DEMO_PRIVATE_NUMBERS) {
    const channel = await addPrivateNumber(tx, { orgId, ownerId: spec.ownerId, channelId: spec.channelId, number: spec.number, registration: 'approved' });
    const conversationId = `conv_${spec.channelId}_1`;
    let at = now - 3 * DAY;
    const messages = spec.lines.map((body, i): EntityOf<'message'> => {
      at += 11 * MINUTE;
      const inbound = i % 2 === 0;
      return {
        id: `msg_${spec.channelId}_1_${i + 1}`,
        conversationId,
        direction: inbound ? 'in' : 'out',
        authorType: inbound ? 'contact' : 'user',
        authorId: inbound ? null : spec.ownerId,
        body,
        attachments: [],
        status: 'delivered',
        statusReason: null,
        providerId: inbound ? `demo-${conversationId}-${i + 1}` : null,
        createdAt: at,
      };
    });
    const last = messages[messages.length - 1] as EntityOf<'message'>;
    const conversation: EntityOf<'conversation'> = {
      id: conversationId,
      inboxId: channel.inboxId,
      channelId: channel.id,
      contactId: null,
      customerAddress: spec.peer,
      status: 'open',
      assigneeId: null,
      tags: [],
      createdAt: (messages[0] as EntityOf<'message'>).createdAt,
      closedAt: null,
      lastMessageAt: last.createdAt,
      lastMessagePreview: last.body,
      participantIds: [spec.ownerId],
    };
    await putRecord(tx, scopeOf.conversation(conversation), 'conversation', conversation);
    for (const message of messages) await putRecord(tx, scopeOf.conversation(conversation), 'message', message);
  }
}
