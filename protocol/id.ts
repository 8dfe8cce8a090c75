import { z } from 'zod';

/**
 * The one grammar of every record id, whoever chooses it (server, demo seed or client): 1-64 ASCII letters,
 * digits, `-` and `_`. It is what makes derived keys unambiguous — a scope is `<kind>:<id>` and a per-person
 * record is `<id>:<userId>` — so an id may never hold `:`, whitespace, `/` or anything a URL would escape.
 * Every id the server and clients generate fits: UUIDs, `contact_<uuid>`, `private_<userId>`, `att_<hex>`,
 * `notice_…`, base64url, and the demo ids (`user_maya`, `inbox_sales`, `ch_sales_sms`, …).
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PAIR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}$/;

export const ID_RULE = 'an id is 1-64 letters (A-Z, a-z), digits, - or _';

export const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);
export const isPairId = (value: unknown): value is string => typeof value === 'string' && PAIR_ID_PATTERN.test(value);

export const Id = z.string().regex(ID_PATTERN, ID_RULE);

/** A per-person record's id, `<id>:<userId>`: built only by `recordId` (protocol/scope.ts). */
export const PairId = z.string().regex(PAIR_ID_PATTERN, 'expected <id>:<userId>');

/** Any record id a change entry may name (delete entries of per-person records carry a pair id). */
export const RecordId = z.string().refine((v) => ID_PATTERN.test(v) || PAIR_ID_PATTERN.test(v), 'not a record id');

/** Thrown by the key builders when handed an id outside the grammar: nothing ungrammatical is ever written. */
export class IdGrammarError extends Error {
  constructor(what: string, value: unknown) {
    super(`${what}: ${JSON.stringify(value)?.slice(0, 80) ?? String(value)} is not an id (${ID_RULE})`);
    this.name = 'IdGrammarError';
  }
}

export function checkedId(what: string, value: string): string {
  if (!isId(value)) throw new IdGrammarError(what, value);
  return value;
}
