import type { ServerFrame } from '../../protocol/sync.ts';
import { MAX_FRAMES_PER_TRANSACTION } from './cache/apply-frame.ts';
import { staleScopes } from './cache/stale-scopes.ts';
import type { Session, SessionHost } from './client-session.ts';
import { noteQueueWaiting } from './queue-supervisor-actions.ts';
import type { SyncLinkState } from './sync-client.ts';

/** Applies queued data frames, a few per transaction, in arrival order. */
export function drainFrames(host: SessionHost, s: Session): void {
  s.drainScheduled = false;
  while (host.session === s && s.queue.length > 0) {
    const batch = s.queue.splice(0, MAX_FRAMES_PER_TRANSACTION);
    try {
      const wasSyncing = s.progress.state !== null;
      const views = s.applier.applyBatch(batch);
      host.emitChanged(views);
      if (views && (views.sidebar || views.conversationList)) noteQueueWaiting(s.cache, s.user);
      if (s.progress.applied(batch)) host.deps.hub.emit('syncProgress', s.progress.snapshot());
      s.history.afterBatch(batch, wasSyncing && s.progress.state === null);
      s.notifications.consider(batch.flatMap((f) => (f.type === 'changes' ? f.entries : [])));
    } catch (err) {
      // Nothing of the batch was committed and the cursor did not move: a reconnect re-sends it.
      host.log(`sync: could not apply ${batch.length} frame(s): ${err instanceof Error ? err.stack : String(err)}`);
      s.queue.length = 0;
      s.sync.restart('The local cache could not store an update.');
      return;
    }
  }
}

export function onServerFrame(host: SessionHost, s: Session, frame: ServerFrame): void {
  if (frame.type === 'scopeLost') s.welcomedScopes.delete(frame.scope);
  if (frame.type === 'changes' || frame.type === 'snapshot' || frame.type === 'scopeLost' || frame.type === 'windowDone') {
    s.queue.push(frame);
    if (!s.drainScheduled) {
      s.drainScheduled = true;
      setImmediate(() => drainFrames(host, s));
    }
    return;
  }
  // Anything else is answered only after the data the server sent before it.
  drainFrames(host, s);
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
    case 'error':
    case 'ping':
    case 'pong':
      return;
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
