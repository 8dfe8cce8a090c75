import { randomBytes, randomUUID } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Id, IdGrammarError, isId, PairId, RecordId } from '../../protocol/domain.ts';
import { isScope, parseScope, recordId, scope, type ScopeKind } from '../../protocol/scope.ts';

const grammatical = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const ungrammatical = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
  fc.constantFrom('', ' ', 'x:0969eb', 'a b', 'é', '😀', 'x'.repeat(65), 'user_maya\n'),
);
const KINDS: ScopeKind[] = ['org', 'inbox', 'user', 'chat'];

describe('the id grammar', () => {
  it('takes every id the server, the demo seed and clients generate', () => {
    const generated = [
      randomUUID(),
      `contact_${randomUUID()}`,
      `inbox_${randomUUID()}`,
      `canned_${randomUUID()}`,
      `conv_${randomUUID()}`,
      `msg_${randomUUID()}`,
      `local-${randomUUID()}`,
      `att_${randomBytes(16).toString('hex')}`,
      randomBytes(12).toString('base64url'),
      `private_${'u'.repeat(56)}`,
      'org_demo', 'user_maya', 'inbox_sales', 'ch_sales_sms', 'ch_support_web', 'pn_sam', 'conv_sales_0001', 'msg_sales_0001_3',
      'contact_050', 'chat_floor_leads', 'chat_floor_leads_msg_2', 'tpl_sales_follow_up', `tpl_${'a'.repeat(24)}`,
      `notice_${randomUUID()}_user_maya_1732500000000_reassigned`.slice(0, 64),
    ];
    for (const id of generated) expect(Id.safeParse(id).success, id).toBe(true);
  });

  test.prop([ungrammatical])('refuses anything else, with a message naming the rule', (value) => {
    const parsed = Id.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/an id is 1-64 letters/);
  });
});

describe('scopes and per-person record ids are built in one place', () => {
  test.prop([fc.constantFrom(...KINDS), grammatical])('a grammatical id makes a scope that reads back', (kind, id) => {
    const built = scope[kind](id);
    expect(isScope(built)).toBe(true);
    expect(parseScope(built)).toEqual({ kind, id });
  });

  test.prop([fc.constantFrom(...KINDS), ungrammatical])('an ungrammatical id is refused, never built', (kind, id) => {
    expect(() => scope[kind](id)).toThrow(IdGrammarError);
  });

  test.prop([grammatical, grammatical, ungrammatical])('per-person ids: two grammatical ids and a colon, nothing else', (a, b, bad) => {
    for (const build of Object.values(recordId)) {
      const built = build(a, b);
      expect(built).toBe(`${a}:${b}`);
      expect(PairId.safeParse(built).success && RecordId.safeParse(built).success).toBe(true);
      expect(isId(built)).toBe(false);
      expect(() => build(bad, b)).toThrow(IdGrammarError);
      expect(() => build(a, bad)).toThrow(IdGrammarError);
    }
  });
});
