import type { EntityOf } from '../../../protocol/domain.ts';
import type { Storage, StorageTx } from '../../../server/storage/storage.ts';

/** Small records for the storage contract suite: one org, two people, one inbox with an SMS channel. */
export const user = (id: string, email = `${id}@x.test`): EntityOf<'user'> => ({
  id,
  orgId: 'org_1',
  name: id,
  email,
  role: 'agent',
  status: 'active',
  avatarColor: '#123456',
});

export const inbox = (id: string, name = id): EntityOf<'inbox'> => ({ id, orgId: 'org_1', name, kind: 'shared', assignmentMode: true });

export const channel = (id: string, over: Partial<EntityOf<'channel'>> = {}): EntityOf<'channel'> => ({
  id,
  inboxId: 'inbox_1',
  kind: 'sms',
  name: id,
  address: '+14155550100',
  registration: 'approved',
  ...over,
});

export const contact = (id: string, phones: string[], ownerId: string | null = null): EntityOf<'contact'> => ({
  id,
  orgId: 'org_1',
  ownerId,
  name: id,
  phones,
  email: null,
  company: null,
  notes: null,
  smsOptOut: false,
});

export const conversation = (id: string, over: Partial<EntityOf<'conversation'>> = {}): EntityOf<'conversation'> => ({
  id,
  inboxId: 'inbox_1',
  channelId: 'ch_sms',
  contactId: null,
  customerAddress: '+14155550199',
  status: 'open',
  assigneeId: null,
  tags: [],
  createdAt: 1000,
  closedAt: null,
  lastMessageAt: null,
  lastMessagePreview: '',
  participantIds: [],
  ...over,
});

export const message = (id: string, over: Partial<EntityOf<'message'>> = {}): EntityOf<'message'> => ({
  id,
  conversationId: 'conv_1',
  direction: 'out',
  authorType: 'user',
  authorId: 'user_a',
  body: `body of ${id}`,
  attachments: [],
  status: 'queued',
  statusReason: null,
  providerId: null,
  createdAt: 2000,
  ...over,
});

export const chat = (id: string, memberIds: string[]): EntityOf<'chat'> => ({ id, kind: 'team', name: id, memberIds, lastMessageAt: null });

/** org_1, user_a + user_b (members of inbox_1), inbox_1 with channel ch_sms, conversation conv_1. */
export async function seed(tx: StorageTx): Promise<void> {
  await tx.putOrg({ id: 'org_1', name: 'Org' });
  await tx.put('user', user('user_a', 'A@X.test'));
  await tx.put('user', user('user_b'));
  await tx.put('inbox', inbox('inbox_1', 'Sales'));
  await tx.put('inboxMember', { id: 'inbox_1:user_a', inboxId: 'inbox_1', userId: 'user_a' });
  await tx.put('inboxMember', { id: 'inbox_1:user_b', inboxId: 'inbox_1', userId: 'user_b' });
  await tx.put('channel', channel('ch_sms'));
  await tx.put('conversation', conversation('conv_1'));
}

/** The contract's short-hand: one write transaction. */
export const write = <T>(storage: Storage, fn: (tx: StorageTx) => Promise<T>): Promise<T> => storage.transaction(fn);
/** One read transaction. */
export const read = <T>(storage: Storage, fn: (tx: StorageTx) => Promise<T>): Promise<T> => storage.transaction(fn, { kind: 'read' });

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
