import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { SyncProgress } from '../../protocol/ipc.ts';

/**
 * How far a first sync (or a newly joined inbox) has come, from 'syncProgress' events and app.state.
 * The payload is parsed here, at the renderer's edge: something unreadable is dropped, never shown.
 */
export const useSyncProgressStore = defineStore('syncProgress', () => {
  /** Null when nothing is being snapshotted. */
  const progress = shallowRef<SyncProgress | null>(null);

  function apply(payload: unknown): void {
    if (payload === null) {
      progress.value = null;
      return;
    }
    const parsed = SyncProgress.safeParse(payload);
    if (!parsed.success) {
      console.error('switchboard: unreadable syncProgress event', parsed.error.issues[0]);
      return;
    }
    progress.value = parsed.data.syncing ? parsed.data : null;
  }

  return { progress, apply };
});
