import type { ChannelKind, DeliveryStatus, EntityOf, EntityRecord } from '../../protocol/domain.ts';
import type { MutationResult } from '../../protocol/mutations.ts';
import type { Scope } from '../../protocol/scope.ts';
import { windowSince, type SnapshotPhase, type SyncWindow } from '../../protocol/history.ts';
import type { ChangeEntry } from '../../protocol/sync.ts';
import type { Storage, StorageTx } from '../storage/storage.ts';
import { scopesOfUser } from './change-log.ts';
import type { OutboundSender } from './delivery.ts';
import { settleProviderId, settleStatus } from './delivery-status.ts';
import { OutboundDelivery, type OutboundDeliveryOptions } from './outbound-delivery.ts';
import { Rejection } from './errors.ts';
import { ChangeFeed } from './feed.ts';
import { appendAutomaticReply, receiveInbound, type InboundMessage, type InboundResult } from './inbound.ts';
import type { ChannelRegistry } from '../channels/channel-adapter.ts';
import type { SendWindowStats } from './send-worker.ts';
import { ChannelProviders } from './channel-providers.ts';
import { createMutationHandlers, mutationName, runHandler } from './mutation-handlers.ts';
import { resolveSessionPolicy, type SessionPolicy } from './sessions.ts';
import { withoutNul } from '../../protocol/nul.ts';
import { InProcessHousekeepingLock, type HousekeepingLock } from './housekeeping-lock.ts';
import { SessionService } from './session-service.ts';
export type { Authenticated, SignInContext, TokenCheck } from './session-service.ts';
import { applyLogRetention, resolveLogRetention, type LogRetentionPolicy, type RetentionOutcome } from './log-retention.ts';
import { InProcessSignInThrottle, resolveSignInThrottle, type SignInThrottle, type SignInThrottlePolicy } from './sign-in-throttle.ts';
import { readSnapshotPage, type SnapshotCursor } from './snapshot.ts';
import { readWindowPage, windowContactIds, type WindowCursor, type WindowPage, type WindowPlan } from './window-snapshot.ts';
import { SurveyService } from './survey-service.ts';
import { HistoryService } from './history-service.ts';

export interface DomainOptions {
  storage: Storage;
  clock?: () => number;
  log?: (line: string) => void;
  /** Log retention floor: cursors below it get a full snapshot instead of catch-up. */
  minServableSeq?: number;
  /** Demo delivery timings (ms). */
  delivery?: { sentAfterMs?: number; deliveredAfterMs?: number };
  /** Send worker: concurrency, lease, call timeout, poll interval and retry policy (send-worker.ts defaults). */
  sendWorker?: OutboundDeliveryOptions['worker'];
  /** SPEC (18): message.send may carry uploaded files (their facts are in storage); false/absent = none. */
  attachments?: boolean;
  /** Session idle timeout, absolute age and last-used write interval (sessions.ts defaults). */
  sessions?: Partial<SessionPolicy>;
  /** Failed sign-in limits (sign-in-throttle.ts defaults). */
  signInThrottle?: Partial<SignInThrottlePolicy>;
  /** Where failed sign-ins are counted (app.ts: Redis when configured); default in memory with `signInThrottle`. */
  signInThrottler?: SignInThrottle;
  /** How long the change log and mutation answers are kept (log-retention.ts defaults). */
  logRetention?: Partial<LogRetentionPolicy>;
  /** Runs retention and session pruning on one instance at a time (app.ts: an advisory lock on PostgreSQL); default in-process. */
  housekeeping?: HousekeepingLock;
}

export interface AppliedMutation {
  result: MutationResult;
  /** true when this (clientId, id) was applied before and the stored answer was returned. */
  replayed: boolean;
}

/** A consistent read of what a user may see after a cursor: their scopes and the next entries. */
export interface ChangesPage {
  scopes: Scope[];
  entries: ChangeEntry[];
  head: number;
}

export type { TwilioConfigInput, WhatsAppConfigInput } from './channel-providers.ts';

/**
 * The sync server's domain: everything that changes or reads shared state,
 * free of HTTP and websockets so it can be tested without either.
 */
