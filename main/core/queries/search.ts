import type Database from 'better-sqlite3-multiple-ciphers';
import type { ContactSummary, SearchContactHit, SearchConversationHit, SearchMessageHit, SearchResults } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';
import { FAVOURITE_SQL, toSummary, type ContactRow } from './contacts.ts';
import { formatAddress } from './rows.ts';

const MAX_TERMS = 8;
/** snippet() markers: SNIPPET_MARK_START / SNIPPET_MARK_END of protocol/ipc.ts. */
const MARKS = "char(2), char(3), '…'";

/**
 * Turns what a person typed into an FTS5 query: each word quoted (so FTS
 * syntax in the input is just text), all words required, and the last word
 * a prefix while it is still being typed. null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  const terms = words.slice(0, MAX_TERMS).map((w) => `"${w}"`);
  // Still typing the last word: the text ends inside it.
  const typing = /[\p{L}\p{N}]$/u.test(text) && words.length <= MAX_TERMS;
  if (typing) terms[terms.length - 1] += '*';
  return terms.join(' ');
}

/** Prefixes up to this many characters are read from messages_fts's prefix index (cache migration 9). */
const INDEXED_PREFIX = 3;

/** The query with its last word whole, when that word is a prefix longer than the prefix index serves; else null. */
export function wholeWordQuery(q: string): string | null {
  const last = /"([^"]*)"\*$/.exec(q);
  return last && [...(last[1] ?? '')].length > INDEXED_PREFIX ? q.slice(0, -1) : null;
}

/** The digits of a phone-number-like query ("+1 (415) 555-01"), or null. */
export function phoneDigits(text: string): string | null {
  if (!/^[\d\s()+.-]+$/.test(text.trim())) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 3 ? digits : null;
}

interface MessageHitRow {
  id: string;
  conversation_id: string;
  direction: 'in' | 'out';
  created_at: number;
  snippet: string;
  customer_address: string;
  contact_name: string | null;
  channel_kind: SearchMessageHit['channelKind'] | null;
}

interface ConversationHitRow {
  id: string;
  customer_address: string;
  status: SearchConversationHit['status'];
  last_message_at: number | null;
  preview: string;
  contact_name: string | null;
  channel_kind: SearchConversationHit['channelKind'] | null;
}

type ContactHitRow = ContactRow & { favourite: number; snippet: string };

/** Full-text search over the cache (SPEC: works offline; the cache holds only what the person may see). */
export class SearchQueries {
  private readonly st: Record<string, Database.Statement>;

  constructor(private readonly cache: CacheDb) {
    const p = (sql: string): Database.Statement => cache.db.prepare(sql);
    this.st = {
      // Newest first by rowid (arrival order): FTS5 walks its doclists backwards and stops at the limit,
      // so a word found in half a million messages costs no more than a rare one. Ranking by bm25 would
      // have to score every match.
      messages: p(`WITH hits AS (
                     SELECT rowid, snippet(messages_fts, 0, ${MARKS}, 12) AS snippet FROM messages_fts
                     WHERE messages_fts MATCH @q ORDER BY rowid DESC LIMIT @limit)
                   SELECT m.id, m.conversation_id, m.direction, m.created_at, hits.snippet, c.customer_address,
                     ct.name AS contact_name, ch.kind AS channel_kind
                   FROM hits JOIN messages m ON m.rowid = hits.rowid
                   JOIN conversations c ON c.id = m.conversation_id
                   LEFT JOIN contacts ct ON ct.id = c.contact_id
                   LEFT JOIN channels ch ON ch.id = c.channel_id
                   ORDER BY hits.rowid DESC`),
      contacts: p(`SELECT c.*, ${FAVOURITE_SQL} AS favourite, snippet(contacts_fts, -1, ${MARKS}, 8) AS snippet
                   FROM contacts_fts JOIN contacts c ON c.rowid = contacts_fts.rowid
                   WHERE contacts_fts MATCH @q ORDER BY rank LIMIT @limit`),
      contactsByPhone: p(`SELECT c.*, ${FAVOURITE_SQL} AS favourite, '' AS snippet FROM contacts c
                          WHERE replace(c.phones, '+', '') LIKE '%' || @digits || '%' ORDER BY c.name COLLATE NOCASE LIMIT @limit`),
      conversationsOfContacts: p(`SELECT c.id, c.customer_address, c.status, c.last_message_at, c.preview, ct.name AS contact_name,
                                    ch.kind AS channel_kind
                                  FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
                                  LEFT JOIN channels ch ON ch.id = c.channel_id
                                  WHERE c.contact_id IN (SELECT value FROM json_each(@ids))
                                  ORDER BY c.last_message_at IS NULL, c.last_message_at DESC LIMIT @limit`),
      conversationsByPhone: p(`SELECT c.id, c.customer_address, c.status, c.last_message_at, c.preview, ct.name AS contact_name,
                                 ch.kind AS channel_kind
                               FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id
                               LEFT JOIN channels ch ON ch.id = c.channel_id
                               WHERE c.rowid IN (SELECT rowid FROM conversations_fts WHERE customer_address LIKE '%' || @digits || '%'
                                                 ORDER BY rowid DESC LIMIT @limit)
                               ORDER BY c.rowid DESC`),
    };
  }

