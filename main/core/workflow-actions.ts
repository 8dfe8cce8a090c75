import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { User } from '../../protocol/domain.ts';
import type { CannedResponseView, FailedAction, ManagedInbox, ManagedInboxMember, ManageView } from '../../protocol/ipc.ts';
import { TagName, type Mutation } from '../../protocol/mutations.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import type { OutboxRow } from './cache/optimistic.ts';
import { outboxState } from './outbox.ts';
import { channelLabel } from '../../protocol/phone-format.ts';

/**
 * IPC handlers of the conversation workflow (SPEC (1), (8), (12), tags, (18))
 * and the manager screens. Every change goes through the outbox, so it works
 * offline and shows pending / failed like a reply.
 */

export interface WorkflowActionDeps {
  /** The signed-in session; throws IpcFailure('unauthenticated') when there is none. */
  session(): { cache: CacheDb; user: User };
  /** Queues a mutation with its optimistic effect and sends it when online. */
  enqueue(mutation: Mutation): void;
}

type WorkflowMethods =
  | 'actions.createConversation'
  | 'actions.retryMessage'
  | 'actions.setArchived'
  | 'actions.markUnread'
  | 'actions.addTag'
  | 'actions.removeTag'
  | 'conversations.tags'
  | 'cannedResponses.list'
  | 'manage.view'
  | 'actions.saveCannedResponse'
  | 'actions.deleteCannedResponse'
  | 'actions.createInbox'
  | 'actions.updateInbox'
  | 'actions.setInboxMember'
  | 'actions.setChannelRegistration';

const DONE = {} as Record<string, never>;
export const MANAGER_ROLES: readonly User['role'][] = ['manager', 'supervisor', 'admin'];
const MANAGER_MUTATIONS = "('cannedResponse.save', 'cannedResponse.delete', 'inbox.create', 'inbox.update', 'inbox.setMember', 'channel.setRegistration')";

interface ChannelRow {
  id: string;
  inbox_id: string;
  kind: 'sms' | 'whatsapp' | 'webchat';
  name: string;
  address: string;
}
interface CannedRow {
  id: string;
  inbox_id: string;
  title: string;
  key_phrase: string;
  body: string;
}

/** A typed number → E.164, reading national numbers in the channel's own country. */
export function parseCustomerNumber(typed: string, channelAddress: string): string {
  const text = typed.trim();
  if (!text) throw new IpcFailure('invalid', 'Type the customer’s phone number, or pick a contact.');
  const callingCode = parsePhoneNumberFromString(channelAddress)?.countryCallingCode;
  const parsed = parsePhoneNumberFromString(text, callingCode ? { defaultCallingCode: callingCode } : undefined);
  if (!parsed || !parsed.isValid()) {
    throw new IpcFailure('invalid', `“${text}” is not a valid phone number. Type it with its country code, for example +1 415 555 0123.`);
  }
  return parsed.number;
}

function tagOf(typed: string): string {
  const parsed = TagName.safeParse(typed);
  if (!parsed.success) throw new IpcFailure('invalid', `That tag cannot be used: ${parsed.error.issues[0]?.message ?? 'invalid tag'}.`);
  return parsed.data.toLowerCase();
}

function requireManager(user: User): void {
  if (!MANAGER_ROLES.includes(user.role)) {
    throw new IpcFailure('forbidden', 'Only managers, supervisors and admins can change inboxes and pre-written messages.');
  }
}

/** Ids of pre-written messages with a save/delete still in the outbox. */
function pendingCannedIds(cache: CacheDb): Set<string> {
  const ids = cache.db
    .prepare(`SELECT coalesce(json_extract(mutation, '$.args.cannedResponse.id'), json_extract(mutation, '$.args.cannedResponseId'))
              FROM outbox WHERE name LIKE 'cannedResponse.%'`)
    .pluck()
    .all() as string[];
  return new Set(ids);
}

function cannedView(r: CannedRow, pending: Set<string>): CannedResponseView {
  return { id: r.id, inboxId: r.inbox_id, title: r.title, keyPhrase: r.key_phrase, body: r.body, pending: pending.has(r.id) };
}

