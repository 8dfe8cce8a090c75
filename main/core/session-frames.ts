import type { ServerFrame } from '../../protocol/sync.ts';
import type { DataFrame } from './cache/apply-frame.ts';
import { staleScopes } from './cache/stale-scopes.ts';
import type { Session, SessionHost } from './client-session.ts';
import { noteQueueWaiting } from './queue-supervisor-actions.ts';
import type { SyncLinkState } from './sync-client.ts';
import { isDataFrame, takeBatch, type QueuedFrame } from './take-batch.ts';

/**
 * Backpressure (issue 13): the socket stops being read with this many frames waiting to be applied and is read
 * again once the queue is down to READ_RESUME_AT, so memory stays bounded whatever the window's size (the server
 * waits on its socket's buffer meanwhile).
 */
export const READ_PAUSE_AT = 20;
export const READ_RESUME_AT = 5;

/**
 * Handles queued frames in arrival order: data frames in small transactions (take-batch.ts), a welcome or a
 * mutation result once the data before it is in. One batch per turn of the event loop, so IPC calls (a
 * renderer's first page) are answered while a window streams.
 */
function drainStep(host: SessionHost, s: Session): void {
  s.drainScheduled = false;
  if (host.session !== s) return;
  const front = s.queue[0];
  if (front && !isDataFrame(front)) {
    s.queue.shift();
    onControlFrame(host, s, front);
  } else if (front && !applyBatch(host, s, takeBatch(s.queue))) {
    return;
  }
  settleReading(s);
  if (s.queue.length > 0) scheduleDrain(host, s);
}

function scheduleDrain(host: SessionHost, s: Session): void {
  if (s.drainScheduled) return;
  s.drainScheduled = true;
  setImmediate(() => drainStep(host, s));
}

/** Pauses or resumes reading the socket by the queue's length (hysteresis between the two marks). */
function settleReading(s: Session): void {
  const n = s.queue.length;
  if (n >= READ_PAUSE_AT) s.sync.holdReading(true);
  else if (n <= READ_RESUME_AT) s.sync.holdReading(false);
}

/** One transaction; false when it failed (the queue is dropped and the link restarted). */
function applyBatch(host: SessionHost, s: Session, batch: DataFrame[]): boolean {
  try {
    const wasSyncing = s.progress.state !== null;
    const views = s.applier.applyBatch(batch);
    host.emitChanged(views);
    if (views && (views.sidebar || views.conversationList)) noteQueueWaiting(s.cache, s.user);
    if (s.progress.applied(batch)) host.deps.hub.emit('syncProgress', s.progress.snapshot());
    s.history.afterBatch(batch, wasSyncing && s.progress.state === null);
    s.notifications.consider(batch.flatMap((f) => (f.type === 'changes' ? f.entries : [])));
    return true;
  } catch (err) {
    // Nothing of the batch was committed and the cursor did not move: a reconnect re-sends it.
    host.log(`sync: could not apply ${batch.length} frame(s): ${err instanceof Error ? err.stack : String(err)}`);
    s.queue.length = 0;
    s.sync.holdReading(false);
    s.sync.restart('The local cache could not store an update.');
    return false;
  }
}

/**
 * The first snapshot of a windowed sync asks the server for the default list's totals at once, in parallel with
 * the stream, so its counts are right when the inbox becomes usable (sync-progress.ts waits for them).
 */
function prefetchTotals(host: SessionHost, s: Session): void {
  if (s.totalsAsked) return;
  s.totalsAsked = true;
  void s.history.prefetchFirstTotals().then((known) => {
    if (host.session !== s) return;
    if (!known) s.totalsAsked = false; // asked again at the next snapshot frame
    else if (s.progress.totalsKnown()) host.deps.hub.emit('syncProgress', s.progress.snapshot());
  });
}

export function onServerFrame(host: SessionHost, s: Session, frame: ServerFrame): void {
  if (frame.type === 'scopeLost') s.welcomedScopes.delete(frame.scope);
  if (frame.type === 'snapshot' && frame.phase) prefetchTotals(host, s);
  if (frame.type === 'error' || frame.type === 'ping' || frame.type === 'pong') return;
  // Everything else in arrival order: a welcome or a mutation result is answered after the data sent before it.
  s.queue.push(frame as QueuedFrame);
  settleReading(s);
  scheduleDrain(host, s);
}

function onControlFrame(host: SessionHost, s: Session, frame: Exclude<QueuedFrame, DataFrame>): void {
  switch (frame.type) {
    case 'welcome': {
      s.welcomedScopes = new Set(frame.scopes);
      const stale = new Set(staleScopes(s.cache));
      const held = new Set(s.cache.heldScopes().filter((scope) => !stale.has(scope)));
      if (s.progress.welcomed(frame.scopes, held)) host.deps.hub.emit('syncProgress', s.progress.snapshot());
      if (JSON.stringify(frame.user) !== JSON.stringify(s.user)) {
        s.user = frame.user;
        s.cache.setMeta('user', JSON.stringify(frame.user));
        host.emitSession({ status: 'signedIn', serverUrl: s.serverUrl, user: frame.user });
      }
      host.flush(s);
      return;
    }
    case 'mutationResult': {
      const views = s.outbox.resolve(frame.id, frame.result);
      if (!frame.result.ok) host.log(`outbox: mutation ${frame.id} refused: ${frame.result.code} ${frame.result.message}`);
      host.emitChanged(views);
      host.emitConnection();
      return;
    }
  }
}

export function onLinkState(host: SessionHost, s: Session, state: SyncLinkState): void {
  if (host.session !== s) return;
  host.link = state;
  if (state.status !== 'online') s.outbox.connectionLost();
  host.emitConnection();
  if (state.status === 'online') {
    // Online is enough to send: the outbox never waits on what a welcome or any later frame held.
    const stale = staleScopes(s.cache);
    if (stale.length > 0) s.sync.requestResync(stale, 'scopes left stale by an update that could not be read');
    host.flush(s);
  }
  if (state.status === 'signedOut') {
    // The server refused the token: stop, forget the token, keep the cache (encrypted; its key is not in
    // memory any more) so unsent work survives until the same person signs in again.
    host.end(s);
    void host.deps.vault.clear();
    host.emitSession({ status: 'signedOut', serverUrl: s.serverUrl, reason: state.lastError ?? 'Your session has ended.' });
  }
}
