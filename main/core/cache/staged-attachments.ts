/** Cache migration: staged files live in the cache file, so signing out removes them with it. */
export const STAGED_ATTACHMENTS_MIGRATION = `
  CREATE TABLE staged_attachments (
    id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, name TEXT NOT NULL, content_type TEXT NOT NULL,
    size INTEGER NOT NULL, data BLOB NOT NULL, server_id TEXT, created_at INTEGER NOT NULL
  );
  CREATE INDEX staged_attachments_server ON staged_attachments(server_id);
`;
