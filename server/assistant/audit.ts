import { randomUUID } from 'node:crypto';
import type { AssistantUse } from '../../protocol/assistant.ts';
import { AssistantOutcome } from '../../protocol/assistant.ts';
import type { Domain } from '../domain/domain.ts';
import type { AssistantUseRow } from '../storage/storage.ts';

/** Every read and write of the assistant's audit records (issue 12): who used it, on what, where, how it went. */

export type NewAssistantUse = Omit<AssistantUseRow, 'id'>;

export function recordAssistantUse(domain: Domain, use: NewAssistantUse): Promise<void> {
  return domain.write((tx) => tx.insertAssistantUse({ id: randomUUID(), ...use }));
}

/** Newest first, with each person's name (for the admin listing). */
export function listAssistantUses(domain: Domain, orgId: string, limit: number): Promise<AssistantUse[]> {
  return domain.read(async (tx) => {
    const rows = await tx.listAssistantUses(orgId, limit);
    const names = new Map<string, string>();
    for (const userId of new Set(rows.map((r) => r.userId))) names.set(userId, (await tx.get('user', userId))?.name ?? userId);
    return rows.map((row) => {
      const outcome = AssistantOutcome.safeParse(row.outcome);
      return {
        id: row.id,
        userId: row.userId,
        userName: names.get(row.userId) ?? row.userId,
        conversationId: row.conversationId,
        kind: row.kind,
        providerHost: row.providerHost,
        model: row.model,
        promptTokens: row.promptTokens,
        completionTokens: row.completionTokens,
        outcome: outcome.success ? outcome.data : 'provider_error',
        at: row.at,
        durationMs: row.durationMs,
      };
    });
  });
}
