import fc from 'fast-check';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StaleTransactionError } from '../../server/storage/sqlite/serialised.ts';
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage, StorageTx } from '../../server/storage/storage.ts';
import { tempDir } from './support/fixtures.ts';

const dirs: Array<{ remove(): void }> = [];
const stores: Storage[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) d.remove();
});

function open(): { storage: Storage; file: string } {
  const dir = tempDir();
  dirs.push(dir);
  const file = join(dir.path, 'store.sqlite');
  const storage = openSqliteStorage({ file });
  stores.push(storage);
  return { storage, file };
}

/** A gate a test opens by hand: work awaiting it holds its transaction open. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Lets every queued microtask and macrotask run, so work that could proceed has proceeded. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

// ---------------------------------------------------------------- the interleaving property

type Pause = 'none' | 'microtask' | 'immediate' | 'timeout';
const KEYS = ['a', 'b', 'c'] as const;
type Key = (typeof KEYS)[number];
type State = Record<Key, number>;

/** One read-modify-write of a key: v := (v * mul + add) mod P, with a pause between the read and the write. */
interface Step {
  key: Key;
  mul: number;
  add: number;
  pause: Pause;
}
type Program =
  | { kind: 'write'; startAfter: Pause; steps: Step[]; fails: boolean }
  | { kind: 'read'; startAfter: Pause; pauses: Pause[] };

const P = 1_000_003;
const pauseArb = fc.constantFrom<Pause>('none', 'microtask', 'immediate', 'timeout');
const stepArb = fc.record({ key: fc.constantFrom(...KEYS), mul: fc.integer({ min: 2, max: 7 }), add: fc.integer({ min: 1, max: 97 }), pause: pauseArb });
const programArb: fc.Arbitrary<Program> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), startAfter: pauseArb, steps: fc.array(stepArb, { minLength: 1, maxLength: 4 }), fails: fc.boolean() }),
  fc.record({ kind: fc.constant('read' as const), startAfter: pauseArb, pauses: fc.array(pauseArb, { minLength: KEYS.length, maxLength: KEYS.length }) }),
);

async function pause(kind: Pause): Promise<void> {
  if (kind === 'microtask') await Promise.resolve();
  else if (kind === 'immediate') await new Promise((resolve) => setImmediate(resolve));
  else if (kind === 'timeout') await new Promise((resolve) => setTimeout(resolve, 0));
}

const readKey = async (tx: StorageTx, key: Key): Promise<number> => Number((await tx.getMeta(`k_${key}`)) ?? '0');

/** Runs one program in its own transaction; resolves with what it read, or 'rolled back'. */
async function run(storage: Storage, program: Program): Promise<number[] | 'rolled back'> {
  await pause(program.startAfter);
  if (program.kind === 'read') {
    return storage.transaction(
      async (tx) => {
        const seen: number[] = [];
        for (const [i, key] of KEYS.entries()) {
          seen.push(await readKey(tx, key));
          await pause(program.pauses[i] ?? 'none');
        }
        return seen;
      },
      { kind: 'read' },
    );
  }
  try {
    return await storage.transaction(async (tx) => {
      const seen: number[] = [];
      for (const step of program.steps) {
        const value = await readKey(tx, step.key);
        seen.push(value);
        await pause(step.pause);
        await tx.setMeta(`k_${step.key}`, String((value * step.mul + step.add) % P));
      }
      if (program.fails) throw new Error('the callback failed');
      return seen;
    });
  } catch (err) {
    if (err instanceof Error && err.message === 'the callback failed') return 'rolled back';
    throw err;
  }
}

