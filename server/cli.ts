import { parseArgs } from 'node:util';
import { startServer, type RunningServer } from './app.ts';
import { parseRedisUrl } from './shared-state/redis-url.ts';
import { resolveBlobStoreConfig } from './blobs/blob-config.ts';

// Admin commands (issue 4): `channel:twilio …`, `channel:whatsapp …`, `channel:whatsapp-templates …`,
// `channel:list` and `channel:remove-provider …` change or list channels and exit instead of serving;
// `org:shared-workstation on|off|status` (issue 8) sets the organisation's shared-workstation mode.
if (process.argv[2] === 'channel:twilio') {
  const { runTwilioCli } = await import('./channels/twilio-cli.ts');
  process.exit(await runTwilioCli(process.argv.slice(3)));
}
if (process.argv[2] === 'channel:whatsapp') {
  const { runWhatsAppCli } = await import('./channels/whatsapp-cli.ts');
  process.exit(await runWhatsAppCli(process.argv.slice(3)));
}
if (process.argv[2] === 'channel:whatsapp-templates') {
  const { runWhatsAppTemplatesCli } = await import('./channels/whatsapp-cli.ts');
  process.exit(await runWhatsAppTemplatesCli(process.argv.slice(3)));
}
if (process.argv[2] === 'channel:list') {
  const { runChannelListCli } = await import('./channels/channel-cli.ts');
  process.exit(await runChannelListCli(process.argv.slice(3)));
}
if (process.argv[2] === 'channel:remove-provider') {
  const { runRemoveProviderCli } = await import('./channels/channel-cli.ts');
  process.exit(await runRemoveProviderCli(process.argv.slice(3)));
}
// Issue 12: the Message Assistant's settings and audit, and the organisation's edition.
if (process.argv[2]?.startsWith('assistant:') || process.argv[2] === 'org:edition') {
  const { runAssistantCli } = await import('./assistant/cli.ts');
  process.exit(await runAssistantCli(process.argv[2], process.argv.slice(3)));
}
if (process.argv[2] === 'org:shared-workstation') {
  const { runSharedWorkstationCli } = await import('./admin/shared-workstation-cli.ts');
  process.exit(await runSharedWorkstationCli(process.argv.slice(3)));
}

/**
 * `tsx server/cli.ts --port 4870 --data-dir DIR [--demo] [--redis-url redis://…] [--database-url postgres://…]
 * [--s3-bucket B --s3-endpoint URL --s3-region R --s3-force-path-style]`; env SWITCHBOARD_PORT / SWITCHBOARD_DATA_DIR /
 * SWITCHBOARD_REDIS_URL / SWITCHBOARD_DATABASE_URL / SWITCHBOARD_S3_* too (the S3 keys only as
 * SWITCHBOARD_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY), and SWITCHBOARD_REDIS_KEY_PREFIX (default `switchboard:`).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    demo: { type: 'boolean', default: false },
    'meeting-url-template': { type: 'string' },
    'redis-url': { type: 'string' },
    'database-url': { type: 'string' },
    's3-bucket': { type: 'string' },
    's3-endpoint': { type: 'string' },
    's3-region': { type: 'string' },
    's3-force-path-style': { type: 'boolean' },
  },
});

const port = Number(values.port ?? process.env.SWITCHBOARD_PORT ?? 4870);
const dataDir = values['data-dir'] ?? process.env.SWITCHBOARD_DATA_DIR ?? '.data/server';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${values.port ?? process.env.SWITCHBOARD_PORT}`);
  process.exit(2);
}

// An empty variable counts as unset, so `SWITCHBOARD_REDIS_URL= npm start` stays the embedded server.
const redisUrl = values['redis-url'] ?? (process.env.SWITCHBOARD_REDIS_URL || undefined);
if (redisUrl !== undefined) {
  const checked = parseRedisUrl(redisUrl);
  if (!checked.ok) {
    console.error(`switchboard: ${checked.error}`);
    process.exit(2);
  }
}

const blobs = resolveBlobStoreConfig(
  { bucket: values['s3-bucket'], endpoint: values['s3-endpoint'], region: values['s3-region'], forcePathStyle: values['s3-force-path-style'] },
  process.env,
);
if (!blobs.ok) {
  console.error(`switchboard: ${blobs.error}`);
  process.exit(2);
}

let server: RunningServer;
try {
  server = await startServer({
    dataDir,
    port,
    host: values.host ?? '127.0.0.1',
    demo: values.demo,
    meetingUrlTemplate: values['meeting-url-template'] ?? process.env.SWITCHBOARD_MEETING_URL_TEMPLATE ?? null,
    redisUrl,
    // Several deployments (or test runs) on one Redis keep apart by prefix.
    redisKeyPrefix: process.env.SWITCHBOARD_REDIS_KEY_PREFIX || undefined,
    databaseUrl: values['database-url'] ?? (process.env.SWITCHBOARD_DATABASE_URL || undefined),
    blobStore: blobs.config,
  });
} catch (err) {
  // A dependency that is down or misconfigured is a sentence for the operator, not a stack trace.
  console.error(`switchboard: cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
