import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import S3rver from 's3rver';
import type { S3BlobStoreOptions } from '../../../server/blobs/s3-blob-store.ts';
import { tempDir } from './fixtures.ts';

export interface TestS3 {
  /** What S3BlobStore / ServerOptions.blobStore need for a fresh bucket on it. */
  options: S3BlobStoreOptions;
  /** Another empty bucket on the same server. */
  bucket(): Promise<S3BlobStoreOptions>;
  close(): Promise<void>;
}

/** s3rver, a local S3-compatible server, on a random loopback port with its files in a temp dir. */
export async function startTestS3(): Promise<TestS3> {
  const dir = tempDir('switchboard-s3-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir.path, silent: true });
  const { port } = await server.run();
  const base = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    // s3rver's fixed test credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  };
  const admin = new S3Client({ ...base, credentials: { accessKeyId: base.accessKeyId, secretAccessKey: base.secretAccessKey } });
  const bucket = async (): Promise<S3BlobStoreOptions> => {
    const name = `sb-${randomBytes(6).toString('hex')}`;
    await admin.send(new CreateBucketCommand({ Bucket: name }));
    return { ...base, bucket: name };
  };
  return {
    options: await bucket(),
    bucket,
    async close() {
      admin.destroy();
      await server.close();
      dir.remove();
    },
  };
}
