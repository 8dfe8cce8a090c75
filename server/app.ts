import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { HTTP_PATHS } from '../protocol/http.ts';
import { DEMO_ACCOUNTS, isSeeded, seedDemoWorkspace } from './domain/demo-seed.ts';
import { DEMO_CC_ACCOUNTS, isContactCenterSeeded, seedDemoContactCenter } from './domain/demo-contact-center.ts';
import { growDemoWorkspace } from './domain/demo-scale.ts';
import { renameLegacyMovedNumbers } from './domain/private-numbers.ts';
import { Domain, type DomainOptions } from './domain/domain.ts';
import type { LogRetentionPolicy } from './domain/log-retention.ts';
import type { SessionPolicy } from './domain/sessions.ts';
import { resolveSignInThrottle, type SignInThrottlePolicy } from './domain/sign-in-throttle.ts';
import { AttachmentFiles } from './blobs/attachment-files.ts';
import { openBlobStore, type BlobStoreConfig } from './blobs/blob-config.ts';
import { importLegacyAttachments } from './blobs/legacy-attachments.ts';
import { loadMediaLinkSecret, MediaLinks } from './channels/media-links.ts';
import { createHttpServer, refuseSocket } from '../boundary/http-boundary.ts';
import { createHttpHandler, type RouteOptions } from './http/routes.ts';
import { sendError } from './http/respond.ts';
import { openServerDatabase, type ServerDatabase } from './storage/server-database.ts';
import { lockDataDir, type InstanceLock } from './storage/sqlite/instance-lock.ts';
import { SyncHub } from './sync/hub.ts';
import { resolveTuning, type SyncTuning } from './sync/tuning.ts';
import { WEBCHAT_PATHS } from '../protocol/webchat.ts';
import { createWebchatHttp } from './webchat/http.ts';
import { WebchatHub, type WebchatHubOptions } from './webchat/hub.ts';
import { resolveWebchatOptions } from './webchat/limits.ts';
import { isWidgetVisitor } from './webchat/visitors.ts';
import { SharedRedis } from './shared-state/redis-connection.ts';
import { RedisSignInThrottle } from './shared-state/redis-sign-in-throttle.ts';
import { RedisAddressLimits } from './shared-state/redis-address-limits.ts';
import { RedisCommitPokes } from './shared-state/redis-commit-pokes.ts';
import { RedisVisitorRelay } from './shared-state/redis-visitor-relay.ts';
import { InProcessVisitorRelay, type VisitorRelay } from './webchat/visitor-relay.ts';
import { InProcessCommitPokes, type CommitPokes } from './domain/commit-pokes.ts';

