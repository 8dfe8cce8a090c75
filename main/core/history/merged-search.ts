import type { Conversation } from '../../../protocol/domain.ts';
import { HISTORY_LIMITS, type ScopedRecord, type SearchHit } from '../../../protocol/history.ts';
import {
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  type SearchContactHit,
  type SearchConversationHit,
  type SearchMessageHit,
  type SearchResults,
} from '../../../protocol/ipc.ts';
import { formatAddress } from '../queries/rows.ts';
import { SearchQueries } from '../queries/search.ts';
import type { HistoryContext } from './history-context.ts';

/** A person typing waits for the server this long at most; after it, the local results stand alone. */
const SERVER_WAIT_MS = 2_000;

/**
 * Search over the cache (FTS5, instant, offline too) merged with the server's search over everything the
 * person may see. Hits the cache already answered stay local; the others are marked `fromServer` and their
 * records (the message with its conversation, the contact) are written into the cache so opening one works
 * like any other. Offline, or when the server does not answer in time, the local results are labelled so.
 */
export class MergedSearch {
  private readonly local: SearchQueries;

  constructor(private readonly ctx: HistoryContext) {
    this.local = new SearchQueries(ctx.cache);
  }

  async search(text: string, limit: number): Promise<SearchResults> {
    const local = this.local.search(text, limit);
    if (text.trim().length === 0) return local;
    if (!this.ctx.online()) return { ...local, server: 'offline' };
    let hits: SearchHit[];
    const mark = this.ctx.writer.begin();
    try {
      const answer = await this.ctx.onDemand(() =>
        withTimeout(this.ctx.api.search(this.ctx.link(), { text: text.slice(0, HISTORY_LIMITS.searchText), limit: Math.min(limit, HISTORY_LIMITS.searchHits) })),
      );
      hits = answer.hits;
    } catch (err) {
      this.ctx.writer.release(mark);
      this.ctx.failed(err, 'server search');
      return { ...local, server: 'failed' };
    }
    if (!this.ctx.cache.db.open) return local;
    const merged = this.merge(local, hits, text, limit);
    const { changed } = this.ctx.writer.write(mark, recordsOf(hits));
    this.ctx.emitChanged({ ...changed, sidebar: false });
    return merged;
  }

  private merge(local: SearchResults, hits: readonly SearchHit[], text: string, limit: number): SearchResults {
    const messages = [...local.messages];
    const conversations = [...local.conversations];
    const contacts = [...local.contacts];
    const seen = new Set([...messages.map((m) => m.messageId), ...conversations.map((c) => c.conversationId), ...contacts.map((c) => c.id)]);
    const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
    for (const hit of hits) {
      if (seen.has(hit.record.id)) continue;
      seen.add(hit.record.id);
      const snippet = markWords(hit.snippet, words);
      if (hit.entity === 'message' && messages.length < limit) messages.push(this.messageHit(hit, snippet));
      else if (hit.entity === 'conversation' && conversations.length < limit) conversations.push(this.conversationHit(hit.record));
      else if (hit.entity === 'contact' && contacts.length < limit) contacts.push(this.contactHit(hit, snippet));
    }
    return { text: local.text, messages, conversations, contacts, server: 'included' };
  }

  private title(c: Conversation): string {
    const name = c.contactId ? (this.ctx.cache.db.prepare('SELECT name FROM contacts WHERE id = ?').pluck().get(c.contactId) as string | undefined) : undefined;
    return name ?? formatAddress(c.customerAddress);
  }

  private channelKind(c: Conversation): SearchMessageHit['channelKind'] {
    return (this.ctx.cache.db.prepare('SELECT kind FROM channels WHERE id = ?').pluck().get(c.channelId) as SearchMessageHit['channelKind'] | undefined) ?? 'sms';
  }

  private messageHit(hit: Extract<SearchHit, { entity: 'message' }>, snippet: string): SearchMessageHit {
    return {
      messageId: hit.record.id,
      conversationId: hit.conversation.id,
      conversationTitle: this.title(hit.conversation),
      channelKind: this.channelKind(hit.conversation),
      direction: hit.record.direction,
      createdAt: hit.record.createdAt,
      snippet,
      fromServer: true,
    };
  }

  private conversationHit(c: Conversation): SearchConversationHit {
    return {
      conversationId: c.id,
      title: this.title(c),
      channelKind: this.channelKind(c),
      status: c.status,
      lastMessageAt: c.lastMessageAt,
      preview: c.lastMessagePreview,
      fromServer: true,
    };
  }

  private contactHit(hit: Extract<SearchHit, { entity: 'contact' }>, snippet: string): SearchContactHit {
    const c = hit.record;
    const favourite = this.ctx.cache.db.prepare('SELECT 1 FROM contact_favourites WHERE contact_id = ? AND user_id = ?').get(c.id, this.ctx.cache.userId) !== undefined;
    return { id: c.id, name: c.name, company: c.company, phones: c.phones, ownerId: c.ownerId, smsOptOut: c.smsOptOut, favourite, snippet, fromServer: true };
  }
}

/**
 * The records a hit brings into the cache: a message's conversation row, not the message itself. The cache
 * holds each conversation's messages as one run back from its newest (older pages are fetched below the oldest
 * cached one), and a message from the middle of a history would break that run.
 */
function recordsOf(hits: readonly SearchHit[]): ScopedRecord[] {
  const out: ScopedRecord[] = [];
  for (const hit of hits) {
    if (hit.entity === 'message') out.push({ scope: hit.scope, entity: 'conversation', record: hit.conversation });
    else if (hit.entity === 'conversation') out.push({ scope: hit.scope, entity: 'conversation', record: hit.record });
    else out.push({ scope: hit.scope, entity: 'contact', record: hit.record });
  }
  return out;
}

/** The server's snippets are plain text: the searched words are marked as the cache's snippets mark them. */
export function markWords(snippet: string, words: readonly string[]): string {
  const clean = snippet.replaceAll(SNIPPET_MARK_START, '').replaceAll(SNIPPET_MARK_END, '');
  if (words.length === 0) return clean;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  return clean.replace(re, (m) => `${SNIPPET_MARK_START}${m}${SNIPPET_MARK_END}`);
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the server search did not answer in time')), SERVER_WAIT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
