import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBlobStore, resolveBlobStoreConfig } from '../../../server/blobs/blob-config.ts';
import { LocalBlobStore } from '../../../server/blobs/local-blob-store.ts';
import { S3BlobStore } from '../../../server/blobs/s3-blob-store.ts';
import { tempDir } from '../support/fixtures.ts';

const env = (vars: Record<string, string>): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(vars).map(([k, v]) => [`SWITCHBOARD_S3_${k}`, v]));

describe('blob store configuration (cli flags and SWITCHBOARD_S3_*)', () => {
  it('is the local directory when no bucket is named (empty variables count as unset)', () => {
    expect(resolveBlobStoreConfig({}, {})).toEqual({ ok: true, config: undefined });
    expect(resolveBlobStoreConfig({}, env({ BUCKET: '' }))).toEqual({ ok: true, config: undefined });
    const dir = tempDir();
    try {
      const store = openBlobStore(undefined, dir.path);
      expect(store).toBeInstanceOf(LocalBlobStore);
      expect(store.display).toBe(`directory ${join(dir.path, 'attachments')}`);
    } finally {
      dir.remove();
    }
  });

  it('reads every variable, lets a flag win over its variable, and opens an S3 store', () => {
    const checked = resolveBlobStoreConfig(
      { endpoint: 'http://127.0.0.1:9000' },
      env({ BUCKET: 'switchboard-files', ENDPOINT: 'http://ignored:1', REGION: 'eu-west-1', ACCESS_KEY_ID: 'AK', SECRET_ACCESS_KEY: 'SK', FORCE_PATH_STYLE: 'true' }),
    );
    expect(checked).toEqual({
      ok: true,
      config: { kind: 's3', bucket: 'switchboard-files', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', accessKeyId: 'AK', secretAccessKey: 'SK', forcePathStyle: true },
    });
    const store = openBlobStore(checked.ok ? checked.config : undefined, '/unused');
    expect(store).toBeInstanceOf(S3BlobStore);
    expect(store.display).toBe('s3://switchboard-files/attachments/ at http://127.0.0.1:9000');
    void store.close();
    expect(resolveBlobStoreConfig({ bucket: 'from-flag', forcePathStyle: true }, {})).toEqual({ ok: true, config: { kind: 's3', bucket: 'from-flag', forcePathStyle: true } });
  });

  it('refuses what cannot work with one sentence naming the variable', () => {
    const error = (flags: Parameters<typeof resolveBlobStoreConfig>[0], vars: Record<string, string>) => {
      const checked = resolveBlobStoreConfig(flags, env(vars));
      return checked.ok ? null : checked.error;
    };
    expect(error({}, { ENDPOINT: 'http://127.0.0.1:9000' })).toMatch(/SWITCHBOARD_S3_BUCKET .*is needed with SWITCHBOARD_S3_ENDPOINT/);
    expect(error({ region: 'us-east-1' }, {})).toMatch(/--s3-bucket/);
    expect(error({}, { BUCKET: 'No_Such Bucket' })).toMatch(/SWITCHBOARD_S3_BUCKET must be a bucket name/);
    expect(error({}, { BUCKET: 'files', ENDPOINT: 'not a url' })).toMatch(/SWITCHBOARD_S3_ENDPOINT must be a URL/);
    expect(error({}, { BUCKET: 'files', ENDPOINT: 'ftp://host/' })).toMatch(/http:\/\/ or https:\/\//);
    expect(error({}, { BUCKET: 'files', ACCESS_KEY_ID: 'AK' })).toMatch(/both SWITCHBOARD_S3_ACCESS_KEY_ID and SWITCHBOARD_S3_SECRET_ACCESS_KEY/);
    expect(error({}, { BUCKET: 'files', FORCE_PATH_STYLE: 'maybe' })).toMatch(/SWITCHBOARD_S3_FORCE_PATH_STYLE must be true or false/);
    expect(error({}, { BUCKET: 'files', REGION: 'EU West' })).toMatch(/SWITCHBOARD_S3_REGION/);
  });
});