export interface ServerOptions {
  /** Attachments and (without databaseUrl) the SQLite database live here. */
  dataDir: string;
  /**
   * SWITCHBOARD_DATABASE_URL (postgres://…): the database many instances share (README "Running more than one
   * server"). Unset: SQLite in dataDir, one server per data dir. Unreachable at start: startServer rejects with
   * DatabaseUnavailable within databaseConnectTimeoutMs.
   */
  databaseUrl?: string;
  /** SWITCHBOARD_DATABASE_SCHEMA: the PostgreSQL schema of every table (created if missing); tests give each server its own. */
  databaseSchema?: string;
  /** How long opening a PostgreSQL connection may take (ms). Default 5000. */
  databaseConnectTimeoutMs?: number;
  /** 0 = any free port. Default 4870. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed the demo workspace on first start, list demo accounts, accept /api/demo/inbound. */
  demo?: boolean;
  /** SWITCHBOARD_DEMO_SIZE: with demo, grow the workspace to this many conversations (about 10 messages each). */
  demoSize?: number;
  /** Progress of that growth, per batch (conversations written so far of those to add). */
  onDemoGrowth?: (done: number, of: number) => void;
  log?: (line: string) => void;
  // ---- beyond the agreed interface (all optional; used by tests and operators)
  /** Accept POST /api/demo/inbound without demo mode (tests). */
  enableDemoInbound?: boolean;
  /** Sync limits and timings; tests inject small heartbeat intervals and batches. */
  sync?: Partial<SyncTuning>;
  /** Log retention floor: hello cursors below it get a full snapshot. */
  minServableSeq?: number;
  /** Demo delivery timings (ms) for queued → sent → delivered. */
  delivery?: { sentAfterMs?: number; deliveredAfterMs?: number };
  /** Largest accepted HTTP body (bytes). Default 64 KiB. */
  bodyLimitBytes?: number;
  /** SPEC (14) "start a meeting": address template with {contactId} / {contactName}, sent in /api/info. */
  meetingUrlTemplate?: string | null;
  /** Web chat abuse limits (per address: in Redis with redisUrl), idle timeout and per-widget origin allowlists (tests lower the limits). */
  webchat?: WebchatHubOptions;
  /** Session idle timeout (default 30 days), absolute age (90 days), last-used write interval (5 min). */
  sessions?: Partial<SessionPolicy>;
  /**
   * Failed sign-in limits (in memory, a restart forgets them; in Redis with redisUrl). trustProxy: key the
   * per-address limit on X-Forwarded-For (default: the web chat's trustProxy setting).
   */
  signInThrottle?: Partial<SignInThrottlePolicy> & { trustProxy?: boolean };
  /** Time source for records, session expiry and sign-in throttling (tests move it forward). */
  clock?: () => number;
  /** How long the change log (default forever, or SWITCHBOARD_CHANGE_LOG_DAYS) and mutation answers (30 days) are kept; how often that runs (1 h). */
  logRetention?: Partial<LogRetentionPolicy>;
  /**
   * How often to look for commits another process made (the admin commands; other instances, whose pokes
   * come through Redis at once when redisUrl is set) and pass them on (ms). Default 2000.
   */
  foreignCommitPollMs?: number;
  /** Send worker: concurrency, lease, call timeout and retry policy (server/domain/send-worker.ts defaults). */
  sendWorker?: DomainOptions['sendWorker'];
  /** close(): how long provider calls in flight may take to finish and be recorded (ms). Default 10,000. */
  shutdownGraceMs?: number;
  /** SQLite durability: FULL (default: a 200 to a provider means on disk) or NORMAL (the ingest bench only). */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /**
   * SWITCHBOARD_REDIS_URL: share what would otherwise live in this process with the other instances (README
   * "Running more than one server"). Unset: everything stays in-process. Unreachable at start: startServer
   * rejects with RedisUnavailable within redisConnectTimeoutMs.
   */
  redisUrl?: string;
  /** Prefix of every Redis key and channel (default `switchboard:`); tests use a random one. */
  redisKeyPrefix?: string;
  /** How long connecting to Redis may take at start (ms). Default 5000. */
  redisConnectTimeoutMs?: number;
  /** Message Assistant (issue 12): per-person rate limit, provider timeout, and (tests) the provider fetch. */
  assistant?: RouteOptions['assistant'];
  /**
   * The address customers reach this server at, for survey links (`<publicUrl>/s/<token>`); default
   * SWITCHBOARD_PUBLIC_URL, else the address it listens on.
   */
  publicUrl?: string;
  /**
   * Where attachment bytes go (their facts are in the database): the local directory `<dataDir>/attachments/`
   * (default) or S3-compatible object storage, which every instance can share (cli: SWITCHBOARD_S3_*).
   */
  blobStore?: BlobStoreConfig;
  /** Housekeeping: uploads no message carries are removed after this long (ms). Default one day. */
  pendingUploadKeepMs?: number;
}

