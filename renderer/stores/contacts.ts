import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ContactDetail, ContactDraft, ContactSummary, IpcResult } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';
import { useOpenConversationStore } from './open-conversation.ts';

export type PanelTab = 'info' | 'history';

/**
 * Contacts: my favourites (area 4) and the contact side panel (19) with its
 * info, history (17) and edit form (20). Every change goes through the outbox
 * (main), so it shows at once, offline too, and a refusal shows in the panel.
 */
export const useContactsStore = defineStore('contacts', () => {
  const favourites = shallowRef<ContactSummary[]>([]);
  const favouritesError = ref<string | null>(null);
  /** The contact shown in the side panel, or null when it is closed. */
  const panelId = ref<string | null>(null);
  const tab = ref<PanelTab>('info');
  const detail = shallowRef<ContactDetail | null>(null);
  const panelError = ref<string | null>(null);
  const busy = ref(false);
  let favouritesToken = 0;
  let panelToken = 0;

  const failedActions = computed(() => (detail.value?.pendingActions ?? []).filter((a) => a.state === 'failed'));
  const pendingCount = computed(() => (detail.value?.pendingActions ?? []).filter((a) => a.state === 'pending').length);

  async function refreshFavourites(): Promise<void> {
    const mine = ++favouritesToken;
    const result = await getApi().invoke('contacts.favourites', {});
    if (mine !== favouritesToken) return;
    if (!result.ok) return void (favouritesError.value = result.error.message);
    favourites.value = result.value;
    favouritesError.value = null;
  }

  async function refreshPanel(): Promise<void> {
    const id = panelId.value;
    if (!id) return;
    const mine = ++panelToken;
    const result = await getApi().invoke('contact.get', { id });
    if (mine !== panelToken) return;
    if (!result.ok) return void (panelError.value = result.error.message);
    detail.value = result.value;
    panelError.value = result.value ? null : 'This contact is no longer available to you.';
  }

  /** Called on every `changed` event that may touch contacts (sidebar or list). */
  async function refresh(): Promise<void> {
    await Promise.all([refreshFavourites(), refreshPanel()]);
  }

  async function openPanel(contactId: string, which: PanelTab = 'info'): Promise<void> {
    if (panelId.value !== contactId) detail.value = null;
    panelId.value = contactId;
    tab.value = which;
    panelError.value = null;
    await refreshPanel();
  }

  function closePanel(): void {
    panelToken++;
    panelId.value = null;
    detail.value = null;
    panelError.value = null;
  }

  /** Runs one action; returns the refusal message (null when queued) for the form that asked. */
  async function act<T>(call: () => Promise<IpcResult<T>>): Promise<{ error: string | null; value: T | null }> {
    busy.value = true;
    try {
      const result = await call();
      if (!result.ok) return { error: result.error.message, value: null };
      await refresh();
      return { error: null, value: result.value };
    } finally {
      busy.value = false;
    }
  }

  async function create(fields: ContactDraft, linkConversationId: string | null): Promise<string | null> {
    const { error, value } = await act(() => getApi().invoke('actions.createContact', { fields, shared: true, linkConversationId }));
    if (error) return error;
    const open = useOpenConversationStore();
    if (linkConversationId && open.id === linkConversationId) await open.refresh();
    if (value) await openPanel(value.contactId, 'info');
    return null;
  }

  async function update(contactId: string, fields: ContactDraft): Promise<string | null> {
    const { error } = await act(() => getApi().invoke('actions.updateContact', { contactId, fields }));
    if (!error) await useOpenConversationStore().refresh();
    return error;
  }

  async function setFavourite(contactId: string, favourite: boolean): Promise<string | null> {
    return (await act(() => getApi().invoke('actions.setFavourite', { contactId, favourite }))).error;
  }

  async function setOptOut(contactId: string, optOut: boolean): Promise<string | null> {
    const { error } = await act(() => getApi().invoke('actions.setOptOut', { contactId, optOut }));
    if (!error) await useOpenConversationStore().refresh();
    return error;
  }

  async function link(conversationId: string, contactId: string): Promise<string | null> {
    const { error } = await act(() => getApi().invoke('actions.linkContact', { conversationId, contactId }));
    if (!error) await useOpenConversationStore().refresh();
    return error;
  }

  async function find(text: string): Promise<ContactSummary[]> {
    const result = await getApi().invoke('contacts.find', { text, limit: 10 });
    return result.ok ? result.value : [];
  }

  /**
   * SPEC (14) "start a meeting": the address comes from the organisation's template; window.open goes
   * to the person's browser (the Electron shell vets it and hands it to the system; the browser host
   * opens a tab).
   */
  async function startMeeting(contactId: string): Promise<string | null> {
    const result = await getApi().invoke('contact.meetingUrl', { contactId });
    if (!result.ok) return result.error.message;
    window.open(result.value.url, '_blank', 'noopener,noreferrer');
    return null;
  }

  async function retry(mutationId: number): Promise<string | null> {
    return (await act(() => getApi().invoke('outbox.retry', { mutationId }))).error;
  }
  async function discard(mutationId: number): Promise<string | null> {
    return (await act(() => getApi().invoke('outbox.discard', { mutationId }))).error;
  }

  function reset(): void {
    favouritesToken++;
    favourites.value = [];
    favouritesError.value = null;
    closePanel();
    busy.value = false;
  }

  return {
    favourites,
    favouritesError,
    panelId,
    tab,
    detail,
    panelError,
    busy,
    failedActions,
    pendingCount,
    refresh,
    refreshFavourites,
    openPanel,
    closePanel,
    create,
    update,
    setFavourite,
    setOptOut,
    link,
    find,
    startMeeting,
    retry,
    discard,
    reset,
  };
});