  private all<T>(name: string, params: Record<string, unknown>): T[] {
    return (this.st[name] as Database.Statement).all(params) as T[];
  }

  messages(q: string, limit: number): SearchMessageHit[] {
    // A last word longer than the prefix index serves would merge every word it starts; tried whole first, it
    // reads one doclist backwards and stops at the limit. When the whole word alone fills the page, those are
    // the hits (typing "thank" lists "thank" before "thanks"); otherwise the prefix query runs.
    const whole = wholeWordQuery(q);
    const wholeRows = whole ? this.all<MessageHitRow>('messages', { q: whole, limit }) : [];
    const rows = wholeRows.length >= limit ? wholeRows : this.all<MessageHitRow>('messages', { q, limit });
    return rows.map((r) => ({
      messageId: r.id,
      conversationId: r.conversation_id,
      conversationTitle: r.contact_name ?? formatAddress(r.customer_address),
      channelKind: r.channel_kind ?? 'sms',
      direction: r.direction,
      createdAt: r.created_at,
      snippet: r.snippet,
    }));
  }

  contacts(text: string, limit: number): SearchContactHit[] {
    const me = this.cache.userId;
    const hits = new Map<string, SearchContactHit>();
    const q = ftsQuery(text);
    const digits = phoneDigits(text);
    if (digits) {
      for (const r of this.all<ContactHitRow>('contactsByPhone', { digits, limit, me })) hits.set(r.id, { ...toSummary(r), snippet: r.snippet });
    }
    if (q) {
      for (const r of this.all<ContactHitRow>('contacts', { q, limit, me })) {
        if (hits.size >= limit) break;
        if (!hits.has(r.id)) hits.set(r.id, { ...toSummary(r), snippet: r.snippet });
      }
    }
    return [...hits.values()];
  }

  /** The "search and link" picker: contacts only, without snippets. */
  findContacts(text: string, limit: number): ContactSummary[] {
    return this.contacts(text, limit).map(({ snippet: _snippet, ...summary }) => summary);
  }

  search(text: string, limit: number): SearchResults {
    const q = ftsQuery(text);
    const digits = phoneDigits(text);
    const contacts = this.contacts(text, limit);
    const conversations = new Map<string, SearchConversationHit>();
    const addConversations = (rows: ConversationHitRow[]): void => {
      for (const r of rows) {
        if (conversations.size >= limit) return;
        if (conversations.has(r.id)) continue;
        conversations.set(r.id, {
          conversationId: r.id,
          title: r.contact_name ?? formatAddress(r.customer_address),
          channelKind: r.channel_kind ?? 'sms',
          status: r.status,
          lastMessageAt: r.last_message_at,
          preview: r.preview,
        });
      }
    };
    if (digits) addConversations(this.all<ConversationHitRow>('conversationsByPhone', { digits, limit }));
    if (contacts.length > 0) {
      addConversations(this.all<ConversationHitRow>('conversationsOfContacts', { ids: JSON.stringify(contacts.map((c) => c.id)), limit }));
    }
    return {
      text,
      conversations: [...conversations.values()],
      messages: q ? this.messages(q, limit) : [],
      contacts,
    };
  }
}
