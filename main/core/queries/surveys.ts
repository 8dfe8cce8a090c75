import type { SurveyView } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';

/** A surveys row as the cache holds it (migration: satisfaction surveys). */
interface SurveyRow {
  id: string;
  conversation_id: string;
  message_id: string;
  sent_at: number;
  expires_at: number;
  rating: number | null;
  comment: string | null;
  answered_at: number | null;
}

const COLUMNS = 's.id, s.conversation_id, s.message_id, s.sent_at, s.expires_at, s.rating, s.comment, s.answered_at';

function toView(r: SurveyRow, now: number): SurveyView {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    state: r.answered_at !== null ? 'answered' : now >= r.expires_at ? 'expired' : 'waiting',
    sentAt: r.sent_at,
    expiresAt: r.expires_at,
    rating: r.rating,
    comment: r.comment,
    answeredAt: r.answered_at,
  };
}

/** The surveys carried by these messages of one conversation, by message id. */
export function surveysOfMessages(cache: CacheDb, conversationId: string, now = Date.now()): Map<string, SurveyView> {
  const rows = cache.db.prepare(`SELECT ${COLUMNS} FROM surveys s WHERE s.conversation_id = ?`).all(conversationId) as SurveyRow[];
  return new Map(rows.map((r) => [r.message_id, toView(r, now)]));
}

/** The latest answered surveys of the conversations linked to a contact, newest first. */
export function contactSurveys(cache: CacheDb, contactId: string, limit = 5): SurveyView[] {
  const rows = cache.db
    .prepare(
      `SELECT ${COLUMNS} FROM conversations c JOIN surveys s ON s.conversation_id = c.id AND s.answered_at IS NOT NULL
       WHERE c.contact_id = ? ORDER BY s.answered_at DESC LIMIT ?`,
    )
    .all(contactId, limit) as SurveyRow[];
  return rows.map((r) => toView(r, Date.now()));
}
