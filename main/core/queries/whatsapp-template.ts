import type Database from 'better-sqlite3-multiple-ciphers';
import type { WhatsAppTemplate } from '../../../protocol/domain.ts';

/** An approved template of the conversation's channel, as last synced; null when the cache has no such template. */
export function conversationTemplate(db: Database.Database, conversationId: string, templateId: string): WhatsAppTemplate | null {
  const json = db
    .prepare('SELECT ch.whatsapp_templates FROM conversations c JOIN channels ch ON ch.id = c.channel_id WHERE c.id = ?')
    .pluck()
    .get(conversationId) as string | null | undefined;
  if (!json) return null;
  return (JSON.parse(json) as WhatsAppTemplate[]).find((t) => t.id === templateId) ?? null;
}