export function cannedResponses(cache: CacheDb, inboxId: string, text: string): CannedResponseView[] {
  const needle = text.trim().replace(/^\//, '').toLowerCase();
  const rows = cache.db
    .prepare('SELECT id, inbox_id, title, key_phrase, body FROM canned_responses WHERE inbox_id = ? ORDER BY title COLLATE NOCASE')
    .all(inboxId) as CannedRow[];
  const pending = pendingCannedIds(cache);
  const hits = needle
    ? rows.filter((r) => r.key_phrase.startsWith(needle) || r.title.toLowerCase().includes(needle) || r.body.toLowerCase().includes(needle))
    : rows;
  // An exact key phrase first: typing `/hours` fills in that one.
  return hits.sort((a, b) => Number(b.key_phrase === needle) - Number(a.key_phrase === needle)).map((r) => cannedView(r, pending));
}

export function manageView(cache: CacheDb, user: User): ManageView {
  const db = cache.db;
  const pending = pendingCannedIds(cache);
  const people = db
    .prepare("SELECT id, name, role FROM users WHERE status = 'active' ORDER BY name COLLATE NOCASE")
    .all() as ManagedInboxMember[];
  const inboxes = (
    db.prepare("SELECT id, name, assignment_mode FROM inboxes WHERE kind <> 'private' ORDER BY name COLLATE NOCASE").all() as {
      id: string;
      name: string;
      assignment_mode: number;
    }[]
  ).map(
    (i): ManagedInbox => ({
      id: i.id,
      name: i.name,
      assignmentMode: i.assignment_mode === 1,
      channels: db.prepare('SELECT id, kind, name, address, registration FROM channels WHERE inbox_id = ? ORDER BY kind, name').all(i.id) as ManagedInbox['channels'],
      members: db
        .prepare(`SELECT u.id, u.name, u.role FROM inbox_members m JOIN users u ON u.id = m.user_id
                  WHERE m.inbox_id = ? ORDER BY u.name COLLATE NOCASE`)
        .all(i.id) as ManagedInboxMember[],
      cannedResponses: (
        db.prepare('SELECT id, inbox_id, title, key_phrase, body FROM canned_responses WHERE inbox_id = ? ORDER BY title COLLATE NOCASE').all(i.id) as CannedRow[]
      ).map((r) => cannedView(r, pending)),
    }),
  );
  const rows = db.prepare(`SELECT * FROM outbox WHERE name IN ${MANAGER_MUTATIONS} ORDER BY mutation_id`).all() as OutboxRow[];
  const failed: FailedAction[] = rows.filter((r) => r.state === 'failed').map((r) => ({ ...outboxState(r), name: r.name }));
  return { canManage: MANAGER_ROLES.includes(user.role), canSetRegistration: user.role === 'admin', inboxes, people, pending: rows.length - failed.length, failed };
}

export function workflowIpcHandlers(deps: WorkflowActionDeps): Pick<IpcHandlers, WorkflowMethods> {
  const conversationExists = (cache: CacheDb, id: string): void => {
    if (!cache.db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(id)) {
      throw new IpcFailure('not_found', 'That conversation is not available (it may have moved to an inbox you are not in).');
    }
  };

  return {
    'actions.createConversation': ({ channelId, contactId, number, body }) => {
      const { cache } = deps.session();
      const db = cache.db;
      const channel = db.prepare('SELECT id, inbox_id, kind, name, address FROM channels WHERE id = ?').get(channelId) as ChannelRow | undefined;
      if (!channel) throw new IpcFailure('not_found', 'That channel is not available to you.');
      if (channel.kind === 'whatsapp') {
        const sms = db.prepare("SELECT name, kind, address FROM channels WHERE inbox_id = ? AND kind = 'sms' ORDER BY id").get(channel.inbox_id) as
          | { name: string; kind: 'sms'; address: string }
          | undefined;
        throw new IpcFailure(
          'invalid',
          `WhatsApp does not let a business start a conversation: the customer has to write first.${sms ? ` Send it by SMS from ${channelLabel(sms)} instead.` : ''}`,
        );
      }
      if (channel.kind === 'webchat') throw new IpcFailure('invalid', 'Web chat conversations are started by the visitor on the website.');
      let typed = number;
      if (contactId !== null) {
        const contact = db.prepare('SELECT owner_id, phones FROM contacts WHERE id = ?').get(contactId) as { owner_id: string | null; phones: string } | undefined;
        // SPEC (3): from my private number, my own private contacts are fine too.
        const fromPrivate = db.prepare('SELECT kind FROM inboxes WHERE id = ?').pluck().get(channel.inbox_id) === 'private';
        const mine = fromPrivate && contact?.owner_id === cache.userId;
        if (!contact || (contact.owner_id !== null && !mine)) throw new IpcFailure('not_found', 'Pick a shared contact: private contacts cannot be written to from a shared inbox.');
        if (!typed) typed = (JSON.parse(contact.phones) as string[])[0] ?? '';
        if (!typed) throw new IpcFailure('invalid', 'This contact has no phone number. Add one to the contact, or type a number.');
      }
      const customerAddress = parseCustomerNumber(typed, channel.address);
      // An open conversation with this number on this channel goes on; the server does the same.
      const open = db
        .prepare("SELECT id FROM conversations WHERE channel_id = ? AND customer_address = ? AND status = 'open' ORDER BY created_at DESC LIMIT 1")
        .pluck()
        .get(channel.id, customerAddress) as string | undefined;
      if (open) {
        deps.enqueue({ name: 'message.send', args: { conversationId: open, messageId: randomUUID(), body, attachments: [] } });
        return { conversationId: open, reused: true };
      }
      const conversationId = randomUUID();
      deps.enqueue({
        name: 'conversation.create',
        args: { conversationId, messageId: randomUUID(), channelId: channel.id, contactId, customerAddress, body },
      });
      return { conversationId, reused: false };
    },

    'actions.retryMessage': ({ conversationId, messageId }) => {
      const { cache } = deps.session();
      conversationExists(cache, conversationId);
      const status = cache.db.prepare("SELECT status FROM messages WHERE id = ? AND conversation_id = ? AND direction = 'out'").pluck().get(messageId, conversationId);
      if (status === undefined) throw new IpcFailure('not_found', 'There is no reply with this id in this conversation.');
      if (status !== 'failed') throw new IpcFailure('invalid', 'Only a reply that failed can be sent again.');
      deps.enqueue({ name: 'message.retry', args: { conversationId, messageId } });
      return DONE;
    },

    'actions.setArchived': ({ conversationId, archived }) => {
      conversationExists(deps.session().cache, conversationId);
      deps.enqueue({ name: 'conversation.setArchived', args: { conversationId, archived } });
      return DONE;
    },

    'actions.markUnread': ({ conversationId }) => {
      conversationExists(deps.session().cache, conversationId);
      deps.enqueue({ name: 'conversation.markUnread', args: { conversationId } });
      return DONE;
    },

    'actions.addTag': ({ conversationId, tag }) => {
      conversationExists(deps.session().cache, conversationId);
      deps.enqueue({ name: 'conversation.addTag', args: { conversationId, tag: tagOf(tag) } });
      return DONE;
    },

    'actions.removeTag': ({ conversationId, tag }) => {
      conversationExists(deps.session().cache, conversationId);
      deps.enqueue({ name: 'conversation.removeTag', args: { conversationId, tag: tagOf(tag) } });
      return DONE;
    },

    'conversations.tags': ({ inboxId }) => {
      const { cache } = deps.session();
      const sql = `SELECT DISTINCT t.tag FROM conversation_tags t JOIN conversations c ON c.id = t.conversation_id
                   ${inboxId ? 'WHERE c.inbox_id = ?' : ''} ORDER BY t.tag`;
      return cache.db.prepare(sql).pluck().all(...(inboxId ? [inboxId] : [])) as string[];
    },

    'cannedResponses.list': ({ inboxId, text }) => cannedResponses(deps.session().cache, inboxId, text),

    'manage.view': () => {
      const { cache, user } = deps.session();
      return manageView(cache, user);
    },

    'actions.saveCannedResponse': ({ id, inboxId, draft }) => {
      const { cache, user } = deps.session();
      requireManager(user);
      if (!cache.db.prepare('SELECT 1 FROM inboxes WHERE id = ?').get(inboxId)) throw new IpcFailure('not_found', 'That inbox is not available to you.');
      const clash = cache.db
        .prepare('SELECT title FROM canned_responses WHERE inbox_id = ? AND key_phrase = ? AND id <> ?')
        .pluck()
        .get(inboxId, draft.keyPhrase, id ?? '') as string | undefined;
      if (clash) throw new IpcFailure('invalid', `The key phrase /${draft.keyPhrase} is already used by “${clash}” in this inbox.`);
      const cannedId = id ?? `canned_${randomUUID()}`;
      deps.enqueue({ name: 'cannedResponse.save', args: { cannedResponse: { id: cannedId, inboxId, ...draft } } });
      return { id: cannedId };
    },

    'actions.deleteCannedResponse': ({ id }) => {
      const { user } = deps.session();
      requireManager(user);
      deps.enqueue({ name: 'cannedResponse.delete', args: { cannedResponseId: id } });
      return DONE;
    },

    'actions.createInbox': ({ name, assignmentMode }) => {
      requireManager(deps.session().user);
      const inboxId = `inbox_${randomUUID()}`;
      deps.enqueue({ name: 'inbox.create', args: { inboxId, name, assignmentMode } });
      return { inboxId };
    },

    'actions.updateInbox': ({ inboxId, name, assignmentMode }) => {
      const { cache, user } = deps.session();
      requireManager(user);
      if (!cache.db.prepare('SELECT 1 FROM inboxes WHERE id = ?').get(inboxId)) throw new IpcFailure('not_found', 'That inbox is not available to you.');
      deps.enqueue({ name: 'inbox.update', args: { inboxId, name, assignmentMode } });
      return DONE;
    },

    'actions.setInboxMember': ({ inboxId, userId, member }) => {
      requireManager(deps.session().user);
      deps.enqueue({ name: 'inbox.setMember', args: { inboxId, userId, member } });
      return DONE;
    },

    'actions.setChannelRegistration': ({ channelId, registration }) => {
      const { cache, user } = deps.session();
      if (user.role !== 'admin') throw new IpcFailure('forbidden', 'Only admins can change a channel’s carrier registration.');
      const kind = cache.db.prepare('SELECT kind FROM channels WHERE id = ?').pluck().get(channelId) as string | undefined;
      if (!kind) throw new IpcFailure('not_found', 'That channel is not available to you.');
      if (kind !== 'sms' && kind !== 'whatsapp') throw new IpcFailure('invalid', 'Only SMS and WhatsApp channels have a carrier registration.');
      deps.enqueue({ name: 'channel.setRegistration', args: { channelId, registration } });
      return DONE;
    },
  };
}
