import { z } from 'zod';
import { Id, Role, User } from './domain.ts';

/** HTTP API of the sync server. Bodies are JSON; errors are `{ error: ApiError }`. */
export const HTTP_PATHS = {
  info: '/api/info',
  /**
   * POST SignInRequest → SignInResponse, 401 `invalid_credentials`, or 429 `rate_limited` with a Retry-After
   * header (seconds) after repeated failures. DELETE with `Authorization: Bearer <token>` signs out (revokes the
   * session). Sessions expire after an idle period and an absolute age; any token-authenticated request with an
   * expired token gets 401 `unauthenticated` (the sync socket closes with CloseCode.unauthenticated).
   */
  session: '/api/session',
  /** Demo and test only: inject an inbound customer message (POST DemoInboundRequest). */
  demoInbound: '/api/demo/inbound',
  /**
   * SPEC (18) attachments (Bearer token): POST the raw bytes with Content-Type and
   * ?conversationId=…&name=… → 201 Attachment; GET /api/attachments/<id> serves it to members of
   * the conversation's inbox (404 to anyone else). Limits: protocol/attachments.ts.
   */
  attachments: '/api/attachments',
  /**
   * The key of this person's local cache on one device (Bearer token; README "Shared workstations"):
   * GET ?deviceId=… → DeviceKeyResponse; PUT DeviceKeyPut → DeviceKeyResponse (replaces the stored key);
   * DELETE ?deviceId=… → 204 (signing out: the cache is gone, so is its key).
   */
  deviceKey: '/api/device-key',
  /** WebSocket upgrade for sync. */
  sync: '/sync',
  /** Liveness: GET → 200 `{ ok: true }` while the process serves HTTP at all (restart it when this fails). */
  health: '/healthz',
  /**
   * Readiness: GET → 200 ReadinessResponse when the database answers a query and, when SWITCHBOARD_REDIS_URL
   * is set, Redis answers a PING (each within a second); otherwise 503 with the failed check's reason. A load
   * balancer sends traffic only to ready instances.
   */
  ready: '/readyz',
} as const;

/** One readiness check: `ok`, or why not (`redis` is absent when the server runs without Redis). */
export const ReadinessCheck = z.union([z.literal('ok'), z.object({ failed: z.string() })]);
export const ReadinessResponse = z.object({
  ok: z.boolean(),
  checks: z.object({ database: ReadinessCheck, redis: ReadinessCheck.optional() }),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;

export const ApiError = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

/** ApiError codes of POST /api/session (codes stay open strings: older clients must accept new ones). */
export const SIGN_IN_ERROR_CODES = {
  invalidCredentials: 'invalid_credentials',
  /** With status 429 and Retry-After; the message says how many minutes to wait. */
  throttled: 'rate_limited',
} as const;

export const DemoAccount = z.object({
  name: z.string(),
  email: z.string(),
  password: z.string(),
  role: Role,
  /** Which demo organisation the account belongs to (the sign-in screen groups by it); absent on older servers. */
  organisation: z.string().optional(),
});
export type DemoAccount = z.infer<typeof DemoAccount>;

export const ServerInfo = z.object({
  name: z.literal('switchboard'),
  protocol: z.number().int(),
  organisation: z.string(),
  /** Present only when the server runs the demo workspace. */
  demoAccounts: z.array(DemoAccount).nullable(),
  /** SPEC (14) "start a meeting": e.g. https://meet.example.com/{contactId}; absent on older servers. */
  meetingUrlTemplate: z.string().max(500).nullable().optional(),
});
export type ServerInfo = z.infer<typeof ServerInfo>;

export const SignInRequest = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SignInResponse = z.object({ token: z.string(), user: User });
export type SignInResponse = z.infer<typeof SignInResponse>;

export const DemoInboundRequest = z.object({
  channelId: Id,
  /** Customer address: E.164 for sms/whatsapp, visitor handle for webchat. */
  from: z.string().min(1).max(64),
  body: z.string().min(1).max(4000),
  providerId: z.string().max(128).optional(),
});
export type DemoInboundRequest = z.infer<typeof DemoInboundRequest>;

export const DemoInboundResponse = z.object({ conversationId: Id, messageId: Id });
export type DemoInboundResponse = z.infer<typeof DemoInboundResponse>;

/** A client data directory's random id (128 bits, lower-case hex); says nothing about who uses it. */
export const DeviceId = z.string().regex(/^[0-9a-f]{32}$/, 'a device id is 32 lower-case hex digits');
export type DeviceId = z.infer<typeof DeviceId>;

/** A cache key: 32 random bytes as 64 lower-case hex digits. */
export const CacheKeyHex = z.string().regex(/^[0-9a-f]{64}$/, 'a cache key is 64 lower-case hex digits');

export const DeviceKeyPut = z.object({ deviceId: DeviceId, key: CacheKeyHex });
export type DeviceKeyPut = z.infer<typeof DeviceKeyPut>;

export const DeviceKeyResponse = z.object({
  /** The organisation's shared-workstation mode: the client keeps the key (and the token) only in memory. */
  sharedWorkstation: z.boolean(),
  /** The key the server holds for this person and device, or null. */
  key: CacheKeyHex.nullable(),
});
export type DeviceKeyResponse = z.infer<typeof DeviceKeyResponse>;
