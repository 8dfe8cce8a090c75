import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { attachmentSetError, SERVER_ATTACHMENT_ID } from '../../protocol/attachments.ts';
import { Attachment, Id } from '../../protocol/domain.ts';

/** An uploaded file's facts, as the server measured them (never as a client claimed). */
export const StoredAttachment = Attachment.extend({ conversationId: Id, uploaderId: Id, createdAt: z.number().int() });
export type StoredAttachment = z.infer<typeof StoredAttachment>;

export interface AttachmentLookup {
  get(id: string): StoredAttachment | null;
}

/**
 * Uploaded files under <dataDir>/attachments/: `<id>` holds the bytes and `<id>.json` the facts.
 * Ids are random (att_ + 32 hex digits) and checked against that pattern before any path is
 * built, so no client-supplied name or id ever reaches the file system.
 */
export class AttachmentStore implements AttachmentLookup {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'attachments');
    mkdirSync(this.dir, { recursive: true });
  }

  newId(): string {
    return `att_${randomBytes(16).toString('hex')}`;
  }

  /** Where an upload is written before it is complete and checked. */
  partPath(id: string): string {
    return join(this.dir, `${this.checked(id)}.part`);
  }

  filePath(id: string): string {
    return join(this.dir, this.checked(id));
  }

  /** Makes a complete upload visible. */
  commit(meta: StoredAttachment): void {
    writeFileSync(join(this.dir, `${this.checked(meta.id)}.json`), JSON.stringify(meta));
    renameSync(this.partPath(meta.id), this.filePath(meta.id));
  }

  discard(id: string): void {
    rmSync(this.partPath(id), { force: true });
  }

  get(id: string): StoredAttachment | null {
    if (!SERVER_ATTACHMENT_ID.test(id)) return null;
    const metaFile = join(this.dir, `${id}.json`);
    if (!existsSync(metaFile) || !existsSync(this.filePath(id))) return null;
    const parsed = StoredAttachment.safeParse(JSON.parse(readFileSync(metaFile, 'utf8')));
    return parsed.success ? parsed.data : null;
  }

  private checked(id: string): string {
    if (!SERVER_ATTACHMENT_ID.test(id)) throw new Error('not an attachment id');
    return id;
  }
}

/**
 * message.send: the attachments must be files this person uploaded to this conversation, within
 * the limits; the message carries the server's facts about them. Returns the list or why not.
 */
export function verifyMessageAttachments(
  lookup: AttachmentLookup | null,
  claimed: readonly Attachment[],
  conversationId: string,
  actorId: string,
): Attachment[] | string {
  if (claimed.length === 0) return [];
  if (!lookup) return 'This server does not accept attachments.';
  const out: Attachment[] = [];
  for (const a of claimed) {
    const stored = lookup.get(a.id);
    if (!stored || stored.conversationId !== conversationId || stored.uploaderId !== actorId) {
      return 'An attachment of this message was not uploaded to this conversation; attach the file again.';
    }
    out.push({ id: stored.id, name: stored.name, contentType: stored.contentType, size: stored.size });
  }
  if (new Set(out.map((a) => a.id)).size !== out.length) return 'The same attachment is listed twice.';
  return attachmentSetError(out) ?? out;
}
