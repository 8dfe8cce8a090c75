import type { Readable } from 'node:stream';
import { ATTACHMENT_LIMITS } from '../../protocol/attachments.ts';
import { newAttachmentId, storedAttachment, type StoredAttachment } from '../domain/attachments.ts';
import type { BlobBody, BlobStore } from '../storage/blob-store.ts';
import type { AttachmentRow, Storage } from '../storage/storage.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Who stores a file, and where it belongs so far. */
export interface AttachmentDraft {
  name: string;
  contentType: string;
  /** Agents upload into a conversation; provider media and web chat uploads get theirs when a message links them. */
  conversationId: string | null;
  channelId: string | null;
  uploaderId: string;
}

/**
 * Attachments as the routes see them: facts in the database, bytes in the blob store, under one id. Every
 * instance on the same database and blob store sees every file. A file's row is written before its bytes
 * (a reservation) and committed after them, so bytes whose writer died are still found by `sweep`.
 */
export class AttachmentFiles {
  constructor(
    private readonly storage: Storage,
    readonly blobs: BlobStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Stores a file: reserve, write the bytes (at most `maxBytes`), let `check` refuse them by their size (it throws),
   * commit. Whatever is thrown on the way (the body's own error included) removes both and is passed on.
   */
  async store(draft: AttachmentDraft, body: BlobBody, options: { maxBytes?: number; check?: (size: number) => void } = {}): Promise<AttachmentRow> {
    const row: AttachmentRow = { id: newAttachmentId(), ...draft, size: 0, createdAt: this.clock(), committed: false, messageId: null, linkedAt: null };
    await this.storage.transaction((tx) => tx.addAttachment(row));
    try {
      const { size } = await this.blobs.put(row.id, body, { contentType: draft.contentType, maxBytes: options.maxBytes ?? ATTACHMENT_LIMITS.maxTotalBytes });
      options.check?.(size);
      await this.storage.transaction((tx) => tx.commitAttachment(row.id, size));
      return { ...row, size, committed: true };
    } catch (err) {
      await this.discard(row.id);
      throw err;
    }
  }

  /** Removes a file no message carries (a refused upload, media of a webhook retried): bytes first, then facts. */
  async discard(id: string): Promise<void> {
    await this.blobs.delete(id);
    await this.storage.transaction((tx) => tx.deleteAttachment(id, { unlinkedOnly: true }));
  }

  /** A committed file of a conversation (who may read it is the caller's question), or null. */
  get(id: string): Promise<StoredAttachment | null> {
    return this.storage.transaction((tx) => storedAttachment(tx, id), { kind: 'read' });
  }

  /** The facts of any file (pending uploads too), or null. */
  row(id: string): Promise<AttachmentRow | null> {
    return this.storage.transaction((tx) => tx.getAttachment(id), { kind: 'read' });
  }

  /** What one uploader stored through one channel since `since` (web chat visitors' quotas). */
  uploadsOf(channelId: string, uploaderId: string, since: number): Promise<AttachmentRow[]> {
    return this.storage.transaction((tx) => tx.attachmentsOfUploader(channelId, uploaderId, since), { kind: 'read' });
  }

  /** The bytes as a stream with their size, or null when they are gone. */
  open(id: string): Promise<{ body: Readable; size: number } | null> {
    return this.blobs.get(id);
  }

  /** The whole file (adapters that upload it elsewhere: WhatsApp media), or null. */
  async read(id: string): Promise<Buffer | null> {
    const blob = await this.blobs.get(id);
    if (!blob) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of blob.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Housekeeping: files no message carries, older than `maxAgeMs` (a day), are removed — facts first, and only
   * while still unlinked, so a message linking one at the same moment keeps it whole; then the bytes. Returns
   * how many went. (A crash between the two leaves bytes nothing names: harmless, and rare.)
   */
  async sweep(maxAgeMs = DAY, batch = 200): Promise<number> {
    const cutoff = this.clock() - maxAgeMs;
    let removed = 0;
    for (;;) {
      const ids = await this.storage.transaction((tx) => tx.unlinkedAttachments(cutoff, batch), { kind: 'read' });
      for (const id of ids) {
        if (await this.storage.transaction((tx) => tx.deleteAttachment(id, { unlinkedOnly: true }))) {
          await this.blobs.delete(id);
          removed++;
        }
      }
      if (ids.length < batch) return removed;
    }
  }
}
