import type { EntityRecord } from '../../protocol/domain.ts';
import { phasesOfWindow, type SnapshotPhase, type SyncWindow } from '../../protocol/history.ts';
import type { Scope } from '../../protocol/scope.ts';
import type { ServerFrame } from '../../protocol/sync.ts';
import type { Domain } from '../domain/domain.ts';
import { phasesOf, type WindowCursor } from '../domain/window-snapshot.ts';

/** What streaming a window needs from its socket. */
export interface WindowSocket {
  domain: Domain;
  send(frame: ServerFrame): Promise<void>;
  /** The snapshot frames' cursor (the socket's position in the log while it streams). */
  cursor(): number;
  closed(): boolean;
  maxBatch: number;
  /**
   * Called after each page of a window that asked for `firstPage`: the socket sends the mutation results waiting
   * since, so a reply is confirmed while the window streams rather than after it (the client applies frames in
   * order, and keeps a confirmed effect until the entries, which follow the window, bring the same truth).
   */
  betweenPages?(): Promise<void>;
}

/**
 * Streams the window of newly held scopes (issue 13, protocol/history.ts): phase by phase across all of them,
 * each scope's first chunk `reset`, its last (in its last phase) `done`, then `windowDone`. A window asking for
 * `firstPage` gets the `openFirst` phase and a `phaseDone` after each phase; older clients neither. A scope lost while
 * streaming gets `scopeLost` (when the client already has part of it) and is left out. Returns the scopes
 * whose window was sent whole and the floor their entries up to which the window already holds.
 */
export async function streamWindow(
  socket: WindowSocket,
  userId: string,
  targets: readonly Scope[],
  window: SyncWindow,
): Promise<{ sent: Scope[]; floor: number }> {
  const { domain } = socket;
  const floor = await domain.head();
  const plan = await domain.windows.plan(userId, window, Date.now());
  const started = new Set<Scope>();
  const lost = new Set<Scope>();
  for (const phase of phasesOfWindow(window)) {
    for (const target of targets) {
      const phases = phasesOf(target);
      if (lost.has(target) || !phases.includes(phase)) continue;
      const lastPhase = phases[phases.length - 1] === phase;
      let from: WindowCursor | null = null;
      do {
        if (socket.closed()) return { sent: [], floor };
        const page = await domain.windows.page(userId, target, phase, plan, from, socket.maxBatch);
        if (!page.held) {
          // Lost while streaming: tell the client to drop the part it already received.
          if (started.has(target)) await socket.send({ type: 'scopeLost', scope: target });
          lost.add(target);
          break;
        }
        from = page.next;
        await sendChunks(socket, target, phase, page.records, !started.has(target), lastPhase && from === null);
        started.add(target);
        if (window.firstPage) await socket.betweenPages?.();
      } while (from);
    }
    if (window.firstPage) await socket.send({ type: 'phaseDone', phase });
  }
  await socket.send({ type: 'windowDone', cursor: socket.cursor() });
  return { sent: targets.filter((t) => !lost.has(t)), floor };
}

/** A page may hold more records than a frame (conversations with their messages): split it, flags on the ends. */
async function sendChunks(socket: WindowSocket, scope: Scope, phase: SnapshotPhase, records: EntityRecord[], reset: boolean, done: boolean): Promise<void> {
  const size = socket.maxBatch;
  const count = Math.max(1, Math.ceil(records.length / size));
  for (let i = 0; i < count; i++) {
    await socket.send({
      type: 'snapshot',
      scope,
      reset: reset && i === 0,
      done: done && i === count - 1,
      records: records.slice(i * size, (i + 1) * size),
      cursor: socket.cursor(),
      phase,
    });
  }
}
