import type { EntityOf } from '../../protocol/domain.ts';
import { recordId, scope } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { DEMO_ORG, random } from './demo-seed.ts';
import { preview } from './outbound-message.ts';

/**
 * SWITCHBOARD_DEMO_SIZE: grows the demo workspace to a contact-center-sized one (issue 11: 100,000 conversations,
 * about a million messages), so anyone can feel the product at that scale. Written in batches, each its own
 * transaction with its progress mark, so an interrupted first start resumes where it stopped.
 */
export const DEMO_SCALE_PROGRESS = 'demo-scale-conversations';
/** The ordinary demo workspace's own conversations (demo-seed.ts). */
export const DEMO_BASE_CONVERSATIONS = 200;
const BATCH = 1_000;
const DAY = 86_400_000;
const MINUTE = 60_000;

const OPENERS = [
  'Hi, is my order on its way?', 'Do you have this jacket in a size L?', 'Can I change my delivery address?', 'What time do you close today?',
  'I need to return a pair of boots.', 'Is the winter sale still on?', 'My promo code is not working.', 'Do you ship to Canada?',
  'The zipper on my bag broke.', 'Can I book a fitting for trail runners?', 'Do you have group discounts?', 'Where is my refund?',
];
const REPLIES = [
  'Let me check that for you.', 'Thanks for your patience!', 'I have updated your order.', 'You will get an email with the details shortly.',
  'Is there anything else I can help with?', 'That is covered by our warranty.', 'I have applied the discount to your cart.',
  'It ships tomorrow.', 'We are open 9am to 7pm today.', 'I have booked that for you.',
];
const FOLLOW_UPS = ['Great, thank you!', 'Perfect.', 'Ok, I will wait for the email.', 'Thanks, that helps.', 'One more question…', 'Sounds good.'];

/** The size asked for by SWITCHBOARD_DEMO_SIZE (conversations in all), or null when unset; a bad value is refused by name. */
export function parseDemoSize(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const size = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(size) || size < DEMO_BASE_CONVERSATIONS || size > 2_000_000) {
    throw new RangeError(`SWITCHBOARD_DEMO_SIZE=${raw}: give a whole number of conversations from ${DEMO_BASE_CONVERSATIONS} to 2000000`);
  }
  return size;
}

type Write = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

/**
 * Adds generated conversations (ids `conv_big_<n>`) until the workspace holds `size`, with 4–16 messages each
 * (about 10 on average) and a pool of shared contacts. Returns how many were added by this call.
 */
export async function growDemoWorkspace(write: Write, size: number, now: number, onBatch?: (done: number, of: number) => void): Promise<number> {
  const target = size - DEMO_BASE_CONVERSATIONS;
  let done = await write(async (tx) => Number((await tx.getMeta(DEMO_SCALE_PROGRESS)) ?? 0));
  const start = done;
  while (done < target) {
    const end = Math.min(target, done + BATCH);
    const from = done;
    await write(async (tx) => {
      for (let n = from; n < end; n++) await writeConversation(tx, n, now);
      await tx.setMeta(DEMO_SCALE_PROGRESS, String(end));
    });
    done = end;
    onBatch?.(done, target);
  }
  return done - start;
}

const INBOXES = [
  { id: 'inbox_sales', prefix: 'sales', members: ['user_maya', 'user_sam'] },
  { id: 'inbox_support', prefix: 'support', members: ['user_maya', 'user_alex'] },
] as const;
const CHANNEL_KINDS = ['sms', 'whatsapp', 'webchat'] as const;
const CONTACT_POOL = 20_000;

