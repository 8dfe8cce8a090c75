import { ref, watch } from 'vue';
import type { ContactSummary } from '../protocol/ipc.ts';
import { getApi } from './api/index.ts';

/**
 * The "To" field of the new-conversation dialogs: a contact search whose
 * answers `choose` narrows (and orders), the picked contact, and the number.
 */
export function useContactPicker(choose: (found: ContactSummary[]) => ContactSummary[]) {
  const contactText = ref('');
  const contacts = ref<ContactSummary[]>([]);
  const contact = ref<ContactSummary | null>(null);
  const number = ref('');

  let searchToken = 0;
  watch(contactText, async (text) => {
    const mine = ++searchToken;
    if (!text.trim()) return void (contacts.value = []);
    const result = await getApi().invoke('contacts.find', { text, limit: 8 });
    if (mine !== searchToken) return;
    contacts.value = result.ok ? choose(result.value) : [];
  });

  function pick(c: ContactSummary): void {
    contact.value = c;
    number.value = c.phones[0] ?? '';
    contactText.value = '';
    contacts.value = [];
  }

  return { contactText, contacts, contact, number, pick };
}
