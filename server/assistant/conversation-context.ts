import type { ChannelKind, EntityOf } from '../../protocol/domain.ts';
import { permissions } from '../../protocol/permissions.ts';
import type { Domain } from '../domain/domain.ts';

/** What the prompt is built from, read in one transaction after the membership check (issue 12). */
export interface ConversationContext {
  conversationId: string;
  channelKind: ChannelKind;
  /** The linked contact's name; null for an unlinked customer (never their number). */
  contactName: string | null;
  /** Oldest first: the ticked messages (suggest) or the latest few (generate). */
  messages: Array<{ direction: 'in' | 'out'; body: string }>;
  /** The inbox's pre-written messages, as house style. */
  houseStyle: Array<{ title: string; body: string }>;
}

const HOUSE_STYLE_LIMIT = 8;
const GENERATE_CONTEXT_MESSAGES = 6;

/**
 * Null when the person may not read the conversation (not a member of its inbox; a moved private number's
 * read-only history) — the caller answers as for a conversation that does not exist. Ticked ids of other
 * conversations are ignored.
 */
export function readConversationContext(
  domain: Domain,
  user: EntityOf<'user'>,
  conversationId: string,
  messageIds: readonly string[] | null,
): Promise<ConversationContext | null> {
  return domain.read(async (tx) => {
    const conversation = await tx.get('conversation', conversationId);
    if (!conversation || !permissions.useAssistantOn(conversation, await tx.inboxIdsOfUser(user.id))) return null;
    const channel = await tx.get('channel', conversation.channelId);
    const contact = conversation.contactId ? await tx.get('contact', conversation.contactId) : null;
    const picked = messageIds
      ? (await Promise.all(messageIds.map((id) => tx.get('message', id)))).filter((m): m is EntityOf<'message'> => m?.conversationId === conversationId)
      : await tx.recentMessagesOfConversation(conversationId, GENERATE_CONTEXT_MESSAGES);
    picked.sort((a, b) => a.createdAt - b.createdAt);
    return {
      conversationId,
      channelKind: channel?.kind ?? 'sms',
      contactName: contact?.name ?? null,
      messages: picked.filter((m) => m.body.trim()).map((m) => ({ direction: m.direction, body: m.body })),
      houseStyle: (await tx.list('cannedResponse', { inboxId: conversation.inboxId }, '', HOUSE_STYLE_LIMIT)).map((c) => ({ title: c.title, body: c.body })),
    };
  });
}
