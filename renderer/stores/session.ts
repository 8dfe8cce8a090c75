import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { DemoAccount } from '../../protocol/http.ts';
import type { SessionState } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useSyncProgressStore } from './sync-progress.ts';
import { useConnectionStore } from './connection.ts';
import { useConversationListStore } from './conversation-list.ts';
import { useOpenConversationStore } from './open-conversation.ts';
import { useSidebarStore } from './sidebar.ts';
import { useContactsStore } from './contacts.ts';
import { useSearchStore } from './search.ts';
import { useWorkflowStore } from './workflow.ts';
import { useQueuesStore } from './queues.ts';
import { useContactCenterStore } from './contact-center.ts';

export interface ServerProbe {
  serverUrl: string;
  organisation: string;
  demoAccounts: DemoAccount[] | null;
}

/** Who is signed in, and the sign-in form's server round trips. */
export const useSessionStore = defineStore('session', () => {
  const session = shallowRef<SessionState | null>(null);
  const defaultServerUrl = ref('');
  /** Set when the app itself could not be reached at start. */
  const loadError = ref<string | null>(null);
  const probe = shallowRef<ServerProbe | null>(null);
  const probeError = ref<string | null>(null);
  const signingIn = ref(false);
  const signInError = ref<string | null>(null);
  const signingOut = ref(false);
  let probeToken = 0;

  const user = computed(() => (session.value?.status === 'signedIn' ? session.value.user : null));
  const signedIn = computed(() => user.value !== null);

  async function load(): Promise<void> {
    const result = await getApi().invoke('app.state', {});
    if (!result.ok) {
      loadError.value = result.error.message;
      return;
    }
    loadError.value = null;
    defaultServerUrl.value = result.value.defaultServerUrl;
    useConnectionStore().apply(result.value.connection);
    useSyncProgressStore().apply(result.value.syncProgress);
    apply(result.value.session);
  }

  async function syncState(): Promise<void> {
    const state = await getApi().invoke('app.state', {});
    if (!state.ok) return;
    useConnectionStore().apply(state.value.connection);
    useSyncProgressStore().apply(state.value.syncProgress);
    apply(state.value.session);
  }

  /** Every session event lands here; it also (re)loads or clears the views that depend on who is signed in. */
  function apply(next: SessionState): void {
    const previousUserId = user.value?.id ?? null;
    session.value = next;
    const nextUserId = next.status === 'signedIn' ? next.user.id : null;
    const list = useConversationListStore();
    const sidebar = useSidebarStore();
    const open = useOpenConversationStore();
    if (nextUserId !== previousUserId) {
      // Another person (or nobody): nothing of the previous one may stay on screen.
      sidebar.reset();
      list.reset();
      open.reset();
      useContactsStore().reset();
      useSearchStore().reset();
      useWorkflowStore().reset();
      useQueuesStore().reset();
      useContactCenterStore().reset();
      useSyncProgressStore().apply(null);
    }
    if (nextUserId) {
      // Also reached after the browser host reconnects: re-read all, events may have been missed.
      void sidebar.refresh().then((listFollowed) => {
        if (!listFollowed) void list.refresh();
      });
      void open.refresh();
      void useContactsStore().refresh();
      void useContactCenterStore().refresh();
    }
  }

  async function probeServer(serverUrl: string): Promise<void> {
    const token = ++probeToken;
    probeError.value = null;
    const result = await getApi().invoke('server.probe', { serverUrl });
    if (token !== probeToken) return;
    if (result.ok) {
      probe.value = { serverUrl, ...result.value };
    } else {
      probe.value = null;
      probeError.value = result.error.message;
    }
  }

  async function signIn(serverUrl: string, email: string, password: string): Promise<boolean> {
    signingIn.value = true;
    signInError.value = null;
    try {
      const result = await getApi().invoke('session.signIn', { serverUrl, email, password });
      if (!result.ok) {
        signInError.value = result.error.message;
        return false;
      }
      // The 'session' event normally switches the screen; if it has not arrived yet, read the state, so
      // the switch does not depend on the order of the answer and the event.
      if (user.value?.id !== result.value.user.id) await syncState();
      return true;
    } finally {
      signingIn.value = false;
    }
  }

  async function signOut(): Promise<string | null> {
    signingOut.value = true;
    try {
      const result = await getApi().invoke('session.signOut', {});
      if (!result.ok) return result.error.message;
      if (signedIn.value) await syncState();
      return null;
    } finally {
      signingOut.value = false;
    }
  }

  return {
    session,
    defaultServerUrl,
    loadError,
    probe,
    probeError,
    signingIn,
    signInError,
    signingOut,
    user,
    signedIn,
    load,
    apply,
    probeServer,
    signIn,
    signOut,
  };
});
