import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { IdGrammarError, type EntityOf } from '../../../protocol/domain.ts';
import { deleteRecord, putRecord, scopeOf } from '../../../server/domain/change-log.ts';
import { changeCount, openTestDomain } from '../support/fixtures.ts';

const t = await openTestDomain();
afterAll(() => t.close());

const bad = fc.oneof(
  fc.constantFrom('', 'a b', 'x:0969eb', 'é', 'z'.repeat(65), 'inbox_sales:user_sam:x'),
  fc.string({ unit: 'binary', maxLength: 70 }).filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
);

describe('the change log takes no record id a client could not read', () => {
  test.prop([bad], { numRuns: 30 })('a put or delete with an ungrammatical id throws and writes nothing', async (id) => {
    const before = await changeCount(t.storage);
    const chat: EntityOf<'chat'> = { id, kind: 'team', name: 'x', memberIds: ['user_sam'], lastMessageAt: null };
    await expect(t.storage.transaction(async (tx) => await putRecord(tx, scopeOf.chat({ ...chat, id: 'chat_ok' }), 'chat', chat))).rejects.toThrow(IdGrammarError);
    // A per-person record needs exactly `<id>:<userId>`: a plain id is refused too.
    for (const memberId of ['inbox_sales', /^[\w-]{1,64}:[\w-]{1,64}$/.test(id) ? 'inbox_sales' : id]) {
      const member: EntityOf<'inboxMember'> = { id: memberId, inboxId: 'inbox_sales', userId: 'user_sam' };
      await expect(t.storage.transaction(async (tx) => await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member))).rejects.toThrow(IdGrammarError);
    }
    await expect(t.storage.transaction(async (tx) => await deleteRecord(tx, 'inbox:inbox_sales', 'message', id))).rejects.toThrow(IdGrammarError);
    expect(await changeCount(t.storage)).toBe(before);
    expect(await t.get('chat', id)).toBeNull();
  });
});
