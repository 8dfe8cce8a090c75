import { OrgEdition } from '../../../protocol/assistant.ts';
import type { AssistantSettingsRow, AssistantUseRow, StorageTx } from '../storage.ts';
import type { Query } from './pool.ts';

type AssistantMethods = Pick<
  StorageTx,
  'orgEdition' | 'setOrgEdition' | 'getAssistantSettings' | 'putAssistantSettings' | 'insertAssistantUse' | 'listAssistantUses'
>;

const SETTINGS_COLUMNS =
  'org_id AS "orgId", base_url AS "baseUrl", model, api_key AS "apiKey", mask_contact_details AS "maskContactDetails", enabled, updated_at AS "updatedAt"';
const USE_COLUMNS =
  'id, org_id AS "orgId", user_id AS "userId", conversation_id AS "conversationId", kind, provider_host AS "providerHost", model, prompt_tokens AS "promptTokens", completion_tokens AS "completionTokens", outcome, at, duration_ms AS "durationMs"';

/** The Message Assistant's tables (PostgreSQL migration 3): settings per organisation and the audit of uses. */
export function assistantMethods(q: Query): AssistantMethods {
  return {
    orgEdition: async (orgId) => {
      // An unknown organisation reads as the default edition, as on SQLite.
      const parsed = OrgEdition.safeParse((await q<{ edition: string }>('SELECT edition FROM orgs WHERE id = $1', [orgId])).rows[0]?.edition);
      return parsed.success ? parsed.data : 'customer_engagement';
    },
    setOrgEdition: async (orgId, edition) => {
      await q('UPDATE orgs SET edition = $1 WHERE id = $2', [edition, orgId]);
    },
    getAssistantSettings: async (orgId) =>
      (await q<AssistantSettingsRow & Record<string, unknown>>(`SELECT ${SETTINGS_COLUMNS} FROM assistant_settings WHERE org_id = $1`, [orgId])).rows[0] ??
      null,
    putAssistantSettings: async (row) => {
      await q(
        `INSERT INTO assistant_settings (org_id, base_url, model, api_key, mask_contact_details, enabled, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (org_id) DO UPDATE SET base_url = EXCLUDED.base_url, model = EXCLUDED.model, api_key = EXCLUDED.api_key,
           mask_contact_details = EXCLUDED.mask_contact_details, enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`,
        [row.orgId, row.baseUrl, row.model, row.apiKey, row.maskContactDetails, row.enabled, row.updatedAt],
      );
    },
    insertAssistantUse: async (row) => {
      await q(
        `INSERT INTO assistant_uses (id, org_id, user_id, conversation_id, kind, provider_host, model, prompt_tokens, completion_tokens, outcome, at, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          row.id,
          row.orgId,
          row.userId,
          row.conversationId,
          row.kind,
          row.providerHost,
          row.model,
          row.promptTokens,
          row.completionTokens,
          row.outcome,
          row.at,
          row.durationMs,
        ],
      );
    },
    listAssistantUses: async (orgId, limit) =>
      (await q<AssistantUseRow & Record<string, unknown>>(`SELECT ${USE_COLUMNS} FROM assistant_uses WHERE org_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, [orgId, limit]))
        .rows,
  };
}
