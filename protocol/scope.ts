import { checkedId, ID_PATTERN } from './id.ts';

/**
 * Every change-log entry carries the one scope allowed to see it. A client
 * receives an entry only if its user holds that scope at that moment.
 *
 * - org:<orgId>    the directory: users, shared contacts (every active user of the org)
 * - inbox:<id>     an inbox, its channels, members, conversations and messages (its members)
 * - user:<id>      one person's own records: private contacts, per-conversation read/archive state
 * - chat:<id>      a direct or team chat and its messages (its members)
 *
 * Scopes and per-person record ids are built here and nowhere else; each builder refuses (throws
 * IdGrammarError) an id outside the grammar of protocol/id.ts, so no ungrammatical key reaches the log.
 */
export type ScopeKind = 'org' | 'inbox' | 'user' | 'chat';
export type Scope = `${ScopeKind}:${string}`;

export const scope = {
  org: (id: string): Scope => `org:${checkedId('org scope', id)}`,
  inbox: (id: string): Scope => `inbox:${checkedId('inbox scope', id)}`,
  user: (id: string): Scope => `user:${checkedId('user scope', id)}`,
  chat: (id: string): Scope => `chat:${checkedId('chat scope', id)}`,
};

const pair = (what: string) => (id: string, userId: string): string => `${checkedId(what, id)}:${checkedId(`${what} user`, userId)}`;

/** Ids of the records that exist once per (thing, person): `<thingId>:<userId>`. */
export const recordId = {
  inboxMember: pair('inbox member'),
  conversationUserState: pair('conversation state'),
  contactFavourite: pair('favourite'),
  chatUserState: pair('chat state'),
  /** An agent's state in an inbox queue (issue 10): `<inboxId>:<userId>`. */
  queueAgent: pair('queue agent'),
};

const SCOPE_PATTERN = new RegExp(`^(org|inbox|user|chat):${ID_PATTERN.source.slice(1, -1)}$`);

export function isScope(value: string): value is Scope {
  return SCOPE_PATTERN.test(value);
}

export function parseScope(value: Scope): { kind: ScopeKind; id: string } {
  const at = value.indexOf(':');
  return { kind: value.slice(0, at) as ScopeKind, id: value.slice(at + 1) };
}