async function writeConversation(tx: StorageTx, n: number, now: number): Promise<void> {
  const rand = random(7_000_003 + n);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const box = INBOXES[n % 2] as (typeof INBOXES)[number];
  const kind = CHANNEL_KINDS[n % 3] as (typeof CHANNEL_KINDS)[number];
  const channelId = `ch_${box.prefix}_${kind === 'whatsapp' ? 'wa' : kind === 'webchat' ? 'web' : 'sms'}`;
  const contact = kind === 'webchat' ? null : await ensureContact(tx, n % CONTACT_POOL);
  const id = `conv_big_${n + 1}`;
  // Two years of history, most of it old and closed; the newest stay open.
  const ageDays = 730 * rand() ** 2 + 0.01;
  const createdAt = Math.round(now - ageDays * DAY);
  const closed = ageDays > 2 && rand() < 0.9;
  const assigneeId = rand() < 0.7 ? pick(box.members) : null;
  const count = 4 + Math.floor(rand() * 13);
  const participants = new Set<string>();
  const messages: EntityOf<'message'>[] = [];
  let at = createdAt;
  for (let i = 0; i < count; i++) {
    const inbound = i % 2 === 0;
    const author = inbound ? null : (assigneeId ?? pick(box.members));
    if (author) participants.add(author);
    messages.push({
      id: `msg_big_${n + 1}_${i + 1}`,
      conversationId: id,
      direction: inbound ? 'in' : 'out',
      authorType: inbound ? 'contact' : 'user',
      authorId: inbound ? (contact?.id ?? null) : author,
      body: inbound ? (i === 0 ? pick(OPENERS) : pick(FOLLOW_UPS)) : pick(REPLIES),
      attachments: [],
      status: 'delivered',
      statusReason: null,
      providerId: inbound ? `demo-big-${n + 1}-${i + 1}` : null,
      createdAt: at,
    });
    at += Math.round((1 + rand() * 30) * MINUTE);
  }
  const last = messages[messages.length - 1] as EntityOf<'message'>;
  const target = scope.inbox(box.id);
  // The conversation row first: messages take their inbox from it.
  await putRecord(tx, target, 'conversation', conversationOf(id, box.id, channelId, contact, kind, n, createdAt, assigneeId, last, participants, closed));
  for (const message of messages) await putRecord(tx, target, 'message', message);
  if (closed) {
    for (const userId of box.members) {
      const state: EntityOf<'conversationUserState'> = { id: recordId.conversationUserState(id, userId), conversationId: id, userId, readAt: last.createdAt, archived: false };
      await putRecord(tx, scopeOf.conversationUserState(state), 'conversationUserState', state);
    }
  }
}

function conversationOf(
  id: string, inboxId: string, channelId: string, contact: EntityOf<'contact'> | null, kind: string, n: number, createdAt: number,
  assigneeId: string | null, last: EntityOf<'message'>, participants: Set<string>, closed: boolean,
): EntityOf<'conversation'> {
  return {
    id,
    inboxId,
    channelId,
    contactId: contact?.id ?? null,
    customerAddress: kind === 'webchat' ? `visitor-big-${n + 1}` : (contact?.phones[0] as string),
    status: closed ? 'closed' : 'open',
    assigneeId,
    tags: n % 7 === 0 ? [['vip', 'follow-up', 'order', 'warranty'][n % 4] as string] : [],
    createdAt,
    closedAt: closed ? last.createdAt + 10 * MINUTE : null,
    lastMessageAt: last.createdAt,
    lastMessagePreview: preview(last.body),
    participantIds: [...participants],
  };
}

const FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan', 'Sophia', 'Lucas', 'Isabella', 'Mason', 'Mia', 'Logan', 'Amelia', 'James'];
const LAST = ['Johnson', 'Garcia', 'Nguyen', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Tanaka', 'Haddad', 'Murphy', 'Silva', 'Dubois'];

/** Contacts of the large demo: written once each, the first time a conversation uses them. */
async function ensureContact(tx: StorageTx, k: number): Promise<EntityOf<'contact'>> {
  const id = `contact_big_${k + 1}`;
  const existing = await tx.get('contact', id);
  if (existing) return existing;
  const first = FIRST[k % FIRST.length] as string;
  const last = LAST[Math.floor(k / FIRST.length) % LAST.length] as string;
  const contact: EntityOf<'contact'> = {
    id,
    orgId: DEMO_ORG.id,
    ownerId: null,
    name: `${first} ${last}`,
    // 555 exchanges of two Oregon area codes the ordinary demo does not use (its numbers are 206, 415 and 628).
    phones: [`+1${k < 10_000 ? '971' : '541'}555${String(k % 10_000).padStart(4, '0')}`],
    email: `${first}.${last}.${k + 1}@example.com`.toLowerCase(),
    company: null,
    notes: null,
    smsOptOut: false,
  };
  await putRecord(tx, scopeOf.contact(contact), 'contact', contact);
  return contact;
}
