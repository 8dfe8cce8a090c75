import type { StorageTx, SurveyCountRow } from '../storage.ts';
import type { Query } from './pool.ts';

type SurveyMethods = Pick<StorageTx, 'putSurveyToken' | 'findSurveyIdByTokenHash' | 'getSurveyMessage' | 'setSurveyMessage' | 'surveyCounts'>;

/** Counts of one group: rating is NULL until answered; 4 and 5 are "satisfied". surveys_report covers it. */
const COUNTS = 'count(*)::int AS sent, count(rating)::int AS answered, count(*) FILTER (WHERE rating >= 4)::int AS satisfied';
const IN_PERIOD = 'inbox_id = ANY($1::text[]) AND sent_at >= $2 AND sent_at < $3';

/** The server-side survey tables (PostgreSQL migration 4): link token hashes, per-inbox texts, report counts. */
export function surveyMethods(q: Query): SurveyMethods {
  const counts = async (key: 'inbox_id' | 'sent_by', params: readonly unknown[]): Promise<SurveyCountRow[]> =>
    (await q<SurveyCountRow & Record<string, unknown>>(`SELECT ${key} AS key, ${COUNTS} FROM surveys WHERE ${IN_PERIOD} GROUP BY ${key} ORDER BY ${key}`, params)).rows;
  return {
    putSurveyToken: async (tokenHash, surveyId) => {
      await q('INSERT INTO survey_tokens (token_hash, survey_id) VALUES ($1, $2)', [tokenHash, surveyId]);
    },
    findSurveyIdByTokenHash: async (tokenHash) =>
      (await q<{ id: string }>('SELECT survey_id AS id FROM survey_tokens WHERE token_hash = $1', [tokenHash])).rows[0]?.id ?? null,
    getSurveyMessage: async (inboxId) => (await q<{ message: string }>('SELECT message FROM survey_settings WHERE inbox_id = $1', [inboxId])).rows[0]?.message ?? null,
    setSurveyMessage: async (inboxId, message, by, at) => {
      await q(
        `INSERT INTO survey_settings (inbox_id, message, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (inbox_id) DO UPDATE SET message = EXCLUDED.message, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
        [inboxId, message, by, at],
      );
    },
    surveyCounts: async (inboxIds, from, to) => {
      const params = [[...inboxIds], from, to];
      return { byInbox: await counts('inbox_id', params), byAgent: await counts('sent_by', params) };
    },
  };
}