export class Domain {
  readonly feed = new ChangeFeed();
  private readonly storage: Storage;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private readonly minServableSeq: number;
  /** Send jobs, their worker and the senders (outbound-delivery.ts). */
  private readonly outbound: OutboundDelivery;
  /** Provider adapters per channel (issue 4), used by the send worker and the webhooks. */
  readonly channels: ChannelRegistry;
  private readonly handlers;
  /** Channel provider configuration: webhooks find their channel here, admin commands write it. */
  readonly providers: ChannelProviders;
  /** Customer satisfaction surveys (issue 12 §2): the page, web chat answers, settings and the report. */
  readonly surveys: SurveyService;
  /** History on demand and server search (issue 13): what the windowed first sync left out. */
  readonly history: HistoryService;
  /** Sign-in, token checks, sign-out, the expired-session sweep (session-service.ts). */
  readonly sessions: SessionService;
  /** Expired sessions are deleted on sign-in at most once per sweepIntervalMs; the first sign-in sweeps. */
  readonly logRetention: LogRetentionPolicy;
  /** The highest seq listeners were told about; a higher head was committed by another process. */
  private announcedHead = 0;
  private readonly housekeeping: HousekeepingLock;

  /** A domain ready to serve: the constructor reads nothing, so the change log's head is read here. */
  static async open(options: DomainOptions): Promise<Domain> {
    const domain = new Domain(options);
    await domain.init();
    return domain;
  }

