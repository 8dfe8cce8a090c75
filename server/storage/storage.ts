import type { ChangeEntry } from '../../protocol/sync.ts';
import type { EntityKind, EntityOf } from '../../protocol/domain.ts';
import type { MutationResult } from '../../protocol/mutations.ts';
import type { Scope } from '../../protocol/scope.ts';
import type { OrgEdition } from '../../protocol/assistant.ts';
import type { HistoryStorage } from './history-storage.ts';

/**
 * The narrow storage boundary. Domain code sees only these types; implementations live in ./sqlite/
 * (better-sqlite3, embedded default) and ./postgres/ (node-postgres, many instances).
 *
 * The contract is asynchronous so that a networked database can implement it. What every implementation
 * guarantees:
 * - **One transaction at a time per callback.** Nothing else interleaves inside `fn`: SQLite serialises
 *   transactions in its one process (a second `transaction` waits until the first settled); PostgreSQL runs
 *   each on its own pooled connection under the isolation level that `kind` asks for.
 * - **Whole or nothing.** If `fn` rejects, nothing it wrote is kept. Nested calls on the same tx are not
 *   supported: pass the tx down instead.
 * - **Retried on a lost race.** A serialization failure or deadlock (PostgreSQL 40001 / 40P01) runs `fn` again
 *   from the start on a fresh transaction (a bounded number of times), so `fn` must not act outside `tx`; the
 *   caller acts on what it returns, after the commit.
 * - **The change log never lets a reader skip an entry.** `readChanges` and `head` serve only entries below
 *   which no entry can still appear: an entry with a lower seq than one already served never commits later.
 *   (SQLite: one writer, so commit order is seq order. PostgreSQL: appends are serialised by a transaction-scoped
 *   lock taken at the first append, so seqs commit in order.)
 */
export interface Storage {
  /** Runs `fn` in one transaction; rolls back if it rejects. */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Whether other server instances may use the same database at the same time. SQLite: false (its server
   * refuses to start beside another on the same data dir), so a send-job lease not held by this process was
   * left by a dead one and is taken back at start. PostgreSQL: true, so a lease of another owner may belong to
   * a live instance mid-call; only expired leases are taken over, or a reply would go out twice.
   */
  readonly sharedByInstances: boolean;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /**
   * 'read': reads only (PostgreSQL: READ ONLY, REPEATABLE READ so one snapshot is consistent across pages).
   * 'write' (default): reads then writes (PostgreSQL: SERIALIZABLE, so two instances deciding on the same row
   * at the same moment cannot both win; the loser is retried and then sees the winner's write).
   */
  kind?: 'read' | 'write';
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
  org: { id: string };
  queueAgent: { inboxId: string };
}

/** The windowed first sync's and the history API's reads are HistoryStorage (./history-storage.ts). */
export interface StorageTx extends HistoryStorage {
  // organisation
  getOrg(id: string): Promise<Org | null>;
  firstOrg(): Promise<Org | null>;
  putOrg(org: Org): Promise<void>;
  /** README "Shared workstations": cache keys are held by the server and kept only in memory on the client. */
  sharedWorkstation(orgId: string): Promise<boolean>;
  setSharedWorkstation(orgId: string, on: boolean): Promise<void>;

  // cache keys held for a person's device (shared workstations)
  getDeviceKey(userId: string, deviceId: string): Promise<string | null>;
  putDeviceKey(userId: string, deviceId: string, key: string, at: number): Promise<void>;
  deleteDeviceKey(userId: string, deviceId: string): Promise<void>;

  // entity records (the shapes of protocol/domain.ts)
  get<K extends EntityKind>(kind: K, id: string): Promise<EntityOf<K> | null>;
  put<K extends EntityKind>(kind: K, record: EntityOf<K>): Promise<void>;
  remove(kind: EntityKind, id: string): Promise<void>;
  /** Keyset page ordered by id: records with id > afterId. */
  list<K extends EntityKind>(kind: K, by: ListBy[K], afterId: string, limit: number): Promise<EntityOf<K>[]>;

