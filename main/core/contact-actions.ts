import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCallingCode } from 'libphonenumber-js';
import type { User } from '../../protocol/domain.ts';
import type { IpcParsedInput } from '../../protocol/ipc.ts';
import { ContactFields, type Mutation } from '../../protocol/mutations.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { favouriteContacts } from './queries/contacts.ts';
import { SearchQueries } from './queries/search.ts';
import { probeServer } from './server-api.ts';

/** Used when the server names no meeting template (SPEC (14) "start a meeting"). */
export const DEFAULT_MEETING_URL_TEMPLATE = 'https://meet.jit.si/switchboard-{contactId}';
const MEETING_TEMPLATE_META = 'meetingUrlTemplate';

export interface ContactActionDeps {
  /** The signed-in session; throws IpcFailure('unauthenticated') when there is none. */
  session(): { cache: CacheDb; user: User; serverUrl: string };
  /** Queues a mutation with its optimistic effect and sends it when online. */
  enqueue(mutation: Mutation): void;
}

type ContactMethods =
  | 'contacts.favourites'
  | 'contacts.find'
  | 'contact.meetingUrl'
  | 'actions.createContact'
  | 'actions.updateContact'
  | 'actions.setFavourite'
  | 'actions.setOptOut'
  | 'actions.linkContact';

const DONE = {} as Record<string, never>;

/** The country calling code typed numbers without "+" belong to: that of the organisation's first phone channel. */
function defaultCallingCode(cache: CacheDb): CountryCallingCode | undefined {
  const addresses = cache.db.prepare("SELECT address FROM channels WHERE kind IN ('sms', 'whatsapp') ORDER BY id").pluck().all() as string[];
  for (const address of addresses) {
    const code = parsePhoneNumberFromString(address)?.countryCallingCode;
    if (code) return code;
  }
  return undefined;
}

/**
 * SPEC (20): typed fields → the protocol's ContactFields, phones parsed and
 * validated to E.164. Refusals name the offending entry so the form can say
 * exactly what to fix.
 */
type TypedDraft = IpcParsedInput<'actions.updateContact'>['fields'];

export function parseContactDraft(draft: TypedDraft, callingCode?: CountryCallingCode): ContactFields {
  const phones: string[] = [];
  for (const typed of draft.phones) {
    if (typed.trim() === '') continue;
    const parsed = parsePhoneNumberFromString(typed, callingCode ? { defaultCallingCode: callingCode } : undefined);
    if (!parsed || !parsed.isValid()) {
      throw new IpcFailure(
        'invalid',
        `“${typed}” is not a valid phone number. Type it with its country code, for example +1 415 555 0123.`,
      );
    }
    if (!phones.includes(parsed.number)) phones.push(parsed.number);
  }
  const fields = ContactFields.safeParse({
    name: draft.name,
    phones,
    email: draft.email.trim() || null,
    company: draft.company.trim() || null,
    notes: draft.notes.trim() || null,
  });
  if (!fields.success) {
    const issue = fields.error.issues[0];
    throw new IpcFailure('invalid', issue?.message ?? 'Check the contact details.');
  }
  return fields.data;
}

function requireVisibleContact(cache: CacheDb, contactId: string): { owner_id: string | null } {
  const row = cache.db.prepare('SELECT owner_id FROM contacts WHERE id = ?').get(contactId) as { owner_id: string | null } | undefined;
  if (!row) throw new IpcFailure('not_found', 'That contact is not available.');
  return row;
}

function requireEditable(cache: CacheDb, contactId: string): void {
  const row = requireVisibleContact(cache, contactId);
  if (row.owner_id !== null && row.owner_id !== cache.userId) throw new IpcFailure('forbidden', 'Only its owner can edit a private contact.');
}

/** Fills {contactId} / {contactName} into the template; only http(s) addresses leave the app. */
export function meetingUrl(template: string, contact: { id: string; name: string }): string {
  const url = template
    .replaceAll('{contactId}', encodeURIComponent(contact.id))
    .replaceAll('{contactName}', encodeURIComponent(contact.name));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IpcFailure('unavailable', 'The organisation’s meeting address template is not a valid address.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new IpcFailure('unavailable', 'The organisation’s meeting address must start with https://.');
  }
  return parsed.toString();
}

