import type { ChangeEntry } from '../../protocol/sync.ts';
import type { EntityKind, EntityOf } from '../../protocol/domain.ts';
import type { MutationResult } from '../../protocol/mutations.ts';
import type { Scope } from '../../protocol/scope.ts';

/**
 * The narrow storage boundary. Domain code sees only these types; the SQLite
 * implementation lives in ./sqlite/ and a PostgreSQL twin would implement the
 * same interface. Transactions are synchronous on purpose: a callback that
 * awaits would let other work interleave inside the transaction, so the type
 * refuses async callbacks and the implementation refuses thenables at runtime.
 */

/** A callback result that is not a promise (async callbacks become `never`). */
export type NotPromise<T> = T extends PromiseLike<unknown> ? never : T;

export interface Storage {
  /** Runs `fn` in one transaction (nested calls become savepoints); rolls back if it throws. */
  transaction<T>(fn: (tx: StorageTx) => NotPromise<T>): T;
  close(): void;
}

export interface Org {
  id: string;
  name: string;
}

export interface SessionRow {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: number;
  /** Last time the token was used, written at most every few minutes (sessions.ts touchIntervalMs). */
  lastUsedAt: number;
  revokedAt: number | null;
}

/** A change to append; `seq` is assigned by the log. */
export type NewChange =
  | { scope: Scope; op: 'put'; entity: EntityKind; id: string; record: unknown }
  | { scope: Scope; op: 'delete'; entity: EntityKind; id: string };

/** Which records of a kind a snapshot lists; each key maps to an indexed column. */
export interface ListBy {
  user: { orgId: string };
  inbox: { id: string };
  inboxMember: { inboxId: string };
  channel: { inboxId: string };
  contact: { orgId: string; ownerId: string | null };
  conversation: { inboxId: string };
  message: { inboxId: string };
  conversationUserState: { userId: string };
  chat: { id: string };
  chatMessage: { chatId: string };
  contactFavourite: { userId: string };
  cannedResponse: { inboxId: string };
  notice: { userId: string };
  chatUserState: { userId: string };
  survey: { inboxId: string };
}

export interface StorageTx {
  // organisation
  getOrg(id: string): Org | null;
  firstOrg(): Org | null;
  putOrg(org: Org): void;
  /** README "Shared workstations": cache keys are held by the server and kept only in memory on the client. */
  sharedWorkstation(orgId: string): boolean;
  setSharedWorkstation(orgId: string, on: boolean): void;

  // cache keys held for a person's device (shared workstations)
  getDeviceKey(userId: string, deviceId: string): string | null;
  putDeviceKey(userId: string, deviceId: string, key: string, at: number): void;
  deleteDeviceKey(userId: string, deviceId: string): void;

  // entity records (the shapes of protocol/domain.ts)
  get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | null;
  put<K extends EntityKind>(kind: K, record: EntityOf<K>): void;
  remove(kind: EntityKind, id: string): void;
  /** Keyset page ordered by id: records with id > afterId. */
  list<K extends EntityKind>(kind: K, by: ListBy[K], afterId: string, limit: number): EntityOf<K>[];

  // lookups the domain needs
  findUserByEmail(email: string): EntityOf<'user'> | null;
  inboxIdsOfUser(userId: string): string[];
  chatIdsOfUser(userId: string): string[];
  /** Most recent conversation of this customer on this channel, whatever its status. */
  findLatestConversation(channelId: string, customerAddress: string): EntityOf<'conversation'> | null;
  findSharedContactByPhone(orgId: string, phone: string): EntityOf<'contact'> | null;
  findMessageByProviderId(channelId: string, providerId: string): EntityOf<'message'> | null;
  lastInboundMessageAt(conversationId: string): number | null;
  /** Web chat: the channel of this kind with this address (widget key), or null. */
  findChannelByAddress(kind: EntityOf<'channel'>['kind'], address: string): EntityOf<'channel'> | null;
  /** The latest `limit` messages of one conversation, oldest first. */
  recentMessagesOfConversation(conversationId: string, limit: number): EntityOf<'message'>[];

  // credentials and sessions
  getPasswordHash(userId: string): string | null;
  setPasswordHash(userId: string, hash: string): void;
  insertSession(session: SessionRow): void;
  findSessionByTokenHash(tokenHash: string): SessionRow | null;
  revokeSession(id: string, at: number): void;
  /** Moves last-used forward (never back: concurrent touches may commit out of order). */
  touchSession(id: string, at: number): void;
  /** Deletes revoked sessions and those created or last used at or before the cutoffs; returns how many. */
  deleteExpiredSessions(cutoffs: { createdBefore: number; usedBefore: number }): number;

