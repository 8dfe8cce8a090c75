import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityOf } from '../../../protocol/domain.ts';
import { AttachmentFiles } from '../../../server/blobs/attachment-files.ts';
import { S3BlobStore } from '../../../server/blobs/s3-blob-store.ts';
import { Domain } from '../../../server/domain/domain.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { VisitorUploads } from '../../../server/webchat/uploads.ts';
import { channel, seed } from '../storage/contract-fixtures.ts';
import { readBody } from './blob-store-contract.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';

/**
 * Two instances sharing one PostgreSQL schema and one S3 bucket, each with its own storage pool, blob client,
 * domain and attachment service — as two server processes would have (tested here below the HTTP routes:
 * startServer has no database URL option yet). What one stores, the other checks, links, serves and sweeps.
 */
let db: TestDatabase;
let s3: TestS3;
const instances: Array<{ storage: Storage; domain: Domain; files: AttachmentFiles }> = [];
let now = 1_000_000;
const clock = () => now;

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  const schema = uniqueSchema();
  const bucket = await s3.bucket();
  for (let i = 0; i < 2; i++) {
    const storage = await openPostgresStorage({ url: db.url, schema, poolSize: 3 });
    const domain = await Domain.open({ storage, clock, attachments: true });
    instances.push({ storage, domain, files: new AttachmentFiles(storage, new S3BlobStore(bucket), clock) });
  }
  await instances[0]!.storage.transaction(async (tx) => {
    await seed(tx);
    await tx.put('channel', channel('ch_web', { kind: 'webchat', address: 'widget-1' }));
  });
});
afterAll(async () => {
  for (const i of instances) {
    i.domain.close();
    await i.files.blobs.close();
    await i.storage.close();
  }
  await s3?.close();
  await db?.drop();
});

const user = async (d: Domain, id: string): Promise<EntityOf<'user'>> => (await d.user(id))!;

describe('attachments shared by two instances (PostgreSQL + S3)', () => {
  it('an agent’s upload through A is sent through B, which links it in the message’s transaction and serves its bytes', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const bytes = Buffer.from('%PDF-1.4 price list');
    const file = await a.files.store({ name: 'prices.pdf', contentType: 'application/pdf', conversationId: 'conv_1', channelId: null, uploaderId: 'user_a' }, [bytes]);

    // user_b did not upload it: B refuses it for them, and for user_a in another conversation.
    const foreign = await b.domain.applyMutation(await user(b.domain, 'user_b'), 'c1', 1, {
      name: 'message.send',
      args: { conversationId: 'conv_1', messageId: 'msg_foreign', body: 'x', attachments: [{ id: file.id, name: 'prices.pdf', contentType: 'application/pdf', size: 1 }] },
    });
    expect(foreign.result).toMatchObject({ ok: false, code: 'invalid' });

    const sent = await b.domain.applyMutation(await user(b.domain, 'user_a'), 'c1', 1, {
      name: 'message.send',
      args: { conversationId: 'conv_1', messageId: 'msg_1', body: 'prices', attachments: [{ id: file.id, name: 'claimed.pdf', contentType: 'application/pdf', size: 1 }] },
    });
    expect(sent.result).toEqual({ ok: true });
    const message = await b.storage.transaction((tx) => tx.get('message', 'msg_1'));
    expect(message?.attachments).toEqual([{ id: file.id, name: 'prices.pdf', contentType: 'application/pdf', size: bytes.length }]);
    expect(await a.files.row(file.id)).toMatchObject({ messageId: 'msg_1', linkedAt: now, conversationId: 'conv_1' });

    const served = await b.files.open(file.id);
    expect(served?.size).toBe(bytes.length);
    expect((await readBody(served!.body)).equals(bytes)).toBe(true);
    expect(await b.files.get(file.id)).toMatchObject({ conversationId: 'conv_1', uploaderId: 'user_a', name: 'prices.pdf' });
  });

  it('a visitor’s upload staged on A is claimed on B and linked by the transaction that stores their message', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const onA = new VisitorUploads(a.files, {}, clock);
    const onB = new VisitorUploads(b.files, {}, clock);
    const staged = await onA.stage('ch_web', 'visitor-0123456789abcdef', { name: 'photo.png', contentType: 'image/png', bytes: Buffer.from('png-bytes') });
    expect(await onB.pendingOf('ch_web', 'visitor-0123456789abcdef')).toBe(1);
    expect(await onB.claim('ch_web', 'visitor-fedcba9876543210', [staged.id])).toMatch(/attach the file again/);
    const claimed = await onB.claim('ch_web', 'visitor-0123456789abcdef', [staged.id]);
    expect(claimed).toEqual([staged]);
    const result = await b.domain.receiveInbound({ channelId: 'ch_web', from: 'visitor-0123456789abcdef', body: '', providerId: 'webchat:v:1', attachments: claimed as typeof staged[] });
    expect(await onA.pendingOf('ch_web', 'visitor-0123456789abcdef')).toBe(0);
    expect(await a.files.get(staged.id)).toMatchObject({ conversationId: result.conversationId, uploaderId: 'visitor-0123456789abcdef' });
  });

  it('housekeeping on either instance removes uploads no message carried after a day (facts and bytes), and nothing else', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const stale = await a.files.store({ name: 'left.txt', contentType: 'text/plain', conversationId: 'conv_1', channelId: null, uploaderId: 'user_a' }, [Buffer.from('left')]);
    // A writer that died between its bytes and its commit: a reservation with bytes.
    const reservation = { id: 'att_0123456789abcdef0123456789abcdef', name: 'half.png', contentType: 'image/png', size: 0, conversationId: null, channelId: 'ch_web', uploaderId: 'visitor-0123456789abcdef', createdAt: now, committed: false, messageId: null, linkedAt: null };
    await a.storage.transaction((tx) => tx.addAttachment(reservation));
    await a.files.blobs.put(reservation.id, [Buffer.from('half')], { contentType: 'image/png', maxBytes: 10 });
    now += 23 * 60 * 60 * 1000;
    expect(await b.files.sweep()).toBe(0);
    now += 2 * 60 * 60 * 1000;
    expect(await b.files.sweep()).toBe(2);
    for (const id of [stale.id, reservation.id]) {
      expect(await a.files.row(id)).toBeNull();
      expect(await a.files.blobs.exists(id)).toBe(false);
    }
    // The files messages carry (the tests above) stay, bytes and all.
    const kept = await a.storage.transaction((tx) => tx.unlinkedAttachments(Number.MAX_SAFE_INTEGER, 10));
    expect(kept).toEqual([]);
    const message = await a.storage.transaction((tx) => tx.get('message', 'msg_1'));
    expect(await a.files.blobs.exists(message!.attachments[0]!.id)).toBe(true);
  });
});