export interface RunningServer {
  /** http://HOST:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
}

export { DATABASE_FILE } from './storage/server-database.ts';

/**
 * The database, and on SQLite the data dir's instance lock (taken first, so a second server on the same
 * data dir stops before touching anything). Rejects with DataDirInUse or DatabaseUnavailable.
 */
async function openDatabase(options: ServerOptions, log: (line: string) => void): Promise<{ database: ServerDatabase; lock: InstanceLock | null }> {
  mkdirSync(options.dataDir, { recursive: true });
  const lock = options.databaseUrl === undefined ? lockDataDir(options.dataDir) : null;
  try {
    const database = await openServerDatabase(options, { log, synchronous: options.sqliteSynchronous, connectTimeoutMs: options.databaseConnectTimeoutMs });
    log(`database: ${database.display}`);
    return { database, lock };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  // Before anything else opens: a Redis that cannot be used stops the start with nothing to undo.
  const redis = options.redisUrl
    ? await SharedRedis.connect({ url: options.redisUrl, keyPrefix: options.redisKeyPrefix, connectTimeoutMs: options.redisConnectTimeoutMs, log })
    : null;
  if (redis) log(`sharing state through Redis at ${redis.display}`);
  const { database, lock } = await openDatabase(options, log).catch(async (err: unknown) => {
    await redis?.close();
    throw err;
  });
  const storage = database.storage;
  const blobs = openBlobStore(options.blobStore, options.dataDir);
  const attachments = new AttachmentFiles(storage, blobs, options.clock ?? Date.now);
  const { trustProxy, ...signInThrottle } = options.signInThrottle ?? {};
  const domain = await Domain.open({
    storage,
    log,
    minServableSeq: options.minServableSeq,
    delivery: options.delivery,
    attachments: true,
    sessions: options.sessions,
    signInThrottle,
    signInThrottler: redis ? new RedisSignInThrottle(redis, resolveSignInThrottle(signInThrottle), options.clock ?? Date.now) : undefined,
    clock: options.clock,
    logRetention: options.logRetention,
    sendWorker: options.sendWorker,
    housekeeping: database.housekeeping,
  });
  const mediaLinks = new MediaLinks(await loadMediaLinkSecret(storage, options.dataDir, Date.now(), log));
  domain.channels.mediaUrl = (publicUrl, attachmentId) => mediaLinks.url(publicUrl, attachmentId);
  domain.channels.attachmentFile = async (attachmentId) => {
    const meta = await attachments.get(attachmentId);
    return meta ? { name: meta.name, contentType: meta.contentType, size: meta.size, read: () => attachments.read(meta.id) } : null;
  };
  log(`attachments: bytes in the ${blobs.display}`);
  await importLegacyAttachments(storage, blobs, options.dataDir, Date.now(), log);

  if (options.demo && !(await domain.read((tx) => isSeeded(tx)))) {
    await domain.write((tx) => seedDemoWorkspace(tx, Date.now()));
    log('seeded the demo workspace');
  }
  // Its own check: a demo data dir made before the Contact Center organisation existed gets it too.
  if (options.demo && !(await domain.read((tx) => isContactCenterSeeded(tx)))) {
    await domain.write((tx) => seedDemoContactCenter(tx, Date.now()));
    log('seeded the demo Contact Center organisation');
  }
  const renamed = await domain.write((tx) => renameLegacyMovedNumbers(tx));
  if (renamed > 0) log(`renamed ${renamed} moved private number${renamed === 1 ? '' : 's'} still called "My number" in a shared inbox`);
  if (options.demo && options.demoSize) {
    const added = await growDemoWorkspace((fn) => domain.write(fn), options.demoSize, Date.now(), options.onDemoGrowth);
    if (added > 0) log(`grew the demo workspace by ${added} conversations to ${options.demoSize}`);
  }

  const tuning = resolveTuning(options.sync);
  const hub = new SyncHub(domain, tuning, log);
  // Abuse limits and origin allowlists: options, else SWITCHBOARD_WEBCHAT_* variables (webchat/limits.ts).
  const webchatOptions = resolveWebchatOptions(options.webchat);
  const webchatLimits = redis ? new RedisAddressLimits(redis, webchatOptions.perIp) : undefined;
  const visitorRelay: VisitorRelay = redis ? await startRedisRelay(redis, log) : new InProcessVisitorRelay();
  const webchat = new WebchatHub(domain, log, webchatOptions, attachments, webchatLimits, visitorRelay);
  // Widget visitors get replies over their socket; seeded/injected demo visitors keep the demo delivery.
  domain.useDeliveryFor('webchat', webchat.delivery, (c) => isWidgetVisitor(c.customerAddress));
  const webchatHttp = createWebchatHttp({ demo: Boolean(options.demo), domain, hub: webchat });
  const httpHandler = createHttpHandler({
    domain,
    demoAccounts: options.demo ? [...DEMO_ACCOUNTS, ...DEMO_CC_ACCOUNTS] : null,
    demoInbound: Boolean(options.demo || options.enableDemoInbound),
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
    meetingUrlTemplate: options.meetingUrlTemplate ?? process.env.SWITCHBOARD_MEETING_URL_TEMPLATE ?? null,
    attachments,
    mediaLinks,
    readiness: { database: async () => void (await domain.head()), ...(redis ? { redis: () => redis.pingOrThrow() } : {}) },
    trustProxy: trustProxy ?? resolveWebchatOptions(options.webchat).trustProxy,
    assistant: { clock: options.clock, ...options.assistant },
    log,
  });
  // Every request and upgrade enters through the boundary: a parsed target in, a clean answer out.
  const server = createHttpServer({
    name: 'http',
    log,
    sendError,
    onRequest: (req, res, target) => webchatHttp(req, res, target) ?? httpHandler(req, res, target),
    onUpgrade: (req, socket, head, target) => {
      if (target.path === WEBCHAT_PATHS.socket) return webchat.handleUpgrade(req, socket, head);
      if (target.path === HTTP_PATHS.sync) return hub.handleUpgrade(req, socket, head);
      refuseSocket(socket, 404);
    },
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 4870, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    domain.close();
    await visitorRelay.close();
    await storage.close();
    await blobs.close();
    lock?.release();
    await redis?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  domain.surveys.publicUrl = options.publicUrl ?? process.env.SWITCHBOARD_PUBLIC_URL ?? url;
  log(`switchboard sync server listening on ${url}${options.demo ? ' (demo workspace)' : ''}`);

  // applyLogRetention and noticeForeignCommits log their failures and never reject: safe on timers.
  await domain.applyLogRetention();
  // Housekeeping like retention: one instance at a time (the HousekeepingLock); skipped while another runs it.
  const sweepUploads = () =>
    database.housekeeping.run(() => attachments.sweep(options.pendingUploadKeepMs)).then(
      (pass) => void (pass.ran && pass.value && log(`attachments: removed ${pass.value} upload(s) no message carried`)),
      (err: unknown) => log(`attachments: housekeeping failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  await sweepUploads();
  // After every sender is in place (web chat above): unfinished send jobs of an earlier run go out now.
  await domain.startDelivery();
  domain.routing.start();
  const timers = [
    setInterval(() => void domain.applyLogRetention().then(sweepUploads), domain.logRetention.intervalMs),
    setInterval(() => void domain.noticeForeignCommits(), options.foreignCommitPollMs ?? 2000),
  ];
  for (const timer of timers) timer.unref();
  // Other instances on this database hear of our commits at once, and we of theirs (the timer above is the net).
  const pokes: CommitPokes = redis ? new RedisCommitPokes(redis, log) : new InProcessCommitPokes();
  domain.feed.on('committed', (head, origin) => {
    if (origin === 'here') pokes.publish(head);
  });
  await pokes.subscribe((head) => void domain.noticeForeignCommits(head));

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        await pokes.close();
        // No new replies, then let the sends in flight finish and be recorded while webhooks (status
        // callbacks) and web chat sockets still work; what is left is sent on the next start.
        hub.close();
        await domain.stopDelivery(options.shutdownGraceMs ?? 10_000);
        await domain.routing.stop();
        webchat.close();
        await visitorRelay.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        domain.close();
        // Waits for a transaction still running (a status callback that raced the shutdown).
        await storage.close();
        await blobs.close();
        lock?.release();
        await redis?.close();
      })();
      return closing;
    },
  };
}

async function startRedisRelay(redis: SharedRedis, log: (line: string) => void): Promise<VisitorRelay> {
  const relay = new RedisVisitorRelay(redis, log);
  await relay.start();
  return relay;
}
