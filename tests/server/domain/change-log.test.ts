import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { IdGrammarError, type EntityOf } from '../../../protocol/domain.ts';
import { deleteRecord, putRecord, scopeOf } from '../../../server/domain/change-log.ts';
import { changeCount, openTestDomain } from '../support/fixtures.ts';

const t = openTestDomain();
afterAll(() => t.close());

const bad = fc.oneof(
  fc.constantFrom('', 'a b', 'x:0969eb', 'é', 'z'.repeat(65), 'inbox_sales:user_sam:x'),
  fc.string({ unit: 'binary', maxLength: 70 }).filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
);

describe('the change log takes no record id a client could not read', () => {
  test.prop([bad], { numRuns: 30 })('a put or delete with an ungrammatical id throws and writes nothing', (id) => {
    const before = changeCount(t.storage);
    const chat: EntityOf<'chat'> = { id, kind: 'team', name: 'x', memberIds: ['user_sam'], lastMessageAt: null };
    expect(() => t.storage.transaction((tx) => putRecord(tx, scopeOf.chat({ ...chat, id: 'chat_ok' }), 'chat', chat))).toThrow(IdGrammarError);
    // A per-person record needs exactly `<id>:<userId>`: a plain id is refused too.
    for (const memberId of ['inbox_sales', /^[\w-]{1,64}:[\w-]{1,64}$/.test(id) ? 'inbox_sales' : id]) {
      const member: EntityOf<'inboxMember'> = { id: memberId, inboxId: 'inbox_sales', userId: 'user_sam' };
      expect(() => t.storage.transaction((tx) => putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member))).toThrow(IdGrammarError);
    }
    expect(() => t.storage.transaction((tx) => deleteRecord(tx, 'inbox:inbox_sales', 'message', id))).toThrow(IdGrammarError);
    expect(changeCount(t.storage)).toBe(before);
    expect(t.get('chat', id)).toBeNull();
  });
});