  // lookups the domain needs
  findUserByEmail(email: string): Promise<EntityOf<'user'> | null>;
  inboxIdsOfUser(userId: string): Promise<string[]>;
  chatIdsOfUser(userId: string): Promise<string[]>;
  /** Most recent conversation of this customer on this channel, whatever its status. */
  findLatestConversation(channelId: string, customerAddress: string): Promise<EntityOf<'conversation'> | null>;
  findSharedContactByPhone(orgId: string, phone: string): Promise<EntityOf<'contact'> | null>;
  findMessageByProviderId(channelId: string, providerId: string): Promise<EntityOf<'message'> | null>;
  lastInboundMessageAt(conversationId: string): Promise<number | null>;
  /** Web chat: the channel of this kind with this address (widget key), or null. */
  findChannelByAddress(kind: EntityOf<'channel'>['kind'], address: string): Promise<EntityOf<'channel'> | null>;
  /** The latest `limit` messages of one conversation, oldest first. */
  recentMessagesOfConversation(conversationId: string, limit: number): Promise<EntityOf<'message'>[]>;

  // credentials and sessions
  getPasswordHash(userId: string): Promise<string | null>;
  setPasswordHash(userId: string, hash: string): Promise<void>;
  insertSession(session: SessionRow): Promise<void>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRow | null>;
  revokeSession(id: string, at: number): Promise<void>;
  /** Moves last-used forward (never back: concurrent touches may commit out of order). */
  touchSession(id: string, at: number): Promise<void>;
  /** Deletes revoked sessions and those created or last used at or before the cutoffs; returns how many. */
  deleteExpiredSessions(cutoffs: { createdBefore: number; usedBefore: number }): Promise<number>;

  // change log
  appendChange(change: NewChange): Promise<number>;
  /** Entries with seq > afterSeq whose scope is one of `scopes`, in seq order. */
  readChanges(afterSeq: number, scopes: readonly Scope[], limit: number): Promise<ChangeEntry[]>;
  /** Entries with seq > afterSeq of every scope, in seq order: the one read a server instance makes for all its sockets. */
  readAllChanges(afterSeq: number, limit: number): Promise<ChangeEntry[]>;
  /** Highest seq a reader may be served: every entry at or below it has committed (0 for an empty log). */
  head(): Promise<number>;
  /** Entries with seq <= this were compacted away; a cursor below it cannot be served. */
  compactedThrough(): Promise<number>;
  compactChanges(throughSeq: number): Promise<void>;

  // exactly-once ledger of client mutations
  findMutationResult(userId: string, clientId: string, mutationId: number): Promise<MutationResult | null>;
  lastMutationId(userId: string, clientId: string): Promise<number>;
  recordMutationResult(userId: string, clientId: string, mutationId: number, result: MutationResult, at: number): Promise<void>;
  /**
   * Deletes answers applied before `before`, except each client's latest (lastMutationId must stay true, so an
   * old id is never taken for a new one); returns how many.
   */
  pruneMutationResults(before: number): Promise<number>;

  // generated secrets shared by every instance (never in the change log, never synced)
  getServerSecret(name: string): Promise<string | null>;
  /** Stores the secret unless one of that name exists (another instance may have won the race); true if stored. */
  addServerSecret(name: string, value: string, at: number): Promise<boolean>;

  // small settings
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  // channel provider configuration (server-side secrets; never in the change log)
  getProviderConfig(channelId: string): Promise<ProviderConfigRow | null>;
  /** The channel configured for this provider with this address (E.164) or messaging service sid. */
  findProviderConfig(provider: string, by: { address: string } | { messagingServiceSid: string }): Promise<ProviderConfigRow | null>;
  putProviderConfig(row: ProviderConfigRow): Promise<void>;
  /** Every channel configured for this provider. */
  listProviderConfigs(provider: string): Promise<ProviderConfigRow[]>;
  /** Forgets a channel's provider configuration (it falls back to the demo delivery). */
  deleteProviderConfig(channelId: string): Promise<void>;
  /** Every channel of every inbox, ordered by id (admin listing). */
  listAllChannels(): Promise<EntityOf<'channel'>[]>;