  constructor(options: DomainOptions) {
    this.storage = options.storage;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => {});
    this.minServableSeq = options.minServableSeq ?? 0;
    // Issue 4: the registry sends through the channel's provider; channels without one keep the demo delivery.
    this.outbound = new OutboundDelivery({
      write: (fn) => this.write(fn),
      read: (fn) => this.read(fn),
      clock: this.clock,
      log: this.log,
      setStatus: (id, status) => this.setDeliveryStatus(id, status),
      demo: { sentAfterMs: options.delivery?.sentAfterMs ?? 400, deliveredAfterMs: options.delivery?.deliveredAfterMs ?? 1200 },
      worker: options.sendWorker,
      // Where instances share the database, another owner's lease may be a live instance's call in flight.
      exclusiveClaimer: !options.storage.sharedByInstances,
    });
    this.channels = this.outbound.channels;
    this.providers = new ChannelProviders({ read: (fn) => this.read(fn), write: (fn) => this.write(fn), clock: this.clock });
    this.surveys = new SurveyService({ read: (fn) => this.read(fn), write: (fn) => this.write(fn), clock: this.clock });
    this.history = new HistoryService((fn) => this.read(fn));
    this.handlers = createMutationHandlers(() => this.outbound.poke(), options.attachments ?? false, (token) => this.surveys.pageUrl(token));
    this.logRetention = resolveLogRetention(options.logRetention);
    this.housekeeping = options.housekeeping ?? new InProcessHousekeepingLock();
    this.sessions = new SessionService(
      {
        read: (fn) => this.read(fn),
        write: (fn) => this.write(fn),
        clock: this.clock,
        log: this.log,
        throttle: options.signInThrottler ?? new InProcessSignInThrottle(resolveSignInThrottle(options.signInThrottle), this.clock),
        housekeeping: this.housekeeping,
        revoked: (sessionId) => this.feed.emit('sessionRevoked', sessionId),
      },
      resolveSessionPolicy(options.sessions),
    );
  }

  /** Notes the log's head, so only later commits of other processes count as foreign (Domain.open calls it). */
  async init(): Promise<void> {
    const head = await this.head();
    this.announcedHead = Math.max(this.announcedHead, head);
  }

  /**
   * A write transaction followed by a poke when it committed anything to the log. The feed hears of it
   * only after the commit: a listener reading the log at once finds the entries there.
   */
  async write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    let after = 0;
    const result = await this.storage.transaction(async (tx) => {
      after = 0; // a retried transaction starts over
      // The newest seq this transaction appended is its head (appends commit in seq order). Reading head() here
      // instead would read max(seq) in every write: on PostgreSQL a SERIALIZABLE read of the log's end that every
      // other appending transaction then writes past, which made concurrent writers abort each other.
      const appendChange: StorageTx['appendChange'] = async (change) => {
        const seq = await tx.appendChange(change);
        after = Math.max(after, seq);
        return seq;
      };
      return fn(new Proxy(tx, { get: (target, key) => (key === 'appendChange' ? appendChange : Reflect.get(target, key)) }));
    });
    if (after > 0) {
      this.announcedHead = Math.max(this.announcedHead, after);
      this.feed.emit('committed', after, 'here');
    }
    return result;
  }

  /**
   * Passes on what another process committed to the same database (the admin commands: templates, channel
   * registration, provider settings; other server instances), so connected clients get it without waiting
   * for the next change here. `movedTo`: another instance said the log moved to this seq (a poke); if this
   * process already passed that on, the database is not even asked.
   */
  async noticeForeignCommits(movedTo?: number): Promise<boolean> {
    if (movedTo !== undefined && movedTo <= this.announcedHead) return false;
    let head: number;
    try {
      head = await this.head();
    } catch (err) {
      // Runs on a timer: a busy or closing database is reported, never thrown into the event loop.
      this.log(`could not read the change log head: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
    if (head <= this.announcedHead) return false;
    this.announcedHead = head;
    this.feed.emit('committed', head, 'elsewhere');
    return true;
  }

  /**
   * One log-retention pass (log-retention.ts); housekeeping, so a failure is logged, never thrown. Null when it
   * failed or another instance was running a pass (then that one does the work).
   */
  async applyLogRetention(now = this.clock()): Promise<RetentionOutcome | null> {
    try {
      const pass = await this.housekeeping.run(() => this.write((tx) => applyLogRetention(tx, this.logRetention, now)));
      if (!pass.ran) return null;
      const outcome = pass.value;
      const days = (ms: number) => `${Math.round((ms / 86_400_000) * 10) / 10} days`;
      const { changeLogKeepMs, answersKeepMs } = this.logRetention;
      if (outcome.compactedThrough !== null && changeLogKeepMs !== null) {
        this.log(`log retention: change log compacted through #${outcome.compactedThrough} (entries older than ${days(changeLogKeepMs)})`);
      }
      if (outcome.prunedAnswers > 0) {
        this.log(`log retention: deleted ${outcome.prunedAnswers} mutation answer${outcome.prunedAnswers === 1 ? '' : 's'} older than ${days(answersKeepMs)}`);
      }
      return outcome;
    } catch (err) {
      this.log(`log retention failed: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  /** A read-only transaction: one consistent view for everything `fn` reads. */
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.storage.transaction(fn, { kind: 'read' });
  }

  /** Starts the send worker (the server does, once its senders are in place); admin commands never do. */
  startDelivery(): Promise<void> {
    return this.outbound.start();
  }

  /** Graceful stop of the send worker: no new claims, calls in flight finish (up to graceMs) and are recorded. */
  stopDelivery(graceMs: number): Promise<void> {
    return this.outbound.stop(graceMs);
  }

  /** How long provider answers took to be committed (the window in which a crash causes a second send). */
  sendWindowStats(): SendWindowStats {
    return this.outbound.windowStats();
  }

  close(): void {
    this.outbound.close();
    this.feed.removeAllListeners();
  }

  // ------------------------------------------------------------ mutations

  /**
   * Applies a client's mutation exactly once per (user, clientId, id): the
   * effect, its change entries and the stored answer commit together. A
   * rejection is stored too, so one bad mutation never blocks the queue.
   * `mutation` is as received: runHandler judges it against the protocol schema first.
   */
  async applyMutation(user: EntityOf<'user'>, clientId: string, id: number, mutation: unknown): Promise<AppliedMutation> {
    const afterCommit: Array<() => void> = [];
    let outcome: AppliedMutation;
    try {
      outcome = await this.write(async (tx): Promise<AppliedMutation> => {
        afterCommit.length = 0; // a retried transaction starts over
        const stored = await tx.findMutationResult(user.id, clientId, id);
        if (stored) return { result: stored, replayed: true };
        if (id <= (await tx.lastMutationId(user.id, clientId))) {
          // Not stored and older than the last applied: its answer was pruned or it was never sent in order.
          return {
            result: { ok: false, code: 'conflict', message: `Mutation ${id} arrived after a later one; send it again with a new id.` },
            replayed: true,
          };
        }
        const actor = await tx.get('user', user.id);
        let result: MutationResult = { ok: true };
        if (!actor || actor.status !== 'active') result = { ok: false, code: 'forbidden', message: 'Your account is disabled.' };
        // A Rejection thrown halfway rejects the whole transaction, so it leaves no partial effect behind.
        else await runHandler(this.handlers, { tx, actor, now: this.clock(), afterCommit: (t) => afterCommit.push(t) }, mutation);
        await tx.recordMutationResult(user.id, clientId, id, result, this.clock());
        return { result, replayed: false };
      }).catch((err: unknown) => {
        if (!(err instanceof Rejection)) throw err;
        afterCommit.length = 0;
        return this.storeAnswer(user.id, clientId, id, { ok: false, code: err.code, message: err.message });
      });
    } catch (err) {
      // A bug, not a business rule: answer `internal` and store it so the client's queue moves on.
      this.log(`mutation ${mutationName(mutation)} (${clientId}#${id}) failed: ${err instanceof Error ? err.stack : String(err)}`);
      const result: MutationResult = { ok: false, code: 'internal', message: 'The server failed to apply this change; it was logged.' };
      try {
        await this.storeAnswer(user.id, clientId, id, result);
      } catch (again) {
        this.log(`could not record failed mutation: ${String(again)}`);
      }
      return { result, replayed: false };
    }
    for (const task of afterCommit) task();
    return outcome;
  }

  /** Stores an answer without an effect (a rejection), unless one was stored meanwhile: then that one stands. */
  private storeAnswer(userId: string, clientId: string, id: number, result: MutationResult): Promise<AppliedMutation> {
    return this.write(async (tx) => {
      const stored = await tx.findMutationResult(userId, clientId, id);
      if (stored) return { result: stored, replayed: true };
      await tx.recordMutationResult(userId, clientId, id, result, this.clock());
      return { result, replayed: false };
    });
  }

  // ------------------------------------------------------------ inbound and delivery

  /**
   * Outbound messages on channels of this kind go to `sender` instead of the channel's provider, for
   * the conversations `accepts` (default: all).
   */
  useDeliveryFor(kind: ChannelKind, sender: OutboundSender, accepts: (conversation: EntityOf<'conversation'>) => boolean = () => true): void {
    this.outbound.useFor(kind, sender, accepts);
  }

  /** Stores a customer message (and its automatic reply with its send job, when there is one) in one transaction. */
  async receiveInbound(received: InboundMessage): Promise<InboundResult> {
    // A customer's text is kept, without NULs (protocol/nul.ts): a provider cannot be asked to send it differently.
    const input = withoutNul(received);
    const result = await this.write(async (tx) => {
      const received = await receiveInbound(tx, input, this.clock());
      if (received.created && input.automaticReply) await appendAutomaticReply(tx, received.conversationId, input.automaticReply, this.clock());
      return received;
    });
    if (result.created && input.automaticReply) this.outbound.poke();
    return result;
  }

  /**
   * Status moves only forward (a late "sent" never overwrites "delivered"). A message that leaves `queued`
   * this way (a web chat welcome, a provider callback) needs no send job any more.
   */
  async setDeliveryStatus(messageId: string, status: DeliveryStatus, reason: string | null = null): Promise<void> {
    await this.write((tx) => settleStatus(tx, messageId, status, reason));
  }

  /** The provider accepted an outbound message: remember its id (status callbacks and dedupe use it); its job is done. */
  async setProviderId(messageId: string, providerId: string): Promise<void> {
    await this.write((tx) => settleProviderId(tx, messageId, providerId));
  }

  /**
   * A provider status callback for an outbound message of `channelId`: by our message id when the
   * callback carries it (it may beat setProviderId), else by the provider id. A mismatching pair is ignored.
   * Found and applied in one transaction, so a send settling meanwhile cannot slip between.
   */
  applyProviderStatus(channelId: string, messageId: string | null, providerId: string, status: DeliveryStatus, reason: string | null): Promise<boolean> {
    return this.write(async (tx) => {
      const found = messageId ? await tx.get('message', messageId) : await tx.findMessageByProviderId(channelId, providerId);
      if (!found || found.direction !== 'out') return false;
      const conversation = await tx.get('conversation', found.conversationId);
      if (conversation?.channelId !== channelId) return false;
      if (found.providerId !== null && found.providerId !== providerId) return false;
      if (found.providerId === null) await settleProviderId(tx, found.id, providerId);
      await settleStatus(tx, found.id, status, reason);
      return true;
    });
  }

  // ------------------------------------------------------------ sync reads

  scopesOf(userId: string): Promise<Scope[]> {
    return this.read((tx) => scopesOfUser(tx, userId));
  }

  head(): Promise<number> {
    return this.read((tx) => tx.head());
  }

  /** The lowest cursor the log can still serve by catch-up. */
  servableFloor(): Promise<number> {
    return this.read(async (tx) => Math.max(await tx.compactedThrough(), this.minServableSeq));
  }

  /** What a sync hello needs, read together: the user's scopes, the log's head and the lowest servable cursor. */
  syncStart(userId: string): Promise<{ scopes: Scope[]; head: number; floor: number }> {
    return this.read(async (tx) => ({
      scopes: await scopesOfUser(tx, userId),
      head: await tx.head(),
      floor: Math.max(await tx.compactedThrough(), this.minServableSeq),
    }));
  }

  /** Scopes and entries read together, so no entry is judged against stale membership. */
  readChanges(userId: string, afterSeq: number, limit: number): Promise<ChangesPage> {
    return this.read(async (tx) => {
      const scopes = await scopesOfUser(tx, userId);
      return { scopes, entries: await tx.readChanges(afterSeq, scopes, limit), head: await tx.head() };
    });
  }

  /** Entries of every scope after `afterSeq` with the head of the same snapshot: the instance's one log reader (server/sync/log-reader.ts). */
  readLog(afterSeq: number, limit: number): Promise<{ entries: ChangeEntry[]; head: number }> {
    return this.read(async (tx) => ({ entries: await tx.readAllChanges(afterSeq, limit), head: await tx.head() }));
  }

  /** Whether the user holds the scope now, and if so one page of its records. */
  readSnapshot(
    userId: string,
    target: Scope,
    from: SnapshotCursor | null,
    limit: number,
  ): Promise<{ held: false } | { held: true; records: EntityRecord[]; next: SnapshotCursor | null }> {
    return this.read(async (tx) => {
      if (!(await scopesOfUser(tx, userId)).includes(target)) return { held: false as const };
      return { held: true as const, ...(await readSnapshotPage(tx, target, from, limit)) };
    });
  }

  /** What a windowed snapshot of this person reads by (issue 13): the window, its day boundary and the contacts it uses. */
  windowPlan(userId: string, window: SyncWindow, now: number): Promise<WindowPlan> {
    const since = windowSince(window, now);
    return this.read(async (tx) => ({ window, since, contactIds: await windowContactIds(tx, userId, await tx.inboxIdsOfUser(userId), since) }));
  }

  /** Whether the user holds the scope now, and if so one page of its window's phase. */
  readWindow(userId: string, target: Scope, phase: SnapshotPhase, plan: WindowPlan, from: WindowCursor | null, limit: number): Promise<({ held: false } | ({ held: true } & WindowPage))> {
    return this.read(async (tx) => {
      if (!(await scopesOfUser(tx, userId)).includes(target)) return { held: false as const };
      return { held: true as const, ...(await readWindowPage(tx, target, phase, plan, from, limit)) };
    });
  }

  user(userId: string): Promise<EntityOf<'user'> | null> {
    return this.read((tx) => tx.get('user', userId));
  }

  organisationName(): Promise<string> {
    return this.read(async (tx) => (await tx.firstOrg())?.name ?? 'Switchboard');
  }
}
