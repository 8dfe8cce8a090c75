import { expect, it } from 'vitest';
import type { AssistantSettingsRow, AssistantUseRow } from '../../../server/storage/storage.ts';
import { read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

const settings = (over: Partial<AssistantSettingsRow> = {}): AssistantSettingsRow => ({
  orgId: 'org_1',
  baseUrl: 'http://127.0.0.1:11434',
  model: 'llama3',
  apiKey: '',
  maskContactDetails: false,
  enabled: false,
  updatedAt: 1000,
  ...over,
});

const use = (id: string, at: number, over: Partial<AssistantUseRow> = {}): AssistantUseRow => ({
  id,
  orgId: 'org_1',
  userId: 'user_a',
  conversationId: 'conv_1',
  kind: 'suggest',
  providerHost: 'api.openai.com',
  model: 'gpt-4o-mini',
  promptTokens: null,
  completionTokens: null,
  outcome: 'ok',
  at,
  durationMs: 1200,
  ...over,
});

/** Message Assistant (issue 12): the organisation's edition, its settings (with the provider key) and the audit of uses. */
export function assistantContract(ctx: ContractContext): void {
  it('reads an organisation as Customer Engagement until its edition is set, and keeps the edition set', async () => {
    const s = ctx.storage();
    await write(s, seed);
    expect(await read(s, (tx) => tx.orgEdition('org_1'))).toBe('customer_engagement');
    expect(await read(s, (tx) => tx.orgEdition('org_missing'))).toBe('customer_engagement');
    await write(s, (tx) => tx.setOrgEdition('org_1', 'contact_center'));
    expect(await read(s, (tx) => tx.orgEdition('org_1'))).toBe('contact_center');
    expect(await read(s, (tx) => tx.getOrg('org_1'))).toEqual({ id: 'org_1', name: 'Org' });
  });

  it('keeps one settings row per organisation, replaced whole, with its booleans and key as given', async () => {
    const s = ctx.storage();
    await write(s, seed);
    expect(await read(s, (tx) => tx.getAssistantSettings('org_1'))).toBeNull();
    await write(s, (tx) => tx.putAssistantSettings(settings()));
    expect(await read(s, (tx) => tx.getAssistantSettings('org_1'))).toEqual(settings());
    const next = settings({ baseUrl: 'https://api.openai.com', model: 'gpt-4o-mini', apiKey: 'sk-ünï "quoted"', maskContactDetails: true, enabled: true, updatedAt: 2 ** 52 });
    await write(s, (tx) => tx.putAssistantSettings(next));
    expect(await read(s, (tx) => tx.getAssistantSettings('org_1'))).toEqual(next);
  });

  it('refuses settings of an organisation that does not exist', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await expect(write(s, (tx) => tx.putAssistantSettings(settings({ orgId: 'org_missing' })))).rejects.toThrow();
    expect(await read(s, (tx) => tx.getAssistantSettings('org_missing'))).toBeNull();
  });

  it('lists an organisation’s uses newest first (ties by id, descending), up to the limit, with tokens when reported', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.insertAssistantUse(use('u1', 100));
      await tx.insertAssistantUse(use('u3', 300, { kind: 'generate', promptTokens: 120, completionTokens: 45, outcome: 'key_refused' }));
      await tx.insertAssistantUse(use('u2', 300));
      await tx.insertAssistantUse(use('other', 400, { orgId: 'org_2' }));
    });
    const all = await read(s, (tx) => tx.listAssistantUses('org_1', 10));
    expect(all.map((u) => u.id)).toEqual(['u3', 'u2', 'u1']);
    expect(all[0]).toEqual(use('u3', 300, { kind: 'generate', promptTokens: 120, completionTokens: 45, outcome: 'key_refused' }));
    expect((await read(s, (tx) => tx.listAssistantUses('org_1', 2))).map((u) => u.id)).toEqual(['u3', 'u2']);
    expect(await read(s, (tx) => tx.listAssistantUses('org_none', 10))).toEqual([]);
  });

  it('refuses a second use with the same id, keeping the first', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, (tx) => tx.insertAssistantUse(use('u1', 100)));
    await expect(write(s, (tx) => tx.insertAssistantUse(use('u1', 200)))).rejects.toThrow();
    expect((await read(s, (tx) => tx.listAssistantUses('org_1', 10))).map((u) => u.at)).toEqual([100]);
  });
}