  // send jobs: one row per outbound message still to hand to its provider (durable delivery)
  /** Adds the job of an outbound message, due at `dueAt`; an existing job of it starts over (a Retry). */
  putSendJob(messageId: string, dueAt: number, at: number): Promise<void>;
  getSendJob(messageId: string): Promise<SendJobRow | null>;
  /**
   * Leases up to `limit` due jobs (due_at <= now, no live lease) to `owner` until `leaseUntil`, counting an
   * attempt on each; an expired lease is taken over. A PostgreSQL twin does the same with FOR UPDATE SKIP LOCKED.
   */
  claimSendJobs(owner: string, now: number, leaseUntil: number, limit: number): Promise<SendJobRow[]>;
  /** Gives a leased job back, due at `dueAt` (null = parked until an event wakes it); false if `owner` lost the lease. */
  rescheduleSendJob(messageId: string, owner: string, dueAt: number | null, lastError: string | null): Promise<boolean>;
  /**
   * Drops the leases of every owner but `exceptOwner` (their worker is gone); those jobs come due again no
   * earlier than `notBefore`. Returns how many.
   */
  releaseSendJobLeases(exceptOwner: string, notBefore: number): Promise<number>;
  deleteSendJob(messageId: string): Promise<void>;
  /** The earliest due time of an unleased job, or of a lease's expiry; null = nothing to wait for. */
  nextSendJobAt(): Promise<number | null>;

  // attachment facts (the bytes live in a BlobStore under the same id: ./blob-store.ts)
  /** Records a new attachment unless one of that id exists; true if recorded. */
  addAttachment(row: AttachmentRow): Promise<boolean>;
  getAttachment(id: string): Promise<AttachmentRow | null>;
  /** Marks an attachment's bytes stored whole, measuring `size`; false if it was not a reservation (absent or committed). */
  commitAttachment(id: string, size: number): Promise<boolean>;
  /**
   * Binds committed, not yet linked attachments to the message that carries them (and its conversation);
   * returns how many were linked. An attachment already on a message keeps its first one.
   */
  linkAttachments(ids: readonly string[], link: { conversationId: string; messageId: string; at: number }): Promise<number>;
  /** Forgets an attachment's facts (`unlinkedOnly`: only while no message carries it); true if deleted. */
  deleteAttachment(id: string, options?: { unlinkedOnly?: boolean }): Promise<boolean>;
  /** What one uploader stored through one channel (web chat visitors) since `createdSince`, oldest first. */
  attachmentsOfUploader(channelId: string, uploaderId: string, createdSince: number): Promise<AttachmentRow[]>;
  /** Ids of attachments no message carries, created before `createdBefore`, oldest first (housekeeping). */
  unlinkedAttachments(createdBefore: number, limit: number): Promise<string[]>;

  // ---- Message Assistant (issue 12): the organisation's edition, its assistant settings (they hold the
  // provider key: never in the change log, never synced) and the audit of each use. Only server/assistant/ calls these.
  orgEdition(orgId: string): Promise<OrgEdition>;
  setOrgEdition(orgId: string, edition: OrgEdition): Promise<void>;
  getAssistantSettings(orgId: string): Promise<AssistantSettingsRow | null>;
  putAssistantSettings(row: AssistantSettingsRow): Promise<void>;
  insertAssistantUse(row: AssistantUseRow): Promise<void>;
  /** Newest first. */
  listAssistantUses(orgId: string, limit: number): Promise<AssistantUseRow[]>;

  // ---- customer satisfaction surveys (issue 12 §2; sqlite/surveys.ts). The records are entities (get/put
  // 'survey'); what follows is server-side only: link tokens (hashed), per-inbox texts and the report counts.
  /** Remembers the hash of a survey's link token (written with the survey, in its transaction). */
  putSurveyToken(tokenHash: string, surveyId: string): Promise<void>;
  /** The survey whose link token hashes to this, or null. */
  findSurveyIdByTokenHash(tokenHash: string): Promise<string | null>;
  /** The text an inbox sends with its survey link; null = the default. */
  getSurveyMessage(inboxId: string): Promise<string | null>;
  setSurveyMessage(inboxId: string, message: string, by: string, at: number): Promise<void>;
  /** Surveys sent in [from, to) in these inboxes, counted per inbox and per (agent, inbox). */
  surveyCounts(inboxIds: readonly string[], from: number, to: number): Promise<{ byInbox: SurveyCountRow[]; byAgent: SurveyCountRow[] }>;

