import type { Role } from './domain.ts';
import type { OrgEdition } from './assistant.ts';

/**
 * Who may do what, decided once here and asked by the server (which enforces) and the client (which only
 * hides what would be refused). Started with the Message Assistant (issue 12); older rules still live
 * beside their handlers and can move here one by one.
 */

/** Only admins set up the assistant, enable it, and read its audit records. */
export const mayAdministerAssistant = (role: Role): boolean => role === 'admin';

/** The assistant exists only in Customer Engagement organisations (SPEC (18); Contact Center (14) has none). */
export const editionOffersAssistant = (edition: OrgEdition): boolean => edition === 'customer_engagement';

/**
 * A person may ask the assistant about a conversation only if they may read it: a member of its inbox,
 * and the conversation is not a read-only one of a moved private number (SPEC (11)).
 */
export function mayUseAssistantOn(
  conversation: { inboxId: string; previousOfChannelId?: string | null } | null,
  memberInboxIds: readonly string[],
): boolean {
  if (!conversation || conversation.previousOfChannelId) return false;
  return memberInboxIds.includes(conversation.inboxId);
}
