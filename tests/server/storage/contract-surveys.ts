import { expect, it } from 'vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import { conversation, inbox, read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

const survey = (id: string, over: Partial<EntityOf<'survey'>> = {}): EntityOf<'survey'> => ({
  id,
  conversationId: 'conv_1',
  inboxId: 'inbox_1',
  messageId: `${id}-m`,
  sentBy: 'user_a',
  sentAt: 1000,
  expiresAt: 1000 + 7 * 86_400_000,
  answer: null,
  ...over,
});
const answered = (rating: number) => ({ rating, comment: '', answeredAt: 2000, via: 'page' as const });

/** Customer satisfaction surveys (issue 12 §2): the records, their link-token hashes, per-inbox texts and report counts. */
export function surveysContract(ctx: ContractContext): void {
  it('keeps survey records by inbox (keyset pages) and drops them with their conversation', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('survey', survey('sv_b'));
      await tx.put('survey', survey('sv_a', { answer: answered(5) }));
    });
    expect(await read(s, (tx) => tx.get('survey', 'sv_a'))).toEqual(survey('sv_a', { answer: answered(5) }));
    expect((await read(s, (tx) => tx.list('survey', { inboxId: 'inbox_1' }, '', 10))).map((r) => r.id)).toEqual(['sv_a', 'sv_b']);
    expect((await read(s, (tx) => tx.list('survey', { inboxId: 'inbox_1' }, 'sv_a', 10))).map((r) => r.id)).toEqual(['sv_b']);
    await expect(write(s, (tx) => tx.put('survey', survey('sv_x', { conversationId: 'conv_missing' })))).rejects.toThrow();
    await write(s, (tx) => tx.remove('conversation', 'conv_1'));
    expect(await read(s, (tx) => tx.list('survey', { inboxId: 'inbox_1' }, '', 10))).toEqual([]);
  });

  it('finds a survey by the hash of its link token only; a hash is never given to two surveys', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('survey', survey('sv_1'));
      await tx.put('survey', survey('sv_2'));
      await tx.putSurveyToken('hash-1', 'sv_1');
    });
    expect(await read(s, (tx) => tx.findSurveyIdByTokenHash('hash-1'))).toBe('sv_1');
    expect(await read(s, (tx) => tx.findSurveyIdByTokenHash('hash-2'))).toBeNull();
    await expect(write(s, (tx) => tx.putSurveyToken('hash-1', 'sv_2'))).rejects.toThrow();
    await expect(write(s, (tx) => tx.putSurveyToken('hash-3', 'sv_missing'))).rejects.toThrow();
    expect(await read(s, (tx) => tx.findSurveyIdByTokenHash('hash-3'))).toBeNull();
  });

  it('keeps one survey text per inbox, replaced on save', async () => {
    const s = ctx.storage();
    await write(s, seed);
    expect(await read(s, (tx) => tx.getSurveyMessage('inbox_1'))).toBeNull();
    await write(s, (tx) => tx.setSurveyMessage('inbox_1', 'How did we do? {link}', 'user_a', 10));
    await write(s, (tx) => tx.setSurveyMessage('inbox_1', 'Rate us — ünï "quoted": {link}', 'user_b', 20));
    expect(await read(s, (tx) => tx.getSurveyMessage('inbox_1'))).toBe('Rate us — ünï "quoted": {link}');
    await expect(write(s, (tx) => tx.setSurveyMessage('inbox_missing', 'x', 'user_a', 30))).rejects.toThrow();
  });

  it('counts surveys sent in [from, to) in the given inboxes, per inbox and per agent: sent, answered, rated 4–5', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await seed(tx);
      await tx.put('inbox', inbox('inbox_2'));
      await tx.put('conversation', conversation('conv_2', { inboxId: 'inbox_2', customerAddress: '+14155550177' }));
      await tx.put('survey', survey('sv_1', { sentAt: 100, answer: answered(5) }));
      await tx.put('survey', survey('sv_2', { sentAt: 150, answer: answered(3) }));
      await tx.put('survey', survey('sv_3', { sentAt: 199, sentBy: 'user_b' }));
      await tx.put('survey', survey('sv_4', { sentAt: 200, answer: answered(4) })); // at `to`: outside
      await tx.put('survey', survey('sv_5', { sentAt: 99, answer: answered(4) })); // before `from`
      await tx.put('survey', survey('sv_6', { conversationId: 'conv_2', inboxId: 'inbox_2', sentAt: 120, sentBy: 'user_b', answer: answered(4) }));
    });
    expect(await read(s, (tx) => tx.surveyCounts(['inbox_1', 'inbox_2'], 100, 200))).toEqual({
      byInbox: [
        { key: 'inbox_1', sent: 3, answered: 2, satisfied: 1 },
        { key: 'inbox_2', sent: 1, answered: 1, satisfied: 1 },
      ],
      byAgent: [
        { key: 'user_a', sent: 2, answered: 2, satisfied: 1 },
        { key: 'user_b', sent: 2, answered: 1, satisfied: 1 },
      ],
    });
    expect(await read(s, (tx) => tx.surveyCounts(['inbox_2'], 100, 200))).toEqual({
      byInbox: [{ key: 'inbox_2', sent: 1, answered: 1, satisfied: 1 }],
      byAgent: [{ key: 'user_b', sent: 1, answered: 1, satisfied: 1 }],
    });
    expect(await read(s, (tx) => tx.surveyCounts([], 0, 1000))).toEqual({ byInbox: [], byAgent: [] });
  });
}
