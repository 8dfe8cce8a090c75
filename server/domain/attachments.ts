import { randomBytes } from 'node:crypto';
import { attachmentSetError, SERVER_ATTACHMENT_ID } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import type { AttachmentRow, StorageTx } from '../storage/storage.ts';

/**
 * Attachment facts live in the database (StorageTx: attachments table), the bytes in a BlobStore
 * (../storage/blob-store.ts, implementations in server/blobs/) under the same id. Ids are random
 * (att_ + 32 hex digits), so no client-supplied name or id ever names stored bytes.
 */
export const newAttachmentId = (): string => `att_${randomBytes(16).toString('hex')}`;

/** A committed attachment bound to a conversation: what the download routes may serve (to whom, they decide). */
export type StoredAttachment = Attachment & { conversationId: string; uploaderId: string; createdAt: number };

export const attachmentOf = (row: Pick<AttachmentRow, 'id' | 'name' | 'contentType' | 'size'>): Attachment => ({
  id: row.id,
  name: row.name,
  contentType: row.contentType,
  size: row.size,
});

/** The facts of a committed attachment that belongs to a conversation, or null (unknown, still being written, pending). */
export async function storedAttachment(tx: StorageTx, id: string): Promise<StoredAttachment | null> {
  if (!SERVER_ATTACHMENT_ID.test(id)) return null;
  const row = await tx.getAttachment(id);
  if (!row?.committed || row.conversationId === null) return null;
  return { ...attachmentOf(row), conversationId: row.conversationId, uploaderId: row.uploaderId, createdAt: row.createdAt };
}

/**
 * message.send: the attachments must be files this person uploaded to this conversation, within
 * the limits; the message carries the server's facts about them (read in the handler's transaction).
 * Returns the list or why not. `accept` false: this server takes no attachments.
 */
export async function verifyMessageAttachments(
  tx: StorageTx,
  accept: boolean,
  claimed: readonly Attachment[],
  conversationId: string,
  actorId: string,
): Promise<Attachment[] | string> {
  if (claimed.length === 0) return [];
  if (!accept) return 'This server does not accept attachments.';
  const out: Attachment[] = [];
  for (const a of claimed) {
    const stored = await storedAttachment(tx, a.id);
    if (!stored || stored.conversationId !== conversationId || stored.uploaderId !== actorId) {
      return 'An attachment of this message was not uploaded to this conversation; attach the file again.';
    }
    out.push(attachmentOf(stored));
  }
  if (new Set(out.map((a) => a.id)).size !== out.length) return 'The same attachment is listed twice.';
  return attachmentSetError(out) ?? out;
}

/** Binds a new message's files to it, in the transaction that writes it: linked files are kept, pending ones expire. */
export async function linkMessageAttachments(tx: StorageTx, message: { id: string; conversationId: string; attachments: readonly Attachment[] }, now: number): Promise<void> {
  if (message.attachments.length === 0) return;
  await tx.linkAttachments(
    message.attachments.map((a) => a.id),
    { conversationId: message.conversationId, messageId: message.id, at: now },
  );
}