  // ---- Contact Center routing (issue 10; sqlite/routing.ts, postgres/routing.ts). The records are entities
  // (queueAgent, conversation.routing, org); what follows are the routing choice's reads, durable timers and presence.
  listOrgIds(): Promise<string[]>;
  /**
   * Routing's next decision in the queue, or null. The conversation: the waiting, not offered one that waited
   * longest (FIFO) among those some agent with room has not passed (`routing.passedBy`). The agent: of the
   * logged-in, connected agents of the queue with room (open conversations assigned + pending offers below their
   * capacity, else `defaultCapacity`) who have not passed it, the one routed to longest ago (never first), ties
   * by user id.
   */
  nextRoute(inboxId: string, defaultCapacity: number): Promise<{ conversation: EntityOf<'conversation'>; userId: string } | null>;
  /** Per agent of the queue with any: open conversations assigned to them plus pending offers to them. */
  agentLoads(inboxId: string): Promise<Array<{ userId: string; load: number }>>;
  /** Open conversations of the queue assigned or offered to this person. */
  openConversationsOfAgent(inboxId: string, userId: string): Promise<EntityOf<'conversation'>[]>;
  /** The newest reply a person wrote in the conversation (authorType user), or null. */
  lastAgentReplyAt(conversationId: string): Promise<number | null>;
  queueAgentsOfUser(userId: string): Promise<EntityOf<'queueAgent'>[]>;
  /** A durable timer (kind, key) due at `dueAt`; an existing one is moved. */
  putTimer(kind: string, key: string, dueAt: number, at: number): Promise<void>;
  deleteTimer(kind: string, key: string): Promise<void>;
  /**
   * One due timer (due_at <= now, earliest first) for this transaction to fire and delete; PostgreSQL locks it
   * (FOR UPDATE SKIP LOCKED), so another instance firing at the same moment takes a different one.
   */
  claimDueTimer(now: number): Promise<TimerRow | null>;
  nextTimerAt(): Promise<number | null>;
  /** One more sync socket of this person on this instance, which keeps it alive until `leaseUntil`. */
  presenceOpened(userId: string, instanceId: string, leaseUntil: number): Promise<void>;
  /** One socket fewer (the row goes with the last). */
  presenceClosed(userId: string, instanceId: string): Promise<void>;
  /** The instance's heartbeat: its rows live until `leaseUntil`. */
  renewPresence(instanceId: string, leaseUntil: number): Promise<void>;
  /** Whether a live row (lease after `now`) of this person exists on any instance. */
  userConnected(userId: string, now: number): Promise<boolean>;
  /** Deletes rows whose lease ran out (their instance died) and returns whose they were. */
  expirePresence(now: number): Promise<string[]>;
}

export interface TimerRow {
  kind: string;
  key: string;
  dueAt: number;
}

/**
 * An attachment's facts, as the server measured them (never as a client claimed). A row is added before the
 * first byte is stored (a reservation, `committed` false), so housekeeping can find bytes whose writer died.
 */
export interface AttachmentRow {
  id: string;
  name: string;
  contentType: string;
  /** Bytes, counted while storing; 0 while reserved. */
  size: number;
  /** Set at upload for agents' files, when a message links it for provider media and web chat uploads. */
  conversationId: string | null;
  /** The channel a customer's file came through (provider media, web chat uploads); null for agents' uploads. */
  channelId: string | null;
  /** Who stored it: a user id, the channel id (provider media) or a web chat visitor handle. */
  uploaderId: string;
  createdAt: number;
  /** The bytes are stored whole and checked. */
  committed: boolean;
  /** The first message that carried it (null: none yet, or carried before messages were recorded here). */
  messageId: string | null;
  /** When a message first carried it; null = an upload still pending, removed after a day. */
  linkedAt: number | null;
}

export interface AssistantSettingsRow {
  orgId: string;
  baseUrl: string;
  model: string;
  /** The provider key ('' = none, e.g. a local Ollama). */
  apiKey: string;
  maskContactDetails: boolean;
  enabled: boolean;
  updatedAt: number;
}

export interface AssistantUseRow {
  id: string;
  orgId: string;
  userId: string;
  conversationId: string;
  kind: 'suggest' | 'generate';
  providerHost: string;
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
  outcome: string;
  at: number;
  durationMs: number;
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
