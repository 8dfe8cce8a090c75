/**
 * Every change-log entry carries the one scope allowed to see it. A client
 * receives an entry only if its user holds that scope at that moment.
 *
 * - org:<orgId>    the directory: users, shared contacts (every active user of the org)
 * - inbox:<id>     an inbox, its channels, members, conversations and messages (its members)
 * - user:<id>      one person's own records: private contacts, per-conversation read/archive state
 * - chat:<id>      a direct or team chat and its messages (its members)
 */
export type ScopeKind = 'org' | 'inbox' | 'user' | 'chat';
export type Scope = `${ScopeKind}:${string}`;

export const scope = {
  org: (id: string): Scope => `org:${id}`,
  inbox: (id: string): Scope => `inbox:${id}`,
  user: (id: string): Scope => `user:${id}`,
  chat: (id: string): Scope => `chat:${id}`,
};

const SCOPE_PATTERN = /^(org|inbox|user|chat):[^\s:]{1,64}$/;

export function isScope(value: string): value is Scope {
  return SCOPE_PATTERN.test(value);
}

export function parseScope(value: Scope): { kind: ScopeKind; id: string } {
  const at = value.indexOf(':');
  return { kind: value.slice(0, at) as ScopeKind, id: value.slice(at + 1) };
}
