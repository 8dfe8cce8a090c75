import { IpcFailure } from '../../ipc-router.ts';
import type { CacheDb } from '../cache/cache-file.ts';

/** What an action on a conversation checks before it is queued: that it is here, and its inbox's rules. */
export interface ConversationGuardRow {
  inbox_id: string;
  assignment_mode: number;
  assignee_id: string | null;
  last_message_at: number | null;
  last_inbound_at: number | null;
}

export function conversationForAction(cache: CacheDb, id: string): ConversationGuardRow {
  const row = cache.db
    .prepare(
      `SELECT c.inbox_id, c.assignee_id, c.last_message_at, c.last_inbound_at, coalesce(i.assignment_mode, 1) AS assignment_mode
       FROM conversations c LEFT JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = ?`,
    )
    .get(id) as ConversationGuardRow | undefined;
  if (!row) throw new IpcFailure('not_found', 'That conversation is not available (it may have moved to an inbox you are not in).');
  return row;
}
