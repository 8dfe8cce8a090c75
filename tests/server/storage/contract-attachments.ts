import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { AttachmentRow } from '../../../server/storage/storage.ts';
import { read, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

const row = (id: string, over: Partial<AttachmentRow> = {}): AttachmentRow => ({
  id,
  name: `${id}.png`,
  contentType: 'image/png',
  size: 0,
  conversationId: null,
  channelId: null,
  uploaderId: 'user_a',
  createdAt: 1000,
  committed: false,
  messageId: null,
  linkedAt: null,
  ...over,
});

export function attachmentsContract(ctx: ContractContext): void {
  it('records a reservation once, commits it with its measured size once, and forgets it', async () => {
    const s = ctx.storage();
    expect(await write(s, (tx) => tx.addAttachment(row('att_1', { conversationId: 'conv_1' })))).toBe(true);
    expect(await write(s, (tx) => tx.addAttachment(row('att_1', { name: 'other.png' })))).toBe(false);
    expect(await read(s, (tx) => tx.getAttachment('att_1'))).toEqual(row('att_1', { conversationId: 'conv_1' }));
    expect(await write(s, (tx) => tx.commitAttachment('att_1', 1234))).toBe(true);
    expect(await write(s, (tx) => tx.commitAttachment('att_1', 99))).toBe(false);
    expect(await write(s, (tx) => tx.commitAttachment('missing', 99))).toBe(false);
    expect(await read(s, (tx) => tx.getAttachment('att_1'))).toMatchObject({ committed: true, size: 1234 });
    expect(await write(s, (tx) => tx.deleteAttachment('att_1'))).toBe(true);
    expect(await write(s, (tx) => tx.deleteAttachment('att_1'))).toBe(false);
    expect(await read(s, (tx) => tx.getAttachment('att_1'))).toBeNull();
  });

  it('links committed attachments to their first message only, and keeps linked ones from an unlinked-only delete', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.addAttachment(row('att_a', { committed: true, size: 3, channelId: 'ch_web', uploaderId: 'visitor-1' }));
      await tx.addAttachment(row('att_b', { committed: true, size: 4, channelId: 'ch_web', uploaderId: 'visitor-1' }));
      await tx.addAttachment(row('att_r')); // still being written: not linkable
    });
    const link = { conversationId: 'conv_1', messageId: 'm1', at: 5000 };
    expect(await write(s, (tx) => tx.linkAttachments(['att_a', 'att_b', 'att_a', 'att_r', 'missing'], link))).toBe(2);
    expect(await write(s, (tx) => tx.linkAttachments(['att_a'], { conversationId: 'conv_2', messageId: 'm2', at: 6000 }))).toBe(0);
    expect(await write(s, (tx) => tx.linkAttachments([], link))).toBe(0);
    expect(await read(s, (tx) => tx.getAttachment('att_a'))).toEqual(
      row('att_a', { committed: true, size: 3, channelId: 'ch_web', uploaderId: 'visitor-1', conversationId: 'conv_1', messageId: 'm1', linkedAt: 5000 }),
    );
    expect(await read(s, (tx) => tx.getAttachment('att_r'))).toMatchObject({ linkedAt: null, conversationId: null });
    expect(await write(s, (tx) => tx.deleteAttachment('att_a', { unlinkedOnly: true }))).toBe(false);
    expect(await write(s, (tx) => tx.deleteAttachment('att_r', { unlinkedOnly: true }))).toBe(true);
  });

  it('lists one uploader’s files on one channel since a time, and unlinked ones older than a cutoff, oldest first', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.addAttachment(row('att_3', { channelId: 'ch_web', uploaderId: 'visitor-1', createdAt: 3000, committed: true }));
      await tx.addAttachment(row('att_1', { channelId: 'ch_web', uploaderId: 'visitor-1', createdAt: 1000, committed: true }));
      await tx.addAttachment(row('att_2', { channelId: 'ch_web', uploaderId: 'visitor-2', createdAt: 2000 }));
      await tx.addAttachment(row('att_4', { channelId: 'ch_other', uploaderId: 'visitor-1', createdAt: 2500 }));
      await tx.addAttachment(row('att_0', { uploaderId: 'user_a', conversationId: 'conv_1', createdAt: 500, committed: true }));
      await tx.addAttachment(row('att_5', { createdAt: 900, committed: true, conversationId: 'conv_1', messageId: 'm1', linkedAt: 950 }));
    });
    const ids = (rows: AttachmentRow[]) => rows.map((r) => r.id);
    expect(ids(await read(s, (tx) => tx.attachmentsOfUploader('ch_web', 'visitor-1', 0)))).toEqual(['att_1', 'att_3']);
    expect(ids(await read(s, (tx) => tx.attachmentsOfUploader('ch_web', 'visitor-1', 1001)))).toEqual(['att_3']);
    expect(await read(s, (tx) => tx.unlinkedAttachments(2500, 10))).toEqual(['att_0', 'att_1', 'att_2']);
    expect(await read(s, (tx) => tx.unlinkedAttachments(2500, 2))).toEqual(['att_0', 'att_1']);
  });

  it('hands back whatever facts it was given, byte for byte (generated names, types, sizes and times)', async () => {
    const s = ctx.storage();
    const facts = fc.record({
      name: fc.string({ minLength: 1, maxLength: 200 }),
      contentType: fc.constantFrom('image/png', 'application/pdf', 'text/plain', 'audio/ogg', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
      size: fc.integer({ min: 0, max: 2 ** 40 }),
      createdAt: fc.integer({ min: 0, max: 2 ** 50 }),
      committed: fc.boolean(),
      channelId: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { nil: null }),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(facts, async (f) => {
        const r = row(`att_gen_${n++}`, f);
        await write(s, (tx) => tx.addAttachment(r));
        expect(await read(s, (tx) => tx.getAttachment(r.id))).toEqual(r);
      }),
      { numRuns: 40 },
    );
  });
}
