import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../../../protocol/sync.ts';
import { deleteRecord, putRecord, scopeOf, scopesOfUser } from '../../../server/domain/change-log.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { StorageTx } from '../../../server/storage/storage.ts';
import { mayChangeScopes } from '../../../server/sync/change-pages.ts';
import { LogReader, type LogSource } from '../../../server/sync/log-reader.ts';
import { chat, inbox, user } from '../storage/contract-fixtures.ts';

/**
 * A socket serves from memory with the scopes it read last, until an entry could change them. The property:
 * whatever membership writes happen (on real SQLite, through putRecord/deleteRecord as the domain writes them),
 * an entry after which the person's scopes differ is always one `mayChangeScopes` flags.
 */
const PEOPLE = ['user_a', 'user_b'] as const;
const INBOXES = ['inbox_1', 'inbox_2'] as const;
const CHATS = ['chat_1', 'chat_2'] as const;

const step = fc.oneof(
  fc.record({ kind: fc.constant('member' as const), inboxId: fc.constantFrom(...INBOXES), userId: fc.constantFrom(...PEOPLE), member: fc.boolean() }),
  fc.record({ kind: fc.constant('chat' as const), chatId: fc.constantFrom(...CHATS), memberIds: fc.subarray([...PEOPLE]), gone: fc.boolean() }),
  fc.record({ kind: fc.constant('user' as const), userId: fc.constantFrom(...PEOPLE), active: fc.boolean() }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

async function apply(tx: StorageTx, s: Step): Promise<void> {
  if (s.kind === 'member') {
    const record = { id: `${s.inboxId}:${s.userId}`, inboxId: s.inboxId, userId: s.userId };
    if (s.member) await putRecord(tx, scopeOf.inboxMember(record), 'inboxMember', record);
    else if (await tx.get('inboxMember', record.id)) await deleteRecord(tx, scopeOf.inboxMember(record), 'inboxMember', record.id);
  } else if (s.kind === 'chat') {
    const record = chat(s.chatId, s.memberIds);
    if (!s.gone) await putRecord(tx, scopeOf.chat(record), 'chat', record);
    else if (await tx.get('chat', s.chatId)) await deleteRecord(tx, scopeOf.chat(record), 'chat', s.chatId);
  } else {
    const record = { ...user(s.userId), status: s.active ? ('active' as const) : ('disabled' as const) };
    await putRecord(tx, scopeOf.user(record), 'user', record);
  }
}

describe('mayChangeScopes', () => {
  fcIt.prop([fc.array(step, { minLength: 1, maxLength: 25 })], { numRuns: 60 })(
    'flags every entry after which a person holds other scopes (real storage, every membership write)',
    async (steps) => {
      const storage = openSqliteStorage({ file: ':memory:' });
      try {
        await storage.transaction(async (tx) => {
          await tx.putOrg({ id: 'org_1', name: 'Org' });
          for (const id of PEOPLE) await tx.put('user', user(id));
          for (const id of INBOXES) await tx.put('inbox', inbox(id));
        });
        for (const s of steps) {
          await storage.transaction(async (tx) => {
            const before = new Map(await Promise.all(PEOPLE.map(async (p) => [p, await scopesOfUser(tx, p)] as const)));
            const head = await tx.head();
            await apply(tx, s);
            const entries: ChangeEntry[] = await tx.readAllChanges(head, 10);
            for (const p of PEOPLE) {
              const after = await scopesOfUser(tx, p);
              const held = new Set(before.get(p));
              const changed = after.length !== held.size || after.some((x) => !held.has(x));
              if (changed) expect(entries.some((e) => mayChangeScopes(e, p, held)), `${p} after ${JSON.stringify(s)}`).toBe(true);
            }
          });
        }
      } finally {
        await storage.close();
      }
    },
  );

  it('leaves the entries that cannot change anyone’s scopes alone: chat messages and a member’s own chat', () => {
    const held = new Set(['org:org_1', 'user:user_a', 'inbox:inbox_1', 'chat:chat_1'] as const);
    const put = (entity: string, record: object, scope: string): ChangeEntry => ({ seq: 1, scope, op: 'put', entity, record }) as ChangeEntry;
    expect(mayChangeScopes(put('chat', chat('chat_1', ['user_a', 'user_b']), 'chat:chat_1'), 'user_a', held)).toBe(false);
    expect(mayChangeScopes(put('chat', chat('chat_1', ['user_b']), 'chat:chat_1'), 'user_a', held)).toBe(true);
    expect(mayChangeScopes(put('inboxMember', { id: 'inbox_1:user_a', inboxId: 'inbox_1', userId: 'user_a' }, 'inbox:inbox_1'), 'user_a', held)).toBe(false);
    expect(mayChangeScopes(put('inboxMember', { id: 'inbox_2:user_a', inboxId: 'inbox_2', userId: 'user_a' }, 'inbox:inbox_2'), 'user_a', held)).toBe(true);
    expect(mayChangeScopes(put('user', user('user_b'), 'org:org_1'), 'user_a', held)).toBe(false);
  });
});

/** A log in memory: `append` commits entries; reads are counted. */
function fakeLog(): LogSource & { append(n: number): void; reads: number } {
  const entries: ChangeEntry[] = [];
  const log = {
    reads: 0,
    append(n: number) {
      for (let i = 0; i < n; i++) entries.push({ seq: entries.length + 1, scope: 'inbox:a', op: 'delete', entity: 'message', id: `m${entries.length}` });
    },
    head: async () => entries.length,
    readLog: async (after: number, limit: number) => {
      log.reads += 1;
      return { entries: entries.filter((e) => e.seq > after).slice(0, limit), head: entries.length };
    },
  };
  return log;
}

describe('LogReader', () => {
  it('reads each new range once, in pages, and serves every entry after a cursor it still keeps', async () => {
    const log = fakeLog();
    log.append(2);
    let lowest = Number.POSITIVE_INFINITY;
    const reader = new LogReader(log, { pageSize: 3, keepEntries: 5, lowestCursor: () => lowest });
    await reader.advance();
    expect(reader.head).toBe(2);
    expect(reader.window(1)).toBeNull(); // from before it started: the database's job
    lowest = 2;
    log.append(7);
    await reader.advance();
    expect(log.reads).toBe(1 + 3); // the start, then pages of 3, 3 and 1 for 7 new entries
    expect(reader.head).toBe(9);
    // Keeps the newest 5 entries: 5..9.
    expect(reader.window(3)).toBeNull();
    const w = reader.window(4)!;
    expect(w.entries.slice(w.start).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(w.through).toBe(9);
    expect(reader.window(12)).toMatchObject({ through: 12 });
    expect(reader.window(12)!.entries.slice(reader.window(12)!.start)).toEqual([]);
  });

  it('pokes arriving during a read cost one more read, not one each; reach joins the read in flight', async () => {
    const log = fakeLog();
    const reader = new LogReader(log, { pageSize: 100, keepEntries: 100, lowestCursor: () => 0 });
    await reader.advance();
    log.append(1);
    const first = reader.advance();
    log.append(1);
    for (let i = 0; i < 5; i++) void reader.advance();
    await first;
    expect(reader.head).toBe(2);
    expect(log.reads).toBe(1 + 2);
    log.append(1);
    await reader.reach(3);
    expect(reader.head).toBe(3);
    await reader.reach(3);
    expect(log.reads).toBe(1 + 3);
  });
});
