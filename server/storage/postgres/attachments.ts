import type { AttachmentRow, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type AttachmentMethods = Pick<
  StorageTx,
  'addAttachment' | 'getAttachment' | 'commitAttachment' | 'linkAttachments' | 'deleteAttachment' | 'attachmentsOfUploader' | 'unlinkedAttachments'
>;

const COLUMNS = `id, name, content_type AS "contentType", size, conversation_id AS "conversationId", channel_id AS "channelId",
  uploader_id AS "uploaderId", created_at AS "createdAt", committed, message_id AS "messageId", linked_at AS "linkedAt"`;

type Row = AttachmentRow & Record<string, unknown>;

/**
 * The attachments table: the facts of each stored file (its bytes are in the blob store under the same id).
 * Linking is one UPDATE guarded by `linked_at IS NULL`, so two instances linking the same upload at once (two
 * messages naming it) leave it on one message: under SERIALIZABLE the second is retried and finds it linked.
 */
export function attachmentMethods(q: Query): AttachmentMethods {
  return {
    addAttachment: async (row) =>
      ((
        await q(
          `INSERT INTO attachments (id, name, content_type, size, conversation_id, channel_id, uploader_id, created_at, committed, message_id, linked_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
          [row.id, row.name, row.contentType, row.size, row.conversationId, row.channelId, row.uploaderId, row.createdAt, row.committed, row.messageId, row.linkedAt],
        )
      ).rowCount ?? 0) > 0,
    getAttachment: async (id) => (await q<Row>(`SELECT ${COLUMNS} FROM attachments WHERE id = $1`, [id])).rows[0] ?? null,
    commitAttachment: async (id, size) =>
      ((await q('UPDATE attachments SET committed = true, size = $1 WHERE id = $2 AND NOT committed', [size, id])).rowCount ?? 0) > 0,
    linkAttachments: async (ids, { conversationId, messageId, at }) =>
      ids.length === 0
        ? 0
        : ((
            await q(
              `UPDATE attachments SET conversation_id = $1, message_id = $2, linked_at = $3
               WHERE id = ANY($4::text[]) AND committed AND linked_at IS NULL`,
              [conversationId, messageId, at, [...new Set(ids)]],
            )
          ).rowCount ?? 0),
    deleteAttachment: async (id, options) =>
      ((await q(`DELETE FROM attachments WHERE id = $1${options?.unlinkedOnly ? ' AND linked_at IS NULL' : ''}`, [id])).rowCount ?? 0) > 0,
    attachmentsOfUploader: async (channelId, uploaderId, createdSince) =>
      (
        await q<Row>(
          `SELECT ${COLUMNS} FROM attachments WHERE channel_id = $1 AND uploader_id = $2 AND created_at >= $3 ORDER BY created_at, id`,
          [channelId, uploaderId, createdSince],
        )
      ).rows,
    unlinkedAttachments: async (createdBefore, limit) =>
      (await q<{ id: string }>('SELECT id FROM attachments WHERE linked_at IS NULL AND created_at < $1 ORDER BY created_at, id LIMIT $2', [createdBefore, limit])).rows.map(
        (r) => r.id,
      ),
  };
}
