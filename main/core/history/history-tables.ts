/**
 * Client cache migration 12 (issue 13): what a windowed first sync left out, and what is known to be whole.
 *
 * - history_complete: a conversation or chat whose older messages are all in the cache. A row that is deleted
 *   (scope lost, reset snapshot, optimistic rewind) takes its mark with it, so a re-synced window never
 *   passes for a whole history. Caches synced before windows were whole: their rows are marked here.
 * - history_views: per list view, the server's totals (and counts) and how far the list's paging got.
 * - history_fill: the background fill's cursor, its budget and how far back it has reached.
 * - history_tombstones: ids deleted since a fetch began, so an answer read before a delete never brings the
 *   record back (a fetch keeps the highest seq it saw at its start; see history-writer.ts). Optimistic copies
 *   (messages.local = 1) are rewound and replayed on every sync batch and are never fetched: not recorded.
 */
const tombstone = (table: string, when = ''): string => `
  CREATE TRIGGER history_tombstone_${table} AFTER DELETE ON ${table} ${when} BEGIN
    INSERT INTO history_tombstones (id) VALUES (old.id);
  END;`;

export const HISTORY_MIGRATION = `
  CREATE TABLE history_complete (kind TEXT NOT NULL CHECK (kind IN ('conversation', 'chat')), id TEXT NOT NULL,
    PRIMARY KEY (kind, id)) WITHOUT ROWID;
  CREATE TABLE history_views (
    view TEXT PRIMARY KEY, total INTEGER, counts TEXT, totals_head INTEGER, totals_at INTEGER,
    list_after TEXT, list_done INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE history_fill (
    id INTEGER PRIMARY KEY CHECK (id = 1), budget_days INTEGER NOT NULL DEFAULT 90, after TEXT,
    reached INTEGER, done INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO history_fill (id) VALUES (1);
  CREATE TABLE history_tombstones (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL);
  CREATE INDEX history_tombstones_id ON history_tombstones(id, seq);
  ${tombstone('messages', 'WHEN old.local = 0')}
  ${tombstone('chat_messages')}
  ${tombstone('conversations')}
  ${tombstone('contacts')}
  ${tombstone('surveys')}
  CREATE TRIGGER history_complete_conversation AFTER DELETE ON conversations BEGIN
    DELETE FROM history_complete WHERE kind = 'conversation' AND id = old.id;
  END;
  CREATE TRIGGER history_complete_chat AFTER DELETE ON chats BEGIN
    DELETE FROM history_complete WHERE kind = 'chat' AND id = old.id;
  END;
  INSERT INTO history_complete (kind, id) SELECT 'conversation', id FROM conversations;
  INSERT INTO history_complete (kind, id) SELECT 'chat', id FROM chats;
  UPDATE history_fill SET done = 1 WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'cursor');
`;
