import type { ContactSummary, IpcInput, IpcOutput, SearchResults } from '../../protocol/ipc.ts';

type ContactMethods =
  | 'contacts.favourites'
  | 'contact.get'
  | 'contacts.find'
  | 'search.query'
  | 'contact.meetingUrl'
  | 'actions.createContact'
  | 'actions.updateContact'
  | 'actions.setFavourite'
  | 'actions.setOptOut'
  | 'actions.linkContact';

/** The contacts/search part of the fake API: a small in-memory directory, enough for store tests. */
export function fakeContactHandlers(): { [M in ContactMethods]: (input: IpcInput<M>) => IpcOutput<M> } {
  const contacts: ContactSummary[] = [];
  let next = 1;
  const get = (id: string) => contacts.find((c) => c.id === id);
  return {
    'contacts.favourites': () => contacts.filter((c) => c.favourite),
    'contact.get': ({ id }) => {
      const c = get(id);
      if (!c) return null;
      return {
        contact: { id: c.id, orgId: 'org_demo', ownerId: c.ownerId, name: c.name, phones: c.phones, email: null, company: c.company, notes: null, smsOptOut: c.smsOptOut },
        favourite: c.favourite,
        editable: true,
        history: [],
        pendingActions: [],
      };
    },
    'contacts.find': ({ text }) => contacts.filter((c) => c.name.toLowerCase().includes(text.toLowerCase())),
    'search.query': ({ text }): SearchResults => ({
      text,
      conversations: [],
      messages: [],
      contacts: contacts.filter((c) => c.name.toLowerCase().includes(text.toLowerCase())).map((c) => ({ ...c, snippet: c.name })),
    }),
    'contact.meetingUrl': ({ contactId }) => ({ url: `https://meet.example.com/${contactId}` }),
    'actions.createContact': ({ fields }) => {
      const id = `contact_fake_${next++}`;
      contacts.push({ id, name: fields.name, company: fields.company || null, phones: [], ownerId: null, smsOptOut: false, favourite: false });
      return { contactId: id };
    },
    'actions.updateContact': ({ contactId, fields }) => {
      const c = get(contactId);
      if (c) c.name = fields.name;
      return {};
    },
    'actions.setFavourite': ({ contactId, favourite }) => {
      const c = get(contactId);
      if (c) c.favourite = favourite;
      return {};
    },
    'actions.setOptOut': ({ contactId, optOut }) => {
      const c = get(contactId);
      if (c) c.smsOptOut = optOut;
      return {};
    },
    'actions.linkContact': () => ({}),
  };
}
