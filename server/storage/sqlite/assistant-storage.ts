import type Database from 'better-sqlite3-multiple-ciphers';
import { OrgEdition } from '../../../protocol/assistant.ts';
import type { AssistantSettingsRow, AssistantUseRow } from '../storage.ts';
import type { SyncTx } from './serialised.ts';

type AssistantMethods = Pick<
  SyncTx,
  'orgEdition' | 'setOrgEdition' | 'getAssistantSettings' | 'putAssistantSettings' | 'insertAssistantUse' | 'listAssistantUses'
>;

const SETTINGS_COLUMNS =
  'org_id AS orgId, base_url AS baseUrl, model, api_key AS apiKey, mask_contact_details AS maskContactDetails, enabled, updated_at AS updatedAt';
const USE_COLUMNS =
  'id, org_id AS orgId, user_id AS userId, conversation_id AS conversationId, kind, provider_host AS providerHost, model, prompt_tokens AS promptTokens, completion_tokens AS completionTokens, outcome, at, duration_ms AS durationMs';

/** The Message Assistant's tables (server migration 12): settings per organisation and the audit of uses. */
export function assistantStatements(stmt: (sql: string) => Database.Statement): AssistantMethods {
  return {
    orgEdition: (orgId) => {
      const parsed = OrgEdition.safeParse(stmt('SELECT edition FROM orgs WHERE id = ?').pluck().get(orgId));
      return parsed.success ? parsed.data : 'customer_engagement';
    },
    setOrgEdition: (orgId, edition) => {
      stmt('UPDATE orgs SET edition = ? WHERE id = ?').run(edition, orgId);
    },
    getAssistantSettings: (orgId) => {
      const row = stmt(`SELECT ${SETTINGS_COLUMNS} FROM assistant_settings WHERE org_id = ?`).get(orgId) as
        | (Omit<AssistantSettingsRow, 'maskContactDetails' | 'enabled'> & { maskContactDetails: number; enabled: number })
        | undefined;
      return row ? { ...row, maskContactDetails: row.maskContactDetails === 1, enabled: row.enabled === 1 } : null;
    },
    putAssistantSettings: (row) => {
      stmt(
        `INSERT INTO assistant_settings (org_id, base_url, model, api_key, mask_contact_details, enabled, updated_at)
         VALUES (@orgId, @baseUrl, @model, @apiKey, @mask, @enabled, @updatedAt)
         ON CONFLICT(org_id) DO UPDATE SET base_url = excluded.base_url, model = excluded.model, api_key = excluded.api_key,
           mask_contact_details = excluded.mask_contact_details, enabled = excluded.enabled, updated_at = excluded.updated_at`,
      ).run({
        orgId: row.orgId,
        baseUrl: row.baseUrl,
        model: row.model,
        apiKey: row.apiKey,
        mask: row.maskContactDetails ? 1 : 0,
        enabled: row.enabled ? 1 : 0,
        updatedAt: row.updatedAt,
      });
    },
    insertAssistantUse: (row) => {
      stmt(
        `INSERT INTO assistant_uses (id, org_id, user_id, conversation_id, kind, provider_host, model, prompt_tokens, completion_tokens, outcome, at, duration_ms)
         VALUES (@id, @orgId, @userId, @conversationId, @kind, @providerHost, @model, @promptTokens, @completionTokens, @outcome, @at, @durationMs)`,
      ).run(row);
    },
    listAssistantUses: (orgId, limit) =>
      stmt(`SELECT ${USE_COLUMNS} FROM assistant_uses WHERE org_id = ? ORDER BY at DESC, id DESC LIMIT ?`).all(orgId, limit) as AssistantUseRow[],
  };
}
