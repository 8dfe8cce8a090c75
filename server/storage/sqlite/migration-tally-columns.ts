import { escapeItemSql } from '../tally-groups.ts';

/** A list column (tally-groups.ts listColumn) filled from a JSON array of strings. */
const listColumnSql = (path: string): string =>
  `char(10) || coalesce((SELECT group_concat(${escapeItemSql('value', 'char(10)')} || char(10), '') FROM json_each(data, '${path}')), '')`;

/**
 * 16: the view totals and server search on plain columns (issue 13): conversations get the facts a tally
 * groups by (assignee, listed, participants and tags as list columns: server/storage/tally-groups.ts), the
 * person's states their archived flag and read mark, contacts the text search matches. Each is written by its
 * table's picker (entity-tables.ts) on every put and filled here from the JSON. conversation_user_states_facts
 * covers the tally's join and replaces conversation_user_states_conversation (its prefix).
 */
export const TALLY_COLUMNS_MIGRATION = `
  ALTER TABLE conversations ADD COLUMN assignee_id TEXT;
  ALTER TABLE conversations ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE conversations ADD COLUMN participant_ids TEXT NOT NULL DEFAULT '';
  ALTER TABLE conversations ADD COLUMN tag_list TEXT NOT NULL DEFAULT '';
  UPDATE conversations SET
    assignee_id = json_extract(data, '$.assigneeId'),
    listed = coalesce(json_extract(data, '$.previousOfChannelId'), '') = '',
    participant_ids = ${listColumnSql('$.participantIds')},
    tag_list = ${listColumnSql('$.tags')};
  CREATE INDEX conversations_tally ON conversations(inbox_id, status, channel_id, listed, assignee_id, participant_ids, tag_list, id);

  ALTER TABLE conversation_user_states ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversation_user_states ADD COLUMN read_at INTEGER;
  UPDATE conversation_user_states SET archived = coalesce(json_extract(data, '$.archived'), 0), read_at = json_extract(data, '$.readAt');
  CREATE INDEX conversation_user_states_archived ON conversation_user_states(user_id, conversation_id) WHERE archived = 1;
  DROP INDEX conversation_user_states_conversation;
  CREATE INDEX conversation_user_states_facts ON conversation_user_states(conversation_id, user_id, archived, read_at);

  ALTER TABLE contacts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
  UPDATE contacts SET search_text = json_extract(data, '$.name') || char(10) || coalesce(json_extract(data, '$.email'), '') || char(10)
    || coalesce(json_extract(data, '$.company'), '') || coalesce((SELECT group_concat(char(10) || value, '') FROM json_each(data, '$.phones')), '');
  CREATE INDEX contacts_search ON contacts(org_id, search_text, owner_id, id);
`;
