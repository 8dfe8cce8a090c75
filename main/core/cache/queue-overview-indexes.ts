/**
 * Client cache migration 13 (the supervisor's Queues view, issue 10 §4; queries/queue-overview.ts): the two
 * figures migration 11's indexes do not reach. Each index is partial, so a Customer Engagement cache (no
 * routing) stores nothing in them. IF NOT EXISTS: the step is safe to run wherever the merge places it.
 *  - median first response today: conversations of a queue first answered since midnight (covering: the
 *    figure is read from the index alone);
 *  - service level today: conversations of a queue first queued since midnight, with what the rule reads
 *    (covering, like the one above: at 100,000 conversations the row lookups were most of the refresh);
 *  - per-agent load and the agents' open conversations: open, assigned conversations of a queue;
 *  - handled today: conversations of a queue closed since midnight, counted from the index alone.
 */
export const QUEUE_OVERVIEW_INDEXES_MIGRATION = `
  CREATE INDEX IF NOT EXISTS conversations_first_response ON conversations(inbox_id, first_response_at, first_queued_at) WHERE first_response_at IS NOT NULL;
  CREATE INDEX IF NOT EXISTS conversations_queued_day ON conversations(inbox_id, first_queued_at, first_response_at, closed_at, status) WHERE first_queued_at IS NOT NULL;
  CREATE INDEX IF NOT EXISTS conversations_closed_day ON conversations(inbox_id, closed_at) WHERE status = 'closed';
  CREATE INDEX IF NOT EXISTS conversations_queue_assigned ON conversations(inbox_id, assigned_at) WHERE status = 'open' AND assignee_id IS NOT NULL;
`;
