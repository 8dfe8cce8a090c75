import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../../server/blobs/s3-blob-store.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { describeBlobStoreContract } from './blob-store-contract.ts';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
});

// A fresh bucket per test on one local S3-compatible server (s3rver).
describeBlobStoreContract('S3 (s3rver)', async () => new S3BlobStore(await s3.bucket()));

describe('S3 blob store', () => {
  it('keeps blobs as <prefix><id> objects with their content type, and says where without its keys', async () => {
    const options = await s3.bucket();
    const store = new S3BlobStore({ ...options, keyPrefix: 'files/' });
    const client = new S3Client({ endpoint: options.endpoint, region: options.region, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      await store.put('att_x', [Buffer.from('%PDF-1.4')], { contentType: 'application/pdf', maxBytes: 100 });
      const listed = await client.send(new ListObjectsV2Command({ Bucket: options.bucket }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['files/att_x']);
      expect(store.display).toBe(`s3://${options.bucket}/files/ at ${options.endpoint}`);
      expect(store.display).not.toContain('S3RVER');
    } finally {
      client.destroy();
      await store.close();
    }
  });

  it('fails clearly when the bucket does not exist (a wrong SWITCHBOARD_S3_BUCKET)', async () => {
    const store = new S3BlobStore({ ...s3.options, bucket: 'no-such-bucket-here' });
    try {
      await expect(store.put('att_y', [Buffer.from('x')], { contentType: 'text/plain', maxBytes: 10 })).rejects.toThrow(/bucket/i);
    } finally {
      await store.close();
    }
  });
});
