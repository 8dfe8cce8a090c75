import {
  assistantNotice,
  type AssistantErrorCode,
  type AssistantSettingsInput,
  type AssistantSettingsView,
  type AssistantStatus,
  type OrgEdition,
} from '../../protocol/assistant.ts';
import { permissions } from '../../protocol/permissions.ts';
import { publishOrg } from '../domain/org-record.ts';
import type { Domain } from '../domain/domain.ts';
import type { AssistantSettingsRow, Org } from '../storage/storage.ts';

/**
 * The Message Assistant's settings per organisation (issue 12): every read and write of them, and of the
 * organisation's edition, goes through here. The key is read only by `providerSettingsFor` (the server's
 * call to the provider); every view built here leaves it out.
 */

/** What a call to the provider needs. */
export interface ProviderSettings {
  baseUrl: string;
  model: string;
  apiKey: string;
  maskContactDetails: boolean;
}

/** The host a base URL points at, as named in notices and audit records (never the path or credentials). */
export function providerHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'unknown';
  }
}

function statusOf(edition: OrgEdition, row: AssistantSettingsRow | null): AssistantStatus {
  const configured = Boolean(row?.baseUrl && row.model);
  const enabled = row?.enabled ?? false;
  return {
    edition,
    available: permissions.assistantInEdition(edition) && enabled && configured,
    enabled,
    configured,
    notice: assistantNotice(row ? providerHost(row.baseUrl) : null, row?.maskContactDetails ?? false),
  };
}

export function assistantStatus(domain: Domain, orgId: string): Promise<AssistantStatus> {
  return domain.read(async (tx) => statusOf(await tx.orgEdition(orgId), await tx.getAssistantSettings(orgId)));
}

/** Why this organisation cannot use the assistant now, or the settings to call the provider with. */
export function providerSettingsFor(
  domain: Domain,
  orgId: string,
): Promise<{ ok: true; settings: ProviderSettings } | { ok: false; code: AssistantErrorCode }> {
  return domain.read(async (tx) => {
    const edition = await tx.orgEdition(orgId);
    const row = await tx.getAssistantSettings(orgId);
    if (!permissions.assistantInEdition(edition)) return { ok: false as const, code: 'not_available' as const };
    if (!row) return { ok: false as const, code: 'not_configured' as const };
    if (!row.enabled) return { ok: false as const, code: 'disabled' as const };
    return { ok: true as const, settings: { baseUrl: row.baseUrl, model: row.model, apiKey: row.apiKey, maskContactDetails: row.maskContactDetails } };
  });
}

function viewOf(edition: OrgEdition, row: AssistantSettingsRow | null): AssistantSettingsView {
  return {
    edition,
    baseUrl: row?.baseUrl ?? null,
    model: row?.model ?? null,
    hasKey: Boolean(row?.apiKey),
    maskContactDetails: row?.maskContactDetails ?? false,
    enabled: row?.enabled ?? false,
    updatedAt: row?.updatedAt ?? null,
    notice: statusOf(edition, row).notice,
  };
}

export function assistantSettingsView(domain: Domain, orgId: string): Promise<AssistantSettingsView> {
  return domain.read(async (tx) => viewOf(await tx.orgEdition(orgId), await tx.getAssistantSettings(orgId)));
}

export class AssistantRefused extends Error {
  constructor(readonly code: 'not_available' | 'not_configured', message: string) {
    super(message);
  }
}

/** A base URL as given, without a trailing slash or a trailing /v1 (the call adds /v1/chat/completions). */
export function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * Stores an admin's settings. A missing key keeps the stored one. Enabling a Contact Center organisation is
 * refused: the assistant is not part of that product.
 */
export function saveAssistantSettings(domain: Domain, orgId: string, input: AssistantSettingsInput, now: number): Promise<AssistantSettingsView> {
  return domain.write(async (tx) => {
    const edition = await tx.orgEdition(orgId);
    if (input.enabled && !permissions.assistantInEdition(edition)) {
      throw new AssistantRefused('not_available', 'The Message Assistant is part of Customer Engagement only; this organisation is Contact Center.');
    }
    const previous = await tx.getAssistantSettings(orgId);
    const row: AssistantSettingsRow = {
      orgId,
      baseUrl: normaliseBaseUrl(input.baseUrl),
      model: input.model.trim(),
      apiKey: input.key ?? previous?.apiKey ?? '',
      maskContactDetails: input.maskContactDetails,
      enabled: input.enabled,
      updatedAt: now,
    };
    await tx.putAssistantSettings(row);
    return viewOf(edition, row);
  });
}

/** Turns the assistant on or off without touching the rest; refused when there is nothing configured to enable. */
export function setAssistantEnabled(domain: Domain, orgId: string, enabled: boolean, now: number): Promise<AssistantSettingsView> {
  return domain.write(async (tx) => {
    const edition = await tx.orgEdition(orgId);
    const row = await tx.getAssistantSettings(orgId);
    if (enabled && !permissions.assistantInEdition(edition)) {
      throw new AssistantRefused('not_available', 'The Message Assistant is part of Customer Engagement only; this organisation is Contact Center.');
    }
    if (!row) throw new AssistantRefused('not_configured', 'Set the provider first: assistant:configure --base-url … --model … [--key …].');
    const next = { ...row, enabled, updatedAt: now };
    await tx.putAssistantSettings(next);
    return viewOf(edition, next);
  });
}

/** Sets the organisation's edition; a Contact Center organisation's assistant is switched off with it. */
export function setOrgEdition(domain: Domain, orgId: string, edition: OrgEdition, now: number): Promise<void> {
  return domain.write(async (tx) => {
    await tx.setOrgEdition(orgId, edition);
    await publishOrg(tx, orgId);
    const row = await tx.getAssistantSettings(orgId);
    if (row?.enabled && !permissions.assistantInEdition(edition)) await tx.putAssistantSettings({ ...row, enabled: false, updatedAt: now });
  });
}

/** The organisation an admin command means: --org, else the only (first) one. */
export function findOrg(domain: Domain, orgId: string | null): Promise<Org | null> {
  return domain.read((tx) => (orgId ? tx.getOrg(orgId) : tx.firstOrg()));
}

export function orgEditionOf(domain: Domain, orgId: string): Promise<OrgEdition> {
  return domain.read((tx) => tx.orgEdition(orgId));
}
