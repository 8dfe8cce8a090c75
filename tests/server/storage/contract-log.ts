import { expect, it } from 'vitest';
import type { MutationResult } from '../../../protocol/mutations.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { inbox, read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

const del = (scope: string, id: string) => ({ scope: scope as Scope, op: 'delete' as const, entity: 'conversation' as const, id });
const seqsOf = async (s: Storage, after: number, scopes: string[], limit: number) =>
  (await read(s, (tx) => tx.readChanges(after, scopes as Scope[], limit))).map((e) => e.seq);

export function changeLogContract(ctx: ContractContext): void {
  it('starts empty: head 0, nothing compacted, nothing to read', async () => {
    const s = ctx.storage();
    expect(await read(s, (tx) => Promise.all([tx.head(), tx.compactedThrough(), tx.readChanges(0, ['inbox:a'], 10)]))).toEqual([0, 0, []]);
  });

  it('appends entries with increasing seqs and reads them by scope, after a cursor, up to a limit', async () => {
    const s = ctx.storage();
    const seqs = await write(s, async (tx) => {
      const out: number[] = [];
      for (const [i, scope] of ['inbox:a', 'inbox:b', 'inbox:a', 'user:u', 'inbox:a'].entries()) out.push(await tx.appendChange(del(scope, `c${i}`)));
      return out;
    });
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(5);
    const [s1, , s3, s4, s5] = seqs as [number, number, number, number, number];
    expect(await seqsOf(s, 0, ['inbox:a'], 10)).toEqual([s1, s3, s5]);
    expect(await seqsOf(s, s1, ['inbox:a', 'user:u'], 2)).toEqual([s3, s4]);
    expect(await seqsOf(s, 0, [], 10)).toEqual([]);
    expect(await seqsOf(s, 0, ['inbox:a'], 0)).toEqual([]);
    expect(await read(s, (tx) => tx.head())).toBe(s5);
  });

  it('reads entries of every scope after a cursor, in seq order, up to a limit (the per-instance log reader)', async () => {
    const s = ctx.storage();
    const seqs = await write(s, async (tx) => {
      const out: number[] = [];
      for (const [i, scope] of ['inbox:a', 'user:u', 'chat:c', 'org:o', 'inbox:b'].entries()) out.push(await tx.appendChange(del(scope, `c${i}`)));
      return out;
    });
    const all = await read(s, (tx) => tx.readAllChanges(0, 10));
    expect(all.map((e) => [e.seq, e.scope])).toEqual(seqs.map((seq, i) => [seq, ['inbox:a', 'user:u', 'chat:c', 'org:o', 'inbox:b'][i]]));
    expect(all[1]).toMatchObject({ op: 'delete', entity: 'conversation', id: 'c1' });
    expect((await read(s, (tx) => tx.readAllChanges(seqs[1]!, 2))).map((e) => e.seq)).toEqual(seqs.slice(2, 4));
    expect(await read(s, (tx) => tx.readAllChanges(seqs[4]!, 10))).toEqual([]);
    expect(await read(s, (tx) => tx.readAllChanges(0, 0))).toEqual([]);
    await write(s, (tx) => tx.compactChanges(seqs[2]!));
    expect((await read(s, (tx) => tx.readAllChanges(0, 10))).map((e) => e.seq)).toEqual(seqs.slice(3));
  });

  it('serves put entries with their record and delete entries with their id', async () => {
    const s = ctx.storage();
    const record = inbox('inbox_x', 'Nested "quotes" ✓');
    await write(s, async (tx) => {
      await tx.appendChange({ scope: 'inbox:inbox_x', op: 'put', entity: 'inbox', id: 'inbox_x', record });
      await tx.appendChange({ scope: 'inbox:inbox_x', op: 'delete', entity: 'message', id: 'm_1' });
    });
    const [put, gone] = await read(s, (tx) => tx.readChanges(0, ['inbox:inbox_x'], 10));
    expect(put).toMatchObject({ scope: 'inbox:inbox_x', op: 'put', entity: 'inbox', record });
    expect(gone).toMatchObject({ scope: 'inbox:inbox_x', op: 'delete', entity: 'message', id: 'm_1' });
    expect(gone!.seq).toBeGreaterThan(put!.seq);
  });

  it('keeps head and the compaction floor across compaction, and never moves either back', async () => {
    const s = ctx.storage();
    const seqs = await write(s, async (tx) => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push(await tx.appendChange(del('inbox:a', `c${i}`)));
      return out;
    });
    const [, , s3, , s5] = seqs as [number, number, number, number, number];
    await write(s, (tx) => tx.compactChanges(s3));
    expect(await read(s, (tx) => Promise.all([tx.head(), tx.compactedThrough()]))).toEqual([s5, s3]);
    expect(await seqsOf(s, 0, ['inbox:a'], 10)).toEqual(seqs.slice(3));
    await write(s, (tx) => tx.compactChanges(1)); // behind the floor: nothing moves back
    expect(await read(s, (tx) => tx.compactedThrough())).toBe(s3);
    await write(s, (tx) => tx.compactChanges(s5)); // everything: the head stays where it was
    expect(await read(s, (tx) => Promise.all([tx.head(), tx.compactedThrough(), tx.readChanges(0, ['inbox:a'], 10)]))).toEqual([s5, s5, []]);
    const next = await write(s, (tx) => tx.appendChange(del('inbox:a', 'later')));
    expect(next).toBeGreaterThan(s5);
    expect(await read(s, (tx) => tx.head())).toBe(next);
  });

  it('does not keep the entries of a rolled-back transaction, and later seqs still increase', async () => {
    const s = ctx.storage();
    const first = await write(s, (tx) => tx.appendChange(del('inbox:a', 'kept')));
    await expect(
      write(s, async (tx) => {
        await tx.appendChange(del('inbox:a', 'dropped'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await read(s, (tx) => tx.head())).toBe(first);
    const second = await write(s, (tx) => tx.appendChange(del('inbox:a', 'kept too')));
    expect(second).toBeGreaterThan(first);
    expect(await seqsOf(s, 0, ['inbox:a'], 10)).toEqual([first, second]);
  });
}

/** A distinct stored answer per mutation id, so a test can tell which one came back. */
const ok = (n: number): MutationResult => ({ ok: false, code: 'conflict', message: `answer ${n}` });

export function ledgerContract(ctx: ContractContext): void {
  it('records one answer per client mutation and knows each client’s last id', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.recordMutationResult('user_a', 'client_1', 1, ok(1), 100);
      await tx.recordMutationResult('user_a', 'client_1', 2, ok(2), 200);
      await tx.recordMutationResult('user_a', 'client_2', 7, ok(7), 200);
    });
    expect(await read(s, (tx) => tx.findMutationResult('user_a', 'client_1', 2))).toEqual(ok(2));
    expect(await read(s, (tx) => tx.findMutationResult('user_a', 'client_1', 3))).toBeNull();
    expect(await read(s, (tx) => Promise.all([tx.lastMutationId('user_a', 'client_1'), tx.lastMutationId('user_a', 'client_2'), tx.lastMutationId('user_b', 'client_1')]))).toEqual([2, 7, 0]);
    await expect(write(s, (tx) => tx.recordMutationResult('user_a', 'client_1', 2, ok(2), 300))).rejects.toThrow();
  });

  it('prunes answers older than the cutoff except each client’s latest, counting them', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      for (const n of [1, 2, 3]) await tx.recordMutationResult('user_a', 'client_1', n, ok(n), n * 100);
      await tx.recordMutationResult('user_b', 'client_9', 5, ok(5), 50);
    });
    expect(await write(s, (tx) => tx.pruneMutationResults(1000))).toBe(2);
    expect(await read(s, (tx) => Promise.all([tx.findMutationResult('user_a', 'client_1', 2), tx.findMutationResult('user_a', 'client_1', 3)]))).toEqual([
      null,
      ok(3),
    ]);
    expect(await read(s, (tx) => Promise.all([tx.lastMutationId('user_a', 'client_1'), tx.lastMutationId('user_b', 'client_9')]))).toEqual([3, 5]);
  });
}
