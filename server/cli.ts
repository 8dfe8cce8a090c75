import { parseArgs } from 'node:util';
import { DATABASE_ARGS, resolveDatabaseArgs } from './admin/database-args.ts';
import { startServer, type RunningServer } from './app.ts';
import { resolveBlobStoreConfig } from './blobs/blob-config.ts';

/** Admin commands (issues 4, 8): they change or list what is in the server database, and exit instead of serving. */
const ADMIN_COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  'channel:twilio': async () => (await import('./channels/twilio-cli.ts')).runTwilioCli,
  'channel:whatsapp': async () => (await import('./channels/whatsapp-cli.ts')).runWhatsAppCli,
  'channel:whatsapp-templates': async () => (await import('./channels/whatsapp-cli.ts')).runWhatsAppTemplatesCli,
  'channel:list': async () => (await import('./channels/channel-cli.ts')).runChannelListCli,
  'channel:remove-provider': async () => (await import('./channels/channel-cli.ts')).runRemoveProviderCli,
  'org:shared-workstation': async () => (await import('./admin/shared-workstation-cli.ts')).runSharedWorkstationCli,
  'queue:create': async () => (await import('./admin/queue-cli.ts')).runQueueCli,
};
// Issue 12: the Message Assistant's settings and audit, and the organisation's edition.
const ASSISTANT_COMMAND = (name: string) => name.startsWith('assistant:') || name === 'org:edition';

const command = process.argv[2];
if (command !== undefined && (Object.hasOwn(ADMIN_COMMANDS, command) || ASSISTANT_COMMAND(command))) {
  const run = ASSISTANT_COMMAND(command)
    ? ((argv: string[]) => import('./assistant/cli.ts').then((m) => m.runAssistantCli(command, argv)))
    : await ADMIN_COMMANDS[command]!();
  try {
    process.exit(await run(process.argv.slice(3)));
  } catch (err) {
    // A database that cannot be opened (unreachable, newer schema) is a sentence, not a stack trace.
    console.error(`switchboard ${command}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    process.exit(1);
  }
}

/**
 * `tsx server/cli.ts --port 4870 --data-dir DIR [--demo] [--database-url postgres://… [--database-schema NAME]]
 * [--redis-url redis://…]`; env SWITCHBOARD_PORT / SWITCHBOARD_DATA_DIR / SWITCHBOARD_DATABASE_URL /
 * SWITCHBOARD_DATABASE_SCHEMA / SWITCHBOARD_REDIS_URL / SWITCHBOARD_REDIS_KEY_PREFIX too, and SWITCHBOARD_SEND_LEASE_MS;
 * [--s3-bucket B --s3-endpoint URL --s3-region R --s3-force-path-style] / SWITCHBOARD_S3_* (the S3 keys only as
 * SWITCHBOARD_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    ...DATABASE_ARGS,
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
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${values.port ?? process.env.SWITCHBOARD_PORT}`);
  process.exit(2);
}

// Said before anything opens: a malformed URL is a typo to fix, not a start to retry.
const where = resolveDatabaseArgs(values);
if (!where.ok) {
  console.error(`switchboard: ${where.error}`);
  process.exit(2);
}
const { dataDir, databaseUrl, databaseSchema, redisUrl, redisKeyPrefix } = where.target;

// How long a send claim holds (default 60 s): after an instance dies mid-call, another sends its replies again
// once this has passed (on SQLite a restart takes them back at once). A provider call may take a third of it.
const leaseText = process.env.SWITCHBOARD_SEND_LEASE_MS || undefined;
const leaseMs = leaseText === undefined ? undefined : Number(leaseText);
if (leaseMs !== undefined && !(Number.isInteger(leaseMs) && leaseMs >= 1000)) {
  console.error(`switchboard: SWITCHBOARD_SEND_LEASE_MS must be a whole number of milliseconds, at least 1000 (got ${JSON.stringify(leaseText)})`);
  process.exit(2);
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
    databaseUrl,
    databaseSchema,
    port,
    host: values.host ?? '127.0.0.1',
    demo: values.demo,
    meetingUrlTemplate: values['meeting-url-template'] ?? process.env.SWITCHBOARD_MEETING_URL_TEMPLATE ?? null,
    redisUrl,
    redisKeyPrefix,
    sendWorker: leaseMs === undefined ? undefined : { leaseMs, callTimeoutMs: Math.min(20_000, Math.floor(leaseMs / 3)) },
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