/** What the programs would read and leave behind, run one after another in this order. */
function serially(programs: readonly Program[], order: readonly number[]): { results: Array<number[] | 'rolled back'>; state: State } {
  const state: State = { a: 0, b: 0, c: 0 };
  const results: Array<number[] | 'rolled back'> = [];
  for (const i of order) {
    const program = programs[i] as Program;
    if (program.kind === 'read') {
      results[i] = KEYS.map((k) => state[k]);
      continue;
    }
    const before = { ...state };
    const seen: number[] = [];
    for (const step of program.steps) {
      seen.push(state[step.key]);
      state[step.key] = (state[step.key] * step.mul + step.add) % P;
    }
    if (program.fails) Object.assign(state, before);
    results[i] = program.fails ? 'rolled back' : seen;
  }
  return { results, state };
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('sqlite storage: transactions never interleave', () => {
  it('concurrent transactions with awaits inside read and leave exactly what some serial order would; a rejected one leaves nothing', async () => {
    const { storage } = open();
    await fc.assert(
      fc.asyncProperty(fc.array(programArb, { minLength: 2, maxLength: 5 }), async (programs) => {
        await storage.transaction(async (tx) => {
          for (const key of KEYS) await tx.setMeta(`k_${key}`, '0');
        });
        const results = await Promise.all(programs.map((p) => run(storage, p)));
        const final = await storage.transaction(async (tx) => ({ a: await readKey(tx, 'a'), b: await readKey(tx, 'b'), c: await readKey(tx, 'c') }), { kind: 'read' });
        const serial = permutations(programs.length).find((order) => {
          const s = serially(programs, order);
          return JSON.stringify(s.results) === JSON.stringify(results) && JSON.stringify(s.state) === JSON.stringify(final);
        });
        expect(serial, `no serial order explains reads ${JSON.stringify(results)} and state ${JSON.stringify(final)}`).toBeDefined();
      }),
      { numRuns: 60 },
    );
  });

  it('a read waits for a write in progress and sees only what it committed', async () => {
    const { storage } = open();
    const held = gate();
    const writing = storage.transaction(async (tx) => {
      await tx.setMeta('k', 'uncommitted');
      await held.wait;
      await tx.setMeta('k', 'committed');
    });
    let seen: string | null | undefined;
    const reading = storage.transaction(async (tx) => (seen = await tx.getMeta('k')), { kind: 'read' });
    await settle();
    expect(seen).toBeUndefined();
    held.open();
    await Promise.all([writing, reading]);
    expect(seen).toBe('committed');
  });
});

describe('sqlite storage: a transaction is bounded by its callback', () => {
  it('a tx used after its transaction committed or rolled back throws', async () => {
    const { storage } = open();
    let kept: StorageTx | null = null;
    await storage.transaction(async (tx) => {
      kept = tx;
      await tx.setMeta('k', 'v');
    });
    expect(() => kept?.getMeta('k')).toThrow(StaleTransactionError);
    expect(() => kept?.setMeta('k', 'late')).toThrow(/after its transaction settled/);
    await expect(
      storage.transaction(async (tx) => {
        kept = tx;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(() => kept?.setMeta('k', 'late')).toThrow(StaleTransactionError);
    expect(await storage.transaction((tx) => tx.getMeta('k'))).toBe('v');
  });

  it('work a callback forgot to await cannot write after the commit', async () => {
    const { storage } = open();
    const late: Array<Promise<unknown>> = [];
    await storage.transaction(async (tx) => {
      late.push(new Promise((resolve) => setImmediate(resolve)).then(() => tx.setMeta('k', 'late')));
    });
    await expect(late[0]).rejects.toThrow(StaleTransactionError);
    expect(await storage.transaction((tx) => tx.getMeta('k'))).toBeNull();
  });

  it('close waits for the transaction running, which commits; later transactions are refused', async () => {
    const { storage, file } = open();
    stores.splice(stores.indexOf(storage), 1);
    const held = gate();
    const running = storage.transaction(async (tx) => {
      await tx.setMeta('k', 'before close');
      await held.wait;
      await tx.setMeta('k', 'finished');
    });
    let closed = false;
    const closing = storage.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    held.open();
    await running;
    await closing;
    expect(closed).toBe(true);
    await expect(storage.transaction((tx) => tx.getMeta('k'))).rejects.toThrow(/closed/);
    const again = openSqliteStorage({ file });
    stores.push(again);
    expect(await again.transaction((tx) => tx.getMeta('k'))).toBe('finished');
  });
});
