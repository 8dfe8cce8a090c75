import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ConnectionState } from '../../protocol/ipc.ts';

/** The sync connection as main reports it ('connection' events). */
export const useConnectionStore = defineStore('connection', () => {
  const state = shallowRef<ConnectionState>({ status: 'connecting', retryInMs: null, lastError: null, pendingCount: 0 });
  /** Epoch ms of the next reconnect attempt, so the view can count down without asking again. */
  const retryAt = ref<number | null>(null);

  const status = computed(() => state.value.status);
  const pendingCount = computed(() => state.value.pendingCount);

  function apply(next: ConnectionState): void {
    state.value = next;
    retryAt.value = next.status === 'reconnecting' && next.retryInMs !== null ? Date.now() + next.retryInMs : null;
  }

  return { state, retryAt, status, pendingCount, apply };
});
