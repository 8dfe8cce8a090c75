import type Database from 'better-sqlite3-multiple-ciphers';
import type { AttachmentRow } from '../storage.ts';
import type { SyncTx } from './serialised.ts';

type AttachmentMethods = Pick<
  SyncTx,
  'addAttachment' | 'getAttachment' | 'commitAttachment' | 'linkAttachments' | 'deleteAttachment' | 'attachmentsOfUploader' | 'unlinkedAttachments'
>;

const COLUMNS = `id, name, content_type AS contentType, size, conversation_id AS conversationId, channel_id AS channelId,
  uploader_id AS uploaderId, created_at AS createdAt, committed, message_id AS messageId, linked_at AS linkedAt`;

type Row = Omit<AttachmentRow, 'committed'> & { committed: number };
const fromRow = (row: Row): AttachmentRow => ({ ...row, committed: row.committed === 1 });

/** The attachments table: the facts of each stored file (its bytes are in the blob store under the same id). */
export function attachmentStatements(stmt: (sql: string) => Database.Statement): AttachmentMethods {
  return {
    addAttachment: (row) =>
      stmt(
        `INSERT INTO attachments (id, name, content_type, size, conversation_id, channel_id, uploader_id, created_at, committed, message_id, linked_at)
         VALUES (@id, @name, @contentType, @size, @conversationId, @channelId, @uploaderId, @createdAt, @committed, @messageId, @linkedAt)
         ON CONFLICT(id) DO NOTHING`,
      ).run({ ...row, committed: row.committed ? 1 : 0 }).changes > 0,
    getAttachment: (id) => {
      const row = stmt(`SELECT ${COLUMNS} FROM attachments WHERE id = ?`).get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    commitAttachment: (id, size) => stmt('UPDATE attachments SET committed = 1, size = ? WHERE id = ? AND committed = 0').run(size, id).changes > 0,
    linkAttachments: (ids, { conversationId, messageId, at }) => {
      let linked = 0;
      const link = stmt('UPDATE attachments SET conversation_id = ?, message_id = ?, linked_at = ? WHERE id = ? AND committed = 1 AND linked_at IS NULL');
      for (const id of new Set(ids)) linked += link.run(conversationId, messageId, at, id).changes;
      return linked;
    },
    deleteAttachment: (id, options) =>
      stmt(`DELETE FROM attachments WHERE id = ?${options?.unlinkedOnly ? ' AND linked_at IS NULL' : ''}`).run(id).changes > 0,
    attachmentsOfUploader: (channelId, uploaderId, createdSince) =>
      (
        stmt(`SELECT ${COLUMNS} FROM attachments WHERE channel_id = ? AND uploader_id = ? AND created_at >= ? ORDER BY created_at, id`).all(
          channelId,
          uploaderId,
          createdSince,
        ) as Row[]
      ).map(fromRow),
    unlinkedAttachments: (createdBefore, limit) =>
      stmt('SELECT id FROM attachments WHERE linked_at IS NULL AND created_at < ? ORDER BY created_at, id LIMIT ?').pluck().all(createdBefore, limit) as string[],
  };
}
