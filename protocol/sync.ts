import { z } from 'zod';
import { EntityKind, EntityRecord, entitySchemas, Id, RecordId, User } from './domain.ts';
import { SnapshotPhase, SyncWindow } from './history.ts';
import { Mutation, MutationResult } from './mutations.ts';
import { isScope, type Scope } from './scope.ts';

export const ScopeString = z.string().refine(isScope, 'not a scope').transform((s) => s as Scope);

/** Limits enforced by the server per connection; a client stays within them. */
export const SYNC_LIMITS = {
  /** Largest frame the server accepts (bytes); larger frames close the socket with 1009. */
  maxFrameBytes: 256 * 1024,
  /** Entries per `changes` frame and records per `snapshot` frame. */
  maxBatch: 500,
  /** Mutations per `mutate` frame. */
  maxMutationsPerFrame: 100,
  /** Frames per second a client may send (token bucket, burst = 2x). */
  maxFramesPerSecond: 50,
  /** Interval of pings in each direction (ms). */
  heartbeatIntervalMs: 10_000,
  /** A link silent for this long is dead (ms). Under 30 s on both ends. */
  heartbeatTimeoutMs: 25_000,
  /** How long an unauthenticated socket may stay open (ms). */
  helloTimeoutMs: 10_000,
} as const;

/**
 * Close codes the server uses. 1009 (message too big) comes from the ws
 * library itself when a frame exceeds maxFrameBytes.
 */
export const CloseCode = {
  /** Token unknown, expired or revoked: the client must sign in again and must not retry. */
  unauthenticated: 4001,
  /** No hello within helloTimeoutMs, or a frame sent before hello. */
  helloRequired: 4002,
  /** Protocol version not supported: the client must update. */
  protocolMismatch: 4003,
  /** Sent faster than maxFramesPerSecond for too long. */
  rateLimited: 4008,
  /** Too many malformed frames in a row. */
  tooManyErrors: 4009,
  /** The session was signed out elsewhere. */
  signedOut: 4010,
  /** No heartbeat within heartbeatTimeoutMs. */
  heartbeatTimeout: 4011,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes a client treats as "signed out": stop reconnecting and surface it. */
export const AUTH_CLOSE_CODES: readonly number[] = [CloseCode.unauthenticated, CloseCode.signedOut];

export const ErrorCode = z.enum([
  'bad_json',
  'bad_frame',
  'unknown_type',
  'unauthenticated',
  'too_large',
  'rate_limited',
  'protocol_mismatch',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

// ---------------------------------------------------------------- client → server

export const HelloFrame = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  token: z.string().min(1).max(512),
  /** Stable per cache (per signed-in person per device). */
  clientId: Id,
  /** Last change seq applied to the cache; null for an empty cache. */
  cursor: z.number().int().nonnegative().nullable(),
  /**
   * Scopes the cache holds data of; the server snapshots new ones and announces lost ones. A string outside
   * the scope grammar (a cache from before the id grammar) is answered with scopeLost, never with an error,
   * so one stale scope cannot keep a client from connecting.
   */
  scopes: z.array(z.string().max(128)).max(10_000),
  /**
   * Issue 13: snapshot new scopes as a window (protocol/history.ts), in phases, ended by `windowDone`; the rest
   * is read over HTTP. Absent = every new scope in full (older clients, and the bench's baseline).
   */
  window: SyncWindow.optional(),
});

/**
 * Each mutation is judged on its own: one the protocol schema refuses (an id outside the grammar, a bad
 * field) is answered with its own `mutationResult` (code `invalid`, naming the field), so it never holds up
 * the rest of the outbox. Only the envelope — ids and count — can fail the frame.
 */
export const MutateFrame = z.object({
  type: z.literal('mutate'),
  mutations: z
    .array(z.object({ id: z.number().int().positive(), mutation: z.unknown() }))
    .min(1)
    .max(SYNC_LIMITS.maxMutationsPerFrame),
});

/**
 * The client could not apply something it received (a frame or an entry that fails the schema): the
 * server streams a fresh snapshot of each named scope it holds (`reset: true`, as for a newly gained
 * scope), or of every held scope for `'all'` (the frame was unreadable as a whole). Asking again for a
 * scope whose snapshot is still on its way changes nothing. `reason` is logged by the server.
 */
export const ResyncFrame = z.object({
  type: z.literal('resync'),
  scopes: z.union([z.literal('all'), z.array(ScopeString).min(1).max(10_000)]),
  reason: z.string().max(500),
});

export const PingFrame = z.object({ type: z.literal('ping'), t: z.number() });
export const PongFrame = z.object({ type: z.literal('pong'), t: z.number() });

export const ClientFrame = z.discriminatedUnion('type', [HelloFrame, MutateFrame, ResyncFrame, PingFrame, PongFrame]);
export type HelloFrame = z.infer<typeof HelloFrame>;
/** What a client sends: every mutation already valid (the server still judges each one). */
export type MutateFrame = { type: 'mutate'; mutations: { id: number; mutation: Mutation }[] };
export type ResyncFrame = z.infer<typeof ResyncFrame>;
export type ClientFrame = HelloFrame | MutateFrame | ResyncFrame | z.infer<typeof PingFrame> | z.infer<typeof PongFrame>;
/** What the server reads: mutations not yet judged. */
export type ReceivedClientFrame = z.infer<typeof ClientFrame>;
export const CLIENT_FRAME_TYPES = ['hello', 'mutate', 'resync', 'ping', 'pong'] as const;

// ---------------------------------------------------------------- server → client

const entryHead = { seq: z.number().int().positive(), scope: ScopeString };
const putEntry = <K extends EntityKind, S extends z.ZodType>(entity: K, record: S) =>
  z.object({ ...entryHead, op: z.literal('put'), entity: z.literal(entity), record });

/**
 * `{ seq, scope, op: 'put', entity, record }` or `{ seq, scope, op: 'delete', entity, id }`.
 * Written as flat discriminated unions (not an intersection): same shape and
 * same accepted input, but validated several times faster, which matters when
 * a client ingests a catch-up of a million entries.
 */
export const ChangeEntry = z.discriminatedUnion('op', [
  z.discriminatedUnion('entity', [
    putEntry('user', entitySchemas.user),
    putEntry('inbox', entitySchemas.inbox),
    putEntry('inboxMember', entitySchemas.inboxMember),
    putEntry('channel', entitySchemas.channel),
    putEntry('contact', entitySchemas.contact),
    putEntry('conversation', entitySchemas.conversation),
    putEntry('message', entitySchemas.message),
    putEntry('conversationUserState', entitySchemas.conversationUserState),
    putEntry('chat', entitySchemas.chat),
    putEntry('chatMessage', entitySchemas.chatMessage),
    putEntry('contactFavourite', entitySchemas.contactFavourite),
    putEntry('cannedResponse', entitySchemas.cannedResponse),
    putEntry('notice', entitySchemas.notice),
    putEntry('chatUserState', entitySchemas.chatUserState),
    putEntry('survey', entitySchemas.survey),
    putEntry('org', entitySchemas.org),
    putEntry('queueAgent', entitySchemas.queueAgent),
  ]),
  z.object({ ...entryHead, op: z.literal('delete'), entity: EntityKind, id: RecordId }),
]);
export type ChangeEntry = z.infer<typeof ChangeEntry>;

export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  user: User,
  scopes: z.array(ScopeString),
  /** The log head at the time of hello. */
  head: z.number().int().nonnegative(),
  serverTime: z.number(),
});

