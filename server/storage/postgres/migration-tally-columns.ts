import { escapeItemSql } from '../tally-groups.ts';

/** A list column (tally-groups.ts listColumn) filled from a JSON array of strings, in its order. */
const listColumnSql = (field: string): string =>
  `E'\\n' || coalesce((SELECT string_agg(${escapeItemSql('v', "E'\\n'")} || E'\\n', '' ORDER BY i) FROM jsonb_array_elements_text(data->'${field}') WITH ORDINALITY AS a(v, i)), '')`;

/**
 * 7: the view totals and server search on plain columns (issue 13; SQLite migration 16, which says why).
 * conversation_user_states_facts covers the tally's join and replaces conversation_user_states_conversation_user.
 * ANALYZE gives the planner the new columns' statistics at once.
 */
export const TALLY_COLUMNS_MIGRATION = `
  ALTER TABLE conversations ADD COLUMN assignee_id text COLLATE "C";
  ALTER TABLE conversations ADD COLUMN listed smallint NOT NULL DEFAULT 1;
  ALTER TABLE conversations ADD COLUMN participant_ids text COLLATE "C" NOT NULL DEFAULT '';
  ALTER TABLE conversations ADD COLUMN tag_list text COLLATE "C" NOT NULL DEFAULT '';
  UPDATE conversations SET
    assignee_id = data->>'assigneeId',
    listed = CASE WHEN coalesce(data->>'previousOfChannelId', '') = '' THEN 1 ELSE 0 END,
    participant_ids = ${listColumnSql('participantIds')},
    tag_list = ${listColumnSql('tags')};
  CREATE INDEX conversations_tally ON conversations(inbox_id, status, channel_id, listed, assignee_id, participant_ids, tag_list, id);

  ALTER TABLE conversation_user_states ADD COLUMN archived smallint NOT NULL DEFAULT 0;
  ALTER TABLE conversation_user_states ADD COLUMN read_at bigint;
  UPDATE conversation_user_states SET
    archived = CASE WHEN coalesce((data->>'archived')::boolean, false) THEN 1 ELSE 0 END,
    read_at = (data->>'readAt')::bigint;
  CREATE INDEX conversation_user_states_archived ON conversation_user_states(user_id, conversation_id) WHERE archived = 1;
  DROP INDEX conversation_user_states_conversation_user;
  CREATE INDEX conversation_user_states_facts ON conversation_user_states(conversation_id, user_id) INCLUDE (archived, read_at);

  ALTER TABLE contacts ADD COLUMN search_text text NOT NULL DEFAULT '';
  UPDATE contacts SET search_text = (data->>'name') || E'\\n' || coalesce(data->>'email', '') || E'\\n' || coalesce(data->>'company', '')
    || coalesce((SELECT string_agg(E'\\n' || p, '' ORDER BY i) FROM jsonb_array_elements_text(data->'phones') WITH ORDINALITY AS a(p, i)), '');
  CREATE INDEX contacts_search ON contacts(org_id, owner_id) INCLUDE (search_text);
  ANALYZE conversations, conversation_user_states, contacts;
`;

/**
 * After migration 7 committed: the backfill rewrote every row of these tables, leaving as many dead ones; VACUUM
 * reclaims them and sets the visibility map the tally's index-only scans read (a server whose autovacuum is off
 * would otherwise read every heap page).
 */
export const TALLY_COLUMNS_AFTER = 'VACUUM (ANALYZE) conversations, conversation_user_states, contacts';
