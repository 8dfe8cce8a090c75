import type Database from 'better-sqlite3-multiple-ciphers';
import type { PastReplySuggestion } from '../../../protocol/ipc.ts';
import type { CacheDb } from '../cache/cache-file.ts';

/**
 * Suggestions that need no provider and work offline (issue 12 §1): customer messages in the local cache
 * that resemble the ticked ones (FTS5, ranked by bm25), and the replies agents actually sent after them,
 * plus the inbox's pre-written messages that share their words.
 */

/** How many of the newest matches are ranked: bm25 over every match of a common word would cost ~all rows. */
const RANK_WINDOW = 2000;
const CANDIDATES = 24;
const MAX_REPLIES = 3;
const MAX_CANNED = 2;
const MAX_TERMS = 8;
/**
 * A word in at least this many cached messages says little (its IDF is near zero) and is dropped, like a
 * stopword: bm25 reads a word's whole doclist to weigh it, so very common words are also what makes it slow.
 */
const COMMON_AT = 5_000;
/** When every word is common, the least common few are still used. */
const KEEP_WHEN_ALL_COMMON = 3;

const STOPWORDS = new Set(
  (
    'the and for are but not you your yours our ours with this that have has had was were will would could should can ' +
    'any all just what when where which who how why about from into over than then them they their there here its it ' +
    'me my mine we us him her his she he i a an of to in on at by or if is be do does did so no yes hi hello hey thanks ' +
    'thank please ok okay get got also too very much more some one two'
  ).split(' '),
);

/** The distinctive words of some text: lowercased, no stopwords, longest first (longer words say more). */
export function significantTerms(text: string, max = MAX_TERMS): string[] {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words.filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w)))];
  return unique.sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, max);
}

/** Any of the terms, each quoted so nothing typed is read as FTS syntax. */
export function anyTermQuery(terms: readonly string[]): string | null {
  return terms.length ? terms.map((t) => `"${t.replace(/"/g, '')}"`).join(' OR ') : null;
}

interface Candidate {
  id: string;
  conversation_id: string;
  created_at: number;
  score: number;
}
interface ReplyRow {
  body: string;
  author_name: string | null;
}
interface CannedRow {
  title: string;
  body: string;
}

export class PastReplies {
  private readonly st: {
    ticked: Database.Statement;
    similar: Database.Statement;
    replyAfter: Database.Statement;
    canned: Database.Statement;
    frequency: Database.Statement;
  };
  /** How many messages hold a word (capped at COMMON_AT); cached, since it only grows slowly. */
  private readonly frequencies = new Map<string, number>();

  constructor(cache: CacheDb) {
    const db = cache.db;
    this.st = {
      ticked: db.prepare(
        `SELECT direction, body FROM messages WHERE conversation_id = @conversationId AND id IN (SELECT value FROM json_each(@ids)) ORDER BY created_at`,
      ),
      // The newest RANK_WINDOW matches (FTS5 walks its doclists backwards and stops), then bm25 orders those:
      // bounded work however common the words, and recent replies are the team's current way of answering.
      similar: db.prepare(
        `WITH hits AS (
           SELECT rowid, bm25(messages_fts) AS score FROM messages_fts WHERE messages_fts MATCH @q ORDER BY rowid DESC LIMIT ${RANK_WINDOW})
         SELECT m.id, m.conversation_id, m.created_at, hits.score FROM hits JOIN messages m ON m.rowid = hits.rowid
         WHERE m.direction = 'in' AND m.conversation_id <> @conversationId
         ORDER BY hits.score, hits.rowid DESC LIMIT ${CANDIDATES}`,
      ),
      // messages_conversation (conversation_id, created_at) serves this.
      replyAfter: db.prepare(
        `SELECT m.body, u.name AS author_name FROM messages m LEFT JOIN users u ON u.id = m.author_id
         WHERE m.conversation_id = @conversationId AND m.created_at >= @after AND m.direction = 'out' AND m.author_type = 'user'
           AND m.local = 0 AND m.body <> ''
         ORDER BY m.created_at LIMIT 1`,
      ),
      canned: db.prepare(`SELECT title, body FROM canned_responses WHERE inbox_id = (SELECT inbox_id FROM conversations WHERE id = ?)`),
      // Counting stops at COMMON_AT: the cost is bounded however common the word is.
      frequency: db.prepare(`SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT ${COMMON_AT})`).pluck(),
    };
  }

  /** Up to three past replies, then up to two pre-written messages; empty when nothing resembles the ticked messages. */
  suggest(conversationId: string, messageIds: readonly string[]): PastReplySuggestion[] {
    const ticked = this.st.ticked.all({ conversationId, ids: JSON.stringify(messageIds) }) as Array<{ direction: string; body: string }>;
    // The customer's words are what to match; an agent's own ticked messages only when no customer one is ticked.
    const fromCustomer = ticked.filter((m) => m.direction === 'in');
    const terms = significantTerms((fromCustomer.length ? fromCustomer : ticked).map((m) => m.body).join(' '));
    const q = anyTermQuery(this.informative(terms));
    if (!q) return [];
    const seen = new Set<string>();
    const out: PastReplySuggestion[] = [];
    for (const c of this.st.similar.all({ q, conversationId }) as Candidate[]) {
      if (out.length >= MAX_REPLIES) break;
      const reply = this.st.replyAfter.get({ conversationId: c.conversation_id, after: c.created_at }) as ReplyRow | undefined;
      if (!reply) continue;
      const key = reply.body.trim().toLowerCase().replace(/\s+/g, ' ');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ text: reply.body.trim(), source: 'reply', label: reply.author_name ? `${reply.author_name} replied to a similar message` : 'Reply to a similar message' });
    }
    for (const canned of this.matchingCanned(conversationId, terms)) {
      if (seen.has(canned.body.trim().toLowerCase().replace(/\s+/g, ' '))) continue;
      out.push({ text: canned.body.trim(), source: 'canned', label: `Pre-written: ${canned.title}` });
    }
    return out;
  }

  /** The terms worth ranking by: those not in COMMON_AT messages or more (or the least common few, if all are). */
  private informative(terms: readonly string[]): string[] {
    const counted = terms.map((term) => {
      let n = this.frequencies.get(term);
      if (n === undefined) {
        n = this.st.frequency.get(`"${term.replace(/"/g, '')}"`) as number;
        if (this.frequencies.size > 5000) this.frequencies.clear();
        this.frequencies.set(term, n);
      }
      return { term, n };
    });
    const rare = counted.filter((c) => c.n > 0 && c.n < COMMON_AT);
    if (rare.length) return rare.map((c) => c.term);
    return counted
      .filter((c) => c.n > 0)
      .sort((a, b) => a.n - b.n)
      .slice(0, KEEP_WHEN_ALL_COMMON)
      .map((c) => c.term);
  }

  /** The inbox's pre-written messages sharing the most words with the ticked ones (a few per inbox: scored here). */
  private matchingCanned(conversationId: string, terms: readonly string[]): CannedRow[] {
    const wanted = new Set(terms);
    return (this.st.canned.all(conversationId) as CannedRow[])
      .map((row) => ({ row, overlap: significantTerms(`${row.title} ${row.body}`, 64).filter((t) => wanted.has(t)).length }))
      .filter((r) => r.overlap > 0)
      .sort((a, b) => b.overlap - a.overlap || a.row.title.localeCompare(b.row.title))
      .slice(0, MAX_CANNED)
      .map((r) => r.row);
  }
}
