/** The unread rule; statements set `unread` to it only where it differs (no needless index writes). */
export const UNREAD_SQL = '(last_inbound_at IS NOT NULL AND last_inbound_at > coalesce(read_at, -1))';