/** IPC handlers of contacts (SPEC (4), (14), (17), (19), (20)) and search; client-core spreads them in. */
export function contactIpcHandlers(deps: ContactActionDeps): Pick<IpcHandlers, ContactMethods> {
  const draftToFields = (cache: CacheDb, draft: TypedDraft): ContactFields => parseContactDraft(draft, defaultCallingCode(cache));
  // Prepared statements per open cache (a new sign-in opens a new cache).
  const searches = new WeakMap<CacheDb, SearchQueries>();
  const search = (cache: CacheDb): SearchQueries => {
    let queries = searches.get(cache);
    if (!queries) searches.set(cache, (queries = new SearchQueries(cache)));
    return queries;
  };

  return {
    'contacts.favourites': () => favouriteContacts(deps.session().cache),
    'contacts.find': ({ text, limit }) => search(deps.session().cache).findContacts(text, limit),

    'contact.meetingUrl': async ({ contactId }) => {
      const s = deps.session();
      const row = s.cache.db.prepare('SELECT id, name FROM contacts WHERE id = ?').get(contactId) as { id: string; name: string } | undefined;
      if (!row) throw new IpcFailure('not_found', 'That contact is not available.');
      // The template the server gave last time answers at once (offline too) and is refreshed behind it;
      // the first time, ask the server, falling back to the default when it cannot be reached.
      const refresh = probeServer(s.serverUrl).then(
        (info) => {
          const fresh = info.meetingUrlTemplate ?? null;
          // The person may have signed out (cache closed) while the server answered.
          if (fresh && s.cache.db.open && s.cache.getMeta(MEETING_TEMPLATE_META) !== fresh) s.cache.setMeta(MEETING_TEMPLATE_META, fresh);
          return fresh;
        },
        () => null,
      );
      const cached = s.cache.getMeta(MEETING_TEMPLATE_META);
      const template = cached ?? (await refresh) ?? DEFAULT_MEETING_URL_TEMPLATE;
      return { url: meetingUrl(template, row) };
    },

    'actions.createContact': ({ fields, shared, linkConversationId }) => {
      const s = deps.session();
      if (linkConversationId !== null) {
        const conv = s.cache.db.prepare('SELECT id FROM conversations WHERE id = ?').get(linkConversationId);
        if (!conv) throw new IpcFailure('not_found', 'That conversation is not available.');
        if (!shared) throw new IpcFailure('invalid', 'Only a shared contact can be linked to a conversation of a shared inbox.');
      }
      const contactId = `contact_${randomUUID()}`;
      deps.enqueue({ name: 'contact.create', args: { contactId, shared, fields: draftToFields(s.cache, fields) } });
      if (linkConversationId !== null) deps.enqueue({ name: 'conversation.linkContact', args: { conversationId: linkConversationId, contactId } });
      return { contactId };
    },

    'actions.updateContact': ({ contactId, fields }) => {
      const s = deps.session();
      requireEditable(s.cache, contactId);
      deps.enqueue({ name: 'contact.update', args: { contactId, fields: draftToFields(s.cache, fields) } });
      return DONE;
    },

    'actions.setFavourite': ({ contactId, favourite }) => {
      requireVisibleContact(deps.session().cache, contactId);
      deps.enqueue({ name: 'contact.setFavourite', args: { contactId, favourite } });
      return DONE;
    },

    'actions.setOptOut': ({ contactId, optOut }) => {
      requireEditable(deps.session().cache, contactId);
      deps.enqueue({ name: 'contact.setOptOut', args: { contactId, optOut } });
      return DONE;
    },

    'actions.linkContact': ({ conversationId, contactId }) => {
      const s = deps.session();
      const conv = s.cache.db.prepare('SELECT id FROM conversations WHERE id = ?').get(conversationId);
      if (!conv) throw new IpcFailure('not_found', 'That conversation is not available.');
      const contact = requireVisibleContact(s.cache, contactId);
      if (contact.owner_id !== null) throw new IpcFailure('invalid', 'A private contact cannot be linked to a conversation of a shared inbox.');
      deps.enqueue({ name: 'conversation.linkContact', args: { conversationId, contactId } });
      return DONE;
    },
  };
}
