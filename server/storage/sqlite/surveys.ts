import type Database from 'better-sqlite3-multiple-ciphers';
import type { SurveyCountRow } from '../storage.ts';
import type { SyncTx } from './serialised.ts';

type SurveyMethods = Pick<SyncTx, 'putSurveyToken' | 'findSurveyIdByTokenHash' | 'getSurveyMessage' | 'setSurveyMessage' | 'surveyCounts'>;

/** Counts of one group: rating is NULL until answered; 4 and 5 are "satisfied". surveys_report covers it. */
const COUNTS = 'count(*) AS sent, count(rating) AS answered, coalesce(sum(rating >= 4), 0) AS satisfied';
const IN_PERIOD = 'inbox_id IN (SELECT value FROM json_each(@inboxes)) AND sent_at >= @from AND sent_at < @to';

/** The server-side survey tables (migration 13): link token hashes, per-inbox texts, report counts. */
export function surveyStatements(stmt: (sql: string) => Database.Statement): SurveyMethods {
  return {
    putSurveyToken: (tokenHash, surveyId) => {
      stmt('INSERT INTO survey_tokens (token_hash, survey_id) VALUES (?, ?)').run(tokenHash, surveyId);
    },
    findSurveyIdByTokenHash: (tokenHash) =>
      (stmt('SELECT survey_id FROM survey_tokens WHERE token_hash = ?').pluck().get(tokenHash) as string | undefined) ?? null,
    getSurveyMessage: (inboxId) => (stmt('SELECT message FROM survey_settings WHERE inbox_id = ?').pluck().get(inboxId) as string | undefined) ?? null,
    setSurveyMessage: (inboxId, message, by, at) => {
      stmt(
        `INSERT INTO survey_settings (inbox_id, message, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(inbox_id) DO UPDATE SET message = excluded.message, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ).run(inboxId, message, by, at);
    },
    surveyCounts: (inboxIds, from, to) => {
      const params = { inboxes: JSON.stringify(inboxIds), from, to };
      return {
        byInbox: stmt(`SELECT inbox_id AS key, ${COUNTS} FROM surveys WHERE ${IN_PERIOD} GROUP BY inbox_id ORDER BY inbox_id`).all(params) as SurveyCountRow[],
        byAgent: stmt(`SELECT sent_by AS key, ${COUNTS} FROM surveys WHERE ${IN_PERIOD} GROUP BY sent_by ORDER BY sent_by`).all(params) as SurveyCountRow[],
      };
    },
  };
}
