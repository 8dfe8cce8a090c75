/**
 * List totals kept up to date in two small tables, so the first page after a write never
 * recounts tens of thousands of index entries (issue 2 target: page p99 ≤ 2 ms at 100k).
 *
 * conversation_counts holds one row per distinct combination of every list filter column
 * (folder, archived, inbox, channel, unread, with-me, assignee) with the number of
 * conversations in it: a few hundred rows whatever the cache size. conversation_tag_counts is
 * the same per tag. Triggers keep both in step with every write path (sync, optimistic effects,
 * rewinds, scope drops), so no caller has to remember them. assignee '' stands for "nobody"
 * (NULL would never conflict in the upsert key).
 */
const KEY = 'status, archived, inbox_id, channel_id, unread, with_me, assignee';
const val = (row: 'new' | 'old' | 'c'): string =>
  `${row}.status, ${row}.archived, ${row}.inbox_id, ${row}.channel_id, ${row}.unread, ${row}.with_me, coalesce(${row}.assignee_id, '')`;
const keyEquals = (row: 'old' | 'new'): string => `(${KEY}) = (${val(row)})`;
const changedKey = ['status', 'archived', 'inbox_id', 'channel_id', 'unread', 'with_me', 'assignee_id']
  .map((c) => `old.${c} IS NOT new.${c}`)
  .join(' OR ');

const add = (row: 'new'): string => `
    INSERT INTO conversation_counts (${KEY}, n) VALUES (${val(row)}, 1)
      ON CONFLICT (${KEY}) DO UPDATE SET n = n + 1;
    INSERT INTO conversation_tag_counts (tag, ${KEY}, n) SELECT tag, ${val(row)}, 1 FROM conversation_tags WHERE conversation_id = ${row}.id
      ON CONFLICT (tag, ${KEY}) DO UPDATE SET n = n + 1;`;
const remove = (row: 'old'): string => `
    UPDATE conversation_counts SET n = n - 1 WHERE ${keyEquals(row)};
    UPDATE conversation_tag_counts SET n = n - 1
      WHERE ${keyEquals(row)} AND tag IN (SELECT tag FROM conversation_tags WHERE conversation_id = ${row}.id);`;

export const LIST_COUNTS_MIGRATION = `
  CREATE TABLE conversation_counts (
    status TEXT NOT NULL, archived INTEGER NOT NULL, inbox_id TEXT NOT NULL, channel_id TEXT NOT NULL, unread INTEGER NOT NULL,
    with_me INTEGER NOT NULL, assignee TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (${KEY})
  ) WITHOUT ROWID;
  CREATE TABLE conversation_tag_counts (
    tag TEXT NOT NULL, status TEXT NOT NULL, archived INTEGER NOT NULL, inbox_id TEXT NOT NULL, channel_id TEXT NOT NULL,
    unread INTEGER NOT NULL, with_me INTEGER NOT NULL, assignee TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (tag, ${KEY})
  ) WITHOUT ROWID;

  CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN ${add('new')}
  END;
  CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN ${remove('old')}
  END;
  CREATE TRIGGER conversation_counts_update AFTER UPDATE OF status, archived, inbox_id, channel_id, unread, with_me, assignee_id
    ON conversations WHEN ${changedKey} BEGIN ${remove('old')} ${add('new')}
  END;
  CREATE TRIGGER conversation_tag_counts_insert AFTER INSERT ON conversation_tags BEGIN
    INSERT INTO conversation_tag_counts (tag, ${KEY}, n) SELECT new.tag, ${val('c')}, 1 FROM conversations c WHERE c.id = new.conversation_id
      ON CONFLICT (tag, ${KEY}) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER conversation_tag_counts_delete AFTER DELETE ON conversation_tags BEGIN
    UPDATE conversation_tag_counts SET n = n - 1
      WHERE (tag, ${KEY}) = (SELECT old.tag, ${val('c')} FROM conversations c WHERE c.id = old.conversation_id);
  END;

  INSERT INTO conversation_counts (${KEY}, n)
    SELECT ${val('c')}, count(*) FROM conversations c GROUP BY 1, 2, 3, 4, 5, 6, 7;
  INSERT INTO conversation_tag_counts (tag, ${KEY}, n)
    SELECT t.tag, ${val('c')}, count(*) FROM conversation_tags t JOIN conversations c ON c.id = t.conversation_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
`;
