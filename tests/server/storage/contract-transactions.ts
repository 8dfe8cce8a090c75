import { expect, it } from 'vitest';
import type { StorageTx } from '../../../server/storage/storage.ts';
import { inbox, pause, read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

export function transactionsContract(ctx: ContractContext): void {
  it('resolves with what the callback returns, in read and in write transactions', async () => {
    const s = ctx.storage();
    expect(await write(s, async (tx) => (await tx.getMeta('x')) ?? 'none')).toBe('none');
    expect(await read(s, async () => 42)).toBe(42);
  });

  it('rolls back records, change entries and settings together when the callback rejects, with its error', async () => {
    const s = ctx.storage();
    await write(s, seed);
    const head = await read(s, (tx) => tx.head());
    const boom = new Error('boom');
    await expect(
      write(s, async (tx) => {
        await tx.put('inbox', inbox('inbox_2'));
        await tx.appendChange({ scope: 'inbox:inbox_2', op: 'put', entity: 'inbox', id: 'inbox_2', record: inbox('inbox_2') });
        await tx.setMeta('k', 'v');
        await pause(1);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await read(s, (tx) => Promise.all([tx.get('inbox', 'inbox_2'), tx.head(), tx.getMeta('k')]))).toEqual([null, head, null]);
  });

  it('refuses a tx used after its transaction settled, writing nothing', async () => {
    const s = ctx.storage();
    let kept: StorageTx | null = null;
    await write(s, async (tx) => {
      kept = tx;
    });
    await expect(async () => kept!.setMeta('late', 'v')).rejects.toThrow();
    await expect(async () => kept!.getMeta('late')).rejects.toThrow();
    expect(await read(s, (tx) => tx.getMeta('late'))).toBeNull();
  });

  it('loses no update when transactions read then write the same row at once', async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.setMeta('counter', '0'));
    const bump = () =>
      write(s, async (tx) => {
        const n = Number(await tx.getMeta('counter'));
        await pause(2);
        await tx.setMeta('counter', String(n + 1));
      });
    await Promise.all(Array.from({ length: 8 }, bump));
    expect(await read(s, (tx) => tx.getMeta('counter'))).toBe('8');
  });

  it('never shows a reader half of a transaction', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.setMeta('a', '0');
      await tx.setMeta('b', '0');
    });
    const writes = Array.from({ length: 6 }, (_, i) =>
      write(s, async (tx) => {
        await tx.setMeta('a', String(i + 1));
        await pause(2);
        await tx.setMeta('b', String(i + 1));
      }),
    );
    const seen: Array<[string | null, string | null]> = [];
    const reads = Array.from({ length: 12 }, async (_, i) => {
      await pause(i % 4);
      seen.push(await read(s, (tx) => Promise.all([tx.getMeta('a'), tx.getMeta('b')])));
    });
    await Promise.all([...writes, ...reads]);
    expect(seen).toHaveLength(12);
    for (const [a, b] of seen) expect(a).toBe(b);
  });
}