/**
 * Entries after the client's cursor, in seq order, only of scopes it holds.
 * `cursor` is the position to store once the batch is applied (it may be past
 * the last entry: entries of other scopes were skipped). `caughtUp` marks the
 * end of catch-up; live entries follow with caughtUp true.
 */
export const ChangesFrame = z.object({
  type: z.literal('changes'),
  entries: z.array(ChangeEntry).max(SYNC_LIMITS.maxBatch),
  cursor: z.number().int().nonnegative(),
  caughtUp: z.boolean(),
});

/**
 * The full current state of one scope, in chunks. The first chunk has
 * `reset: true` (the client drops its data of that scope), the last
 * `done: true`. Records reflect state at or after `cursor`; entries after
 * `cursor` follow in `changes` frames.
 */
export const SnapshotFrame = z.object({
  type: z.literal('snapshot'),
  scope: ScopeString,
  reset: z.boolean(),
  done: z.boolean(),
  records: z.array(EntityRecord).max(SYNC_LIMITS.maxBatch),
  cursor: z.number().int().nonnegative(),
  /**
   * Set when the hello asked for a window (protocol/history.ts SnapshotPhase): which phase these records
   * belong to. Phases come in order across all new scopes, so one scope's chunks interleave with other
   * scopes' chunks; a scope's first chunk still has `reset` and its last `done` (its window is then whole).
   */
  phase: SnapshotPhase.optional(),
});

/**
 * After a windowed snapshot: every new scope's window has been sent (each scope's last chunk had `done`).
 * `cursor` is the snapshot's cursor; `changes` continue after it as without a window. Sent again after the
 * window of scopes gained later (an inbox joined, a resync).
 */
export const WindowDoneFrame = z.object({ type: z.literal('windowDone'), cursor: z.number().int().nonnegative() });

/**
 * After each phase of a window that asked for `firstPage` (protocol/history.ts): every chunk of that phase was
 * sent. A client shows the inbox once `openFirst` is done; never sent to a client that did not ask.
 */
export const PhaseDoneFrame = z.object({ type: z.literal('phaseDone'), phase: SnapshotPhase });

/** The user no longer holds this scope: the client deletes its data of it. */
export const ScopeLostFrame = z.object({ type: z.literal('scopeLost'), scope: ScopeString });

export const MutationResultFrame = z.object({
  type: z.literal('mutationResult'),
  id: z.number().int().positive(),
  result: MutationResult,
});

export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: ErrorCode,
  message: z.string(),
});

export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
  ChangesFrame,
  SnapshotFrame,
  WindowDoneFrame,
  PhaseDoneFrame,
  ScopeLostFrame,
  MutationResultFrame,
  ErrorFrame,
  PingFrame,
  PongFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type ChangesFrame = z.infer<typeof ChangesFrame>;
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;
export type WindowDoneFrame = z.infer<typeof WindowDoneFrame>;
export type PhaseDoneFrame = z.infer<typeof PhaseDoneFrame>;
export type ScopeLostFrame = z.infer<typeof ScopeLostFrame>;
export type MutationResultFrame = z.infer<typeof MutationResultFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
