import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { checkedBlobId, collectBody, type BlobBody, type BlobStore } from '../storage/blob-store.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  /** An S3-compatible service's address (MinIO, Ceph, R2, a local test server); absent = AWS S3. */
  endpoint?: string;
  /** Default us-east-1 (most S3-compatible services ignore it, but signing needs one). */
  region?: string;
  /** Both or neither; neither = the SDK's default credential chain (AWS_* variables, instance role, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** bucket in the path (http://host/bucket/key) rather than the host name: what most S3-compatible services want. */
  forcePathStyle?: boolean;
  /** Prepended to every id to make its key. Default `attachments/`. */
  keyPrefix?: string;
}

const notFound = (err: unknown): boolean =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404);

/**
 * Blobs as objects in one bucket (many instances share it). `@aws-sdk/lib-storage` is not installed, so a put is
 * one PutObject with a known ContentLength: the body is collected first, which its size limit keeps small (an
 * attachment is at most 5 MB), and a body whose declared length lied never reaches the bucket half-written.
 * Checksums are sent and checked only where S3 requires them: several S3-compatible services reject the
 * SDK's newer default trailers.
 */
export class S3BlobStore implements BlobStore {
  readonly display: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.keyPrefix ?? 'attachments/';
    this.display = `s3://${options.bucket}/${this.prefix}${options.endpoint ? ` at ${new URL(options.endpoint).origin}` : ''}`;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(id: string): string {
    return `${this.prefix}${checkedBlobId(id)}`;
  }

  async put(id: string, body: BlobBody, options: { contentType: string; maxBytes: number }): Promise<{ size: number }> {
    const key = this.key(id);
    const bytes = await collectBody(body, options.maxBytes);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.length, ContentType: options.contentType }));
    return { size: bytes.length };
  }

  async get(id: string): Promise<{ body: Readable; size: number } | null> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(id) }));
      if (!answer.Body || answer.ContentLength === undefined) throw new Error(`S3 answered ${this.key(id)} without a body or length`);
      // In Node the SDK's body is an http.IncomingMessage: a Readable.
      return { body: answer.Body as Readable, size: answer.ContentLength };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(id) }));
  }

  async exists(id: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(id) }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