  // change log
  appendChange(change: NewChange): number;
  /** Entries with seq > afterSeq whose scope is one of `scopes`, in seq order. */
  readChanges(afterSeq: number, scopes: readonly Scope[], limit: number): ChangeEntry[];
  /** Highest seq ever assigned (0 for an empty log). */
  head(): number;
  /** Entries with seq <= this were compacted away; a cursor below it cannot be served. */
  compactedThrough(): number;
  compactChanges(throughSeq: number): void;

  // exactly-once ledger of client mutations
  findMutationResult(userId: string, clientId: string, mutationId: number): MutationResult | null;
  lastMutationId(userId: string, clientId: string): number;
  recordMutationResult(userId: string, clientId: string, mutationId: number, result: MutationResult, at: number): void;
  /**
   * Deletes answers applied before `before`, except each client's latest (lastMutationId must stay true, so an
   * old id is never taken for a new one); returns how many.
   */
  pruneMutationResults(before: number): number;

  // generated secrets shared by every instance (never in the change log, never synced)
  getServerSecret(name: string): string | null;
  /** Stores the secret unless one of that name exists (another instance may have won the race); true if stored. */
  addServerSecret(name: string, value: string, at: number): boolean;

  // small settings
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;

  // channel provider configuration (server-side secrets; never in the change log)
  getProviderConfig(channelId: string): ProviderConfigRow | null;
  /** The channel configured for this provider with this address (E.164) or messaging service sid. */
  findProviderConfig(provider: string, by: { address: string } | { messagingServiceSid: string }): ProviderConfigRow | null;
  putProviderConfig(row: ProviderConfigRow): void;
  /** Every channel configured for this provider. */
  listProviderConfigs(provider: string): ProviderConfigRow[];
  /** Forgets a channel's provider configuration (it falls back to the demo delivery). */
  deleteProviderConfig(channelId: string): void;
  /** Every channel of every inbox, ordered by id (admin listing). */
  listAllChannels(): EntityOf<'channel'>[];

  // send jobs: one row per outbound message still to hand to its provider (durable delivery)
  /** Adds the job of an outbound message, due at `dueAt`; an existing job of it starts over (a Retry). */
  putSendJob(messageId: string, dueAt: number, at: number): void;
  getSendJob(messageId: string): SendJobRow | null;
  /**
   * Leases up to `limit` due jobs (due_at <= now, no live lease) to `owner` until `leaseUntil`, counting an
   * attempt on each; an expired lease is taken over. A PostgreSQL twin does the same with FOR UPDATE SKIP LOCKED.
   */
  claimSendJobs(owner: string, now: number, leaseUntil: number, limit: number): SendJobRow[];
  /** Gives a leased job back, due at `dueAt` (null = parked until an event wakes it); false if `owner` lost the lease. */
  rescheduleSendJob(messageId: string, owner: string, dueAt: number | null, lastError: string | null): boolean;
  /**
   * Drops the leases of every owner but `exceptOwner` (their worker is gone); those jobs come due again no
   * earlier than `notBefore`. Returns how many.
   */
  releaseSendJobLeases(exceptOwner: string, notBefore: number): number;
  deleteSendJob(messageId: string): void;
  /** The earliest due time of an unleased job, or of a lease's expiry; null = nothing to wait for. */
  nextSendJobAt(): number | null;

  // ---- customer satisfaction surveys (issue 12 §2; sqlite/surveys.ts). The records are entities (get/put
  // 'survey'); what follows is server-side only: link tokens (hashed), per-inbox texts and the report counts.
  /** Remembers the hash of a survey's link token (written with the survey, in its transaction). */
  putSurveyToken(tokenHash: string, surveyId: string): void;
  /** The survey whose link token hashes to this, or null. */
  findSurveyIdByTokenHash(tokenHash: string): string | null;
  /** The text an inbox sends with its survey link; null = the default. */
  getSurveyMessage(inboxId: string): string | null;
  setSurveyMessage(inboxId: string, message: string, by: string, at: number): void;
  /** Surveys sent in [from, to) in these inboxes, counted per inbox and per (agent, inbox). */
  surveyCounts(inboxIds: readonly string[], from: number, to: number): { byInbox: SurveyCountRow[]; byAgent: SurveyCountRow[] };
}

/** One group of the survey report: surveys sent, how many were answered, how many rated 4 or 5. */
export interface SurveyCountRow {
  /** The inbox id (byInbox) or the agent's user id (byAgent). */
  key: string;
  sent: number;
  answered: number;
  satisfied: number;
}

/** A send job. `attempt` counts the claims so far (a claim is an attempt, finished or not). */
export interface SendJobRow {
  messageId: string;
  attempt: number;
  /** null = parked: waits for an event (a web chat visitor coming back), not for time. */
  dueAt: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
}

export interface ProviderConfigRow {
  channelId: string;
  provider: string;
  address: string | null;
  messagingServiceSid: string | null;
  /** Provider-specific JSON (holds secrets). */
  config: string;
  updatedAt: number;
}
