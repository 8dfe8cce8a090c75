import { expect, it } from 'vitest';
import type { Storage } from '../../../server/storage/storage.ts';
import { conversation, message, read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

/** conv_1: m1 (t=2000), m2 (t=3000); conv_2: m3 (t=2500). No jobs yet. */
async function seedMessages(s: Storage): Promise<void> {
  await write(s, async (tx) => {
    await seed(tx);
    await tx.put('conversation', conversation('conv_2', { customerAddress: '+14155550188' }));
    await tx.put('message', message('m1', { createdAt: 2000 }));
    await tx.put('message', message('m2', { createdAt: 3000 }));
    await tx.put('message', message('m3', { conversationId: 'conv_2', createdAt: 2500 }));
  });
}

const claim = (s: Storage, owner: string, now: number, leaseUntil: number, limit = 10) =>
  write(s, async (tx) => (await tx.claimSendJobs(owner, now, leaseUntil, limit)).map((j) => [j.messageId, j.attempt, j.leaseOwner, j.leaseUntil]));

export function sendJobsContract(ctx: ContractContext): void {
  it('adds a job for an existing message only, and a second put starts it over (a Retry)', async () => {
    const s = ctx.storage();
    await seedMessages(s);
    await write(s, async (tx) => {
      await tx.putSendJob('m1', 100, 50);
      await tx.putSendJob('missing', 100, 50);
    });
    const fresh = { messageId: 'm1', attempt: 0, dueAt: 100, leaseOwner: null, leaseUntil: null, lastError: null, createdAt: 50 };
    expect(await read(s, (tx) => Promise.all([tx.getSendJob('m1'), tx.getSendJob('missing')]))).toEqual([fresh, null]);
    await claim(s, 'w1', 100, 200);
    await write(s, (tx) => tx.rescheduleSendJob('m1', 'w1', 300, 'timeout'));
    await write(s, (tx) => tx.putSendJob('m1', 400, 350));
    expect(await read(s, (tx) => tx.getSendJob('m1'))).toEqual({ ...fresh, dueAt: 400, createdAt: 350 });
  });

  it('claims due jobs oldest first, leasing them and counting an attempt; a live lease is not claimed again', async () => {
    const s = ctx.storage();
    await seedMessages(s);
    await write(s, async (tx) => {
      await tx.putSendJob('m3', 90, 1);
      await tx.putSendJob('m1', 80, 1);
      await tx.putSendJob('m2', 500, 1); // not due yet, and behind m1 anyway
    });
    expect(await claim(s, 'w1', 100, 200)).toEqual([
      ['m1', 1, 'w1', 200],
      ['m3', 1, 'w1', 200],
    ]);
    expect(await claim(s, 'w2', 150, 250)).toEqual([]);
    expect(await claim(s, 'w2', 200, 300, 1)).toEqual([['m1', 2, 'w2', 300]]); // expired at 200: taken over
    expect(await claim(s, 'w2', 200, 300)).toEqual([['m3', 2, 'w2', 300]]);
  });

  it('claims a conversation’s jobs in message order: a later one waits while an earlier one is live, not while parked', async () => {
    const s = ctx.storage();
    await seedMessages(s);
    await write(s, async (tx) => {
      await tx.putSendJob('m2', 10, 1);
      await tx.putSendJob('m1', 20, 1);
    });
    expect(await claim(s, 'w1', 100, 200)).toEqual([['m1', 1, 'w1', 200]]);
    expect(await claim(s, 'w1', 100, 200)).toEqual([]);
    expect(await write(s, (tx) => tx.rescheduleSendJob('m1', 'w1', null, 'visitor away'))).toBe(true);
    expect(await claim(s, 'w1', 100, 200)).toEqual([['m2', 1, 'w1', 200]]);
    expect((await read(s, (tx) => tx.getSendJob('m1')))?.lastError).toBe('visitor away');
  });

  it('reschedules only for the lease owner, and deletes jobs (also with their message)', async () => {
    const s = ctx.storage();
    await seedMessages(s);
    await write(s, async (tx) => {
      await tx.putSendJob('m1', 10, 1);
      await tx.putSendJob('m3', 10, 1);
    });
    await claim(s, 'w1', 100, 200);
    expect(await write(s, (tx) => tx.rescheduleSendJob('m1', 'w2', 150, 'x'))).toBe(false);
    expect(await write(s, (tx) => tx.rescheduleSendJob('m1', 'w1', 150, '503'))).toBe(true);
    expect(await read(s, (tx) => tx.getSendJob('m1'))).toMatchObject({ dueAt: 150, leaseOwner: null, leaseUntil: null, lastError: '503', attempt: 1 });
    expect(await write(s, (tx) => tx.rescheduleSendJob('m1', 'w1', 150, 'again'))).toBe(false);
    await write(s, (tx) => tx.deleteSendJob('m1'));
    await write(s, (tx) => tx.remove('message', 'm3'));
    expect(await read(s, (tx) => Promise.all([tx.getSendJob('m1'), tx.getSendJob('m3')]))).toEqual([null, null]);
  });

  it('drops the leases of other owners, due again no earlier than a floor; parked jobs and its own leases stay', async () => {
    const s = ctx.storage();
    await seedMessages(s);
    await write(s, async (tx) => {
      await tx.putSendJob('m1', 10, 1);
      await tx.putSendJob('m3', 10, 1);
    });
    await claim(s, 'dead', 100, 10_000, 1); // m1
    await claim(s, 'me', 100, 10_000, 1); // m3
    expect(await write(s, (tx) => tx.releaseSendJobLeases('me', 5000))).toBe(1);
    expect(await read(s, (tx) => Promise.all([tx.getSendJob('m1'), tx.getSendJob('m3')]))).toEqual([
      expect.objectContaining({ leaseOwner: null, leaseUntil: null, dueAt: 5000, attempt: 1 }),
      expect.objectContaining({ leaseOwner: 'me', leaseUntil: 10_000 }),
    ]);
    expect(await write(s, (tx) => tx.releaseSendJobLeases('me', 1))).toBe(0);
    expect((await read(s, (tx) => tx.getSendJob('m1')))?.dueAt).toBe(5000);
  });

  it('says when the next job comes due: earliest unleased due time or lease expiry; parked jobs wait for nothing', async () => {
    const s = ctx.storage();
    await seedMessages(s);
    expect(await read(s, (tx) => tx.nextSendJobAt())).toBeNull();
    await write(s, (tx) => tx.putSendJob('m1', 10, 1));
    expect(await read(s, (tx) => tx.nextSendJobAt())).toBe(10);
    await claim(s, 'w1', 10, 20);
    await write(s, (tx) => tx.rescheduleSendJob('m1', 'w1', null, 'visitor away'));
    expect(await read(s, (tx) => tx.nextSendJobAt())).toBeNull();
    await write(s, (tx) => tx.putSendJob('m3', 700, 1));
    expect(await read(s, (tx) => tx.nextSendJobAt())).toBe(700);
    await claim(s, 'w1', 800, 900);
    expect(await read(s, (tx) => tx.nextSendJobAt())).toBe(900);
  });
}
