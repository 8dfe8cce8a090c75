import { join } from 'node:path';
import { z } from 'zod';
import type { BlobStore } from '../storage/blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';

/** ServerOptions.blobStore: where attachment bytes go. Default: the local directory `<data-dir>/attachments/`. */
export type BlobStoreConfig = { kind: 'local'; dir?: string } | ({ kind: 's3' } & S3BlobStoreOptions);

export const ATTACHMENTS_DIR = 'attachments';

export function openBlobStore(config: BlobStoreConfig | undefined, dataDir: string): BlobStore {
  if (config?.kind === 's3') return new S3BlobStore(config);
  return new LocalBlobStore(config?.dir ?? join(dataDir, ATTACHMENTS_DIR));
}

/** The cli flags that may set what the SWITCHBOARD_S3_* variables set (credentials are variables only: a flag shows in `ps`). */
export interface S3Flags {
  bucket?: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const S3Settings = z
  .object({
    // S3's own bucket rules: 3-63 lower-case letters, digits, dots and hyphens.
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'SWITCHBOARD_S3_BUCKET must be a bucket name: 3-63 lower-case letters, digits, . and -'),
    endpoint: z
      .string()
      .refine((u) => URL.canParse(u), 'SWITCHBOARD_S3_ENDPOINT must be a URL such as http://127.0.0.1:9000')
      .refine((u) => !URL.canParse(u) || /^https?:$/.test(new URL(u).protocol), 'SWITCHBOARD_S3_ENDPOINT must be an http:// or https:// URL')
      .optional(),
    region: z.string().regex(/^[a-z0-9-]{1,40}$/, 'SWITCHBOARD_S3_REGION must be a region name such as us-east-1').optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    forcePathStyle: z.boolean().optional(),
  })
  .refine((s) => (s.accessKeyId === undefined) === (s.secretAccessKey === undefined), {
    message: 'set both SWITCHBOARD_S3_ACCESS_KEY_ID and SWITCHBOARD_S3_SECRET_ACCESS_KEY, or neither (the AWS default credentials)',
  });

export type BlobConfigCheck = { ok: true; config: BlobStoreConfig | undefined } | { ok: false; error: string };

/**
 * The blob store the flags and SWITCHBOARD_S3_* variables ask for (a flag wins over its variable; an empty
 * variable counts as unset). No bucket: the local directory. Said before anything starts, as one sentence.
 */
export function resolveBlobStoreConfig(flags: S3Flags, env: NodeJS.ProcessEnv): BlobConfigCheck {
  const variable = (name: string): string | undefined => env[`SWITCHBOARD_S3_${name}`] || undefined;
  const bucket = flags.bucket ?? variable('BUCKET');
  const others = ['ENDPOINT', 'REGION', 'ACCESS_KEY_ID', 'SECRET_ACCESS_KEY', 'FORCE_PATH_STYLE'].filter((n) => variable(n) !== undefined);
  if (bucket === undefined) {
    if (others.length || flags.endpoint || flags.region || flags.forcePathStyle) {
      return { ok: false, error: `SWITCHBOARD_S3_BUCKET (or --s3-bucket) is needed with ${others.map((n) => `SWITCHBOARD_S3_${n}`).join(', ') || 'the --s3-* flags'}` };
    }
    return { ok: true, config: undefined };
  }
  const pathStyle = variable('FORCE_PATH_STYLE');
  const parsedFlag = pathStyle === undefined ? undefined : flag.safeParse(pathStyle.toLowerCase());
  if (parsedFlag && !parsedFlag.success) return { ok: false, error: 'SWITCHBOARD_S3_FORCE_PATH_STYLE must be true or false' };
  const settings = S3Settings.safeParse({
    bucket,
    endpoint: flags.endpoint ?? variable('ENDPOINT'),
    region: flags.region ?? variable('REGION'),
    accessKeyId: variable('ACCESS_KEY_ID'),
    secretAccessKey: variable('SECRET_ACCESS_KEY'),
    forcePathStyle: flags.forcePathStyle || parsedFlag?.data,
  });
  if (!settings.success) return { ok: false, error: settings.error.issues[0]?.message ?? 'invalid S3 settings' };
  return { ok: true, config: { kind: 's3', ...withoutUndefined(settings.data) } };
}

const withoutUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
