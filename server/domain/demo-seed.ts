import type { ChannelKind, EntityOf } from '../../protocol/domain.ts';
import { publishOrg } from './org-record.ts';
import type { DemoAccount } from '../../protocol/http.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { hashPasswordSync } from './passwords.ts';
import { preview } from './outbound-message.ts';
import { seedDemoPrivateNumbers } from './demo-private-numbers.ts';
import { recordId } from '../../protocol/scope.ts';

/** The demo workspace of docs/TEAM-NOTES.md. Ids and content are deterministic; times are relative to `now`. */
export const DEMO_ORG = { id: 'org_demo', name: 'Northwind Outfitters' } as const;

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { name: 'Maya Patel', email: 'maya@demo.switchboard.test', password: 'demo-manager', role: 'manager', organisation: DEMO_ORG.name },
  { name: 'Sam Rivera', email: 'sam@demo.switchboard.test', password: 'demo-agent', role: 'member', organisation: DEMO_ORG.name },
  { name: 'Alex Chen', email: 'alex@demo.switchboard.test', password: 'demo-agent', role: 'member', organisation: DEMO_ORG.name },
  { name: 'Ava Admin', email: 'ava@demo.switchboard.test', password: 'demo-admin', role: 'admin', organisation: DEMO_ORG.name },
];

// Avatar colours carry white initials: each is dark enough for 4.5:1 (axe's colour-contrast rule).
export const DEMO_USERS = [
  { id: 'user_maya', account: DEMO_ACCOUNTS[0] as DemoAccount, avatarColor: '#7c3aed', inboxes: ['inbox_sales', 'inbox_support'] },
  { id: 'user_sam', account: DEMO_ACCOUNTS[1] as DemoAccount, avatarColor: '#0e7490', inboxes: ['inbox_sales'] },
  { id: 'user_alex', account: DEMO_ACCOUNTS[2] as DemoAccount, avatarColor: '#c2410c', inboxes: ['inbox_support'] },
  { id: 'user_ava', account: DEMO_ACCOUNTS[3] as DemoAccount, avatarColor: '#be123c', inboxes: ['inbox_sales', 'inbox_support'] },
] as const;
/** The admin is a member of both inboxes but the generated history (assignees, authors) keeps to the original three. */
const HISTORY_USERS = new Set(['user_maya', 'user_sam', 'user_alex']);

const INBOXES = [
  { id: 'inbox_sales', name: 'Sales', prefix: 'sales', numbers: { sms: '+14155550100', whatsapp: '+14155550101' } },
  { id: 'inbox_support', name: 'Support', prefix: 'support', numbers: { sms: '+14155550110', whatsapp: '+14155550111' } },
] as const;

const FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan', 'Sophia', 'Lucas', 'Isabella', 'Mason', 'Mia', 'Logan', 'Amelia', 'James', 'Harper', 'Aiden', 'Evelyn', 'Elijah', 'Abigail', 'Daniel', 'Emily', 'Mateo', 'Ella', 'Henry', 'Grace'];
const LAST = ['Johnson', 'Garcia', 'Nguyen', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Tanaka', 'Haddad', 'Murphy', 'Silva', 'Dubois', 'Larsen', 'Moreau', 'Ibrahim', 'Novak', 'Fischer', 'Reyes', 'Kim', 'Walsh'];
const COMPANIES = ['Cascade Trail Co.', 'Summit Scouts', 'Bayview Rowing Club', null, 'Redwood Adventure Camps', null, 'Lakeside Lodge', 'Peak Performance Gym', null, 'Harbor Kayak Tours'];

const SALES_THREADS: readonly (readonly string[])[] = [
  ['Hi, do you have the Ridgeline 45L pack in stock in green?', 'Hi! Yes, we have the Ridgeline 45L in forest green. Want me to hold one for you?', 'Yes please, I can pick it up Saturday.', 'Done — it’s on hold under your name until Saturday at 6pm.'],
  ['Is there a group discount for a scout troop? We need 14 sleeping bags.', 'We do: 15% off orders of 10 or more. Which model are you looking at?', 'The Cirrus 20°F bags.', 'Great choice. I’ll send a quote for 14 Cirrus bags with the group discount today.', 'Perfect, thank you!'],
  ['What are your store hours this weekend?', 'We’re open 9am–7pm Saturday and 10am–5pm Sunday.'],
  ['Can I get the Alpine shell jacket in a size M shipped to Portland?', 'Absolutely. Standard shipping is 3–5 days, or 2-day for $12. Which would you like?', 'Standard is fine.', 'Here’s your checkout link: northwind.example/cart/AJ-M. Let me know if anything comes up!'],
  ['Do you price match REI?', 'We match any authorised retailer’s advertised price. Send me the link and I’ll check.', 'https://example.com/tent-listing', 'Confirmed — we’ll match $289 on the Basecamp 4 tent.'],
  ['Looking for trail runners for wide feet. Any suggestions?', 'The Trailblazer 3 comes in a wide fit and is very popular. Want to book a fitting?', 'Sure, Thursday afternoon?', 'You’re booked for Thursday at 3:30pm with our fit specialist.'],
  ['Is the winter sale still on?', 'It is, through Sunday — 25% off insulated jackets and base layers.'],
  ['Can I order a custom embroidered fleece for our team?', 'Yes, minimum of 12 pieces. Could you send your logo as a PDF or PNG?', 'Sending it over email now.', 'Got it, thanks. Proofs will be ready in 2 business days.'],
];

const SUPPORT_THREADS: readonly (readonly string[])[] = [
  ['My order #48213 hasn’t arrived yet, it’s been 8 days.', 'Sorry about that! I see it was delayed at the carrier hub. It’s out for delivery today.', 'Great, thanks for checking.'],
  ['The zipper on my Alpine jacket broke after two weeks.', 'That’s covered by our warranty. Could you send a photo of the zipper?', 'Here you go.', 'Thanks — I’ve started a replacement. You’ll get a prepaid return label by email.'],
  ['How do I return boots that don’t fit?', 'You can return unworn items within 60 days. I’ll email you a return label now.', 'Received it, thank you!'],
  ['I was charged twice for the same order.', 'I’m sorry! I can see the duplicate authorisation. It will drop off within 3–5 business days, and I’ve flagged it with billing.', 'Ok, I’ll keep an eye on it.'],
  ['Can I change the delivery address on my order?', 'If it hasn’t shipped yet, yes. What’s the new address?', '221 Pine Street, Apt 4, Seattle WA 98101', 'Updated! It ships tomorrow to the new address.'],
  ['The tent is missing a pole.', 'So sorry about that. I’m sending a replacement pole set by express shipping today.'],
  ['Do you repair sleeping bags?', 'We do — seams and zippers. Drop it at any store and we’ll quote within 48 hours.'],
  ['My promo code WINTER25 isn’t working.', 'That code ended Sunday, but I’ve applied the discount to your cart manually.', 'You’re the best, thank you!'],
];

/** Small deterministic PRNG (mulberry32), so every demo start looks the same. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

export async function isSeeded(tx: StorageTx): Promise<boolean> {
  return await tx.getOrg(DEMO_ORG.id) !== null;
}

/** Writes the demo workspace (with change-log entries) inside the caller's transaction. */
export async function seedDemoWorkspace(tx: StorageTx, now: number): Promise<void> {
  const rand = random(20261125);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  await tx.putOrg({ ...DEMO_ORG });
  await publishOrg(tx, DEMO_ORG.id);

  for (const u of DEMO_USERS) {
    const user: EntityOf<'user'> = {
      id: u.id,
      orgId: DEMO_ORG.id,
      name: u.account.name,
      email: u.account.email,
      role: u.account.role,
      status: 'active',
      avatarColor: u.avatarColor,
    };
    await putRecord(tx, scopeOf.user(user), 'user', user);
    await tx.setPasswordHash(user.id, hashPasswordSync(u.account.password));
  }

  const channelsByInbox = new Map<string, EntityOf<'channel'>[]>();
  const membersByInbox = new Map<string, string[]>();
  for (const box of INBOXES) {
    const inbox: EntityOf<'inbox'> = { id: box.id, orgId: DEMO_ORG.id, name: box.name, kind: 'shared', assignmentMode: true };
    await putRecord(tx, scopeOf.inbox(inbox), 'inbox', inbox);
    const channels: EntityOf<'channel'>[] = [
      { id: `ch_${box.prefix}_sms`, inboxId: box.id, kind: 'sms', name: `${box.name} SMS`, address: box.numbers.sms, registration: 'approved' },
      { id: `ch_${box.prefix}_wa`, inboxId: box.id, kind: 'whatsapp', name: `${box.name} WhatsApp`, address: box.numbers.whatsapp, registration: 'approved', whatsappTemplates: demoWhatsAppTemplates(box.prefix) },
      { id: `ch_${box.prefix}_web`, inboxId: box.id, kind: 'webchat', name: `${box.name} web chat`, address: `widget-${box.prefix}`, registration: null },
    ];
    for (const channel of channels) await putRecord(tx, scopeOf.channel(channel), 'channel', channel);
    channelsByInbox.set(box.id, channels);
    const members = DEMO_USERS.filter((u) => (u.inboxes as readonly string[]).includes(box.id)).map((u) => u.id);
    membersByInbox.set(box.id, members.filter((id) => HISTORY_USERS.has(id)));
    for (const userId of members) {
      const member: EntityOf<'inboxMember'> = { id: recordId.inboxMember(box.id, userId), inboxId: box.id, userId };
      await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
    }
  }

  const contacts: EntityOf<'contact'>[] = [];
  for (let i = 0; i < 50; i++) {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[(i * 7) % LAST.length] as string;
    const contact: EntityOf<'contact'> = {
      id: `contact_${String(i + 1).padStart(3, '0')}`,
      orgId: DEMO_ORG.id,
      ownerId: null,
      name: `${first} ${last}`,
      // 555-01xx numbers are reserved for fiction.
      phones: [`+1206555${String(100 + i).padStart(4, '0')}`],
      email: `${first}.${last}@example.com`.toLowerCase(),
      company: COMPANIES[i % COMPANIES.length] ?? null,
      notes: i % 9 === 0 ? 'Prefers texts after 5pm.' : null,
      smsOptOut: i === 13,
    };
    contacts.push(contact);
    await putRecord(tx, scopeOf.contact(contact), 'contact', contact);
  }

  for (let n = 0; n < 200; n++) {
    const box = INBOXES[n % 2] as (typeof INBOXES)[number];
    const channel = pick(channelsByInbox.get(box.id) ?? []);
    const members = membersByInbox.get(box.id) ?? [];
    const kind: ChannelKind = channel.kind;
    const linked = kind !== 'webchat' && rand() < 0.8 ? pick(contacts) : null;
    const customerAddress =
      kind === 'webchat' ? `visitor-${1000 + n}` : (linked?.phones[0] ?? `+1628555${String(100 + (n % 100)).padStart(4, '0')}`);
    const thread = pick(box.id === 'inbox_sales' ? SALES_THREADS : SUPPORT_THREADS);
    // Older conversations are mostly closed; the last few days stay open.
    const ageDays = 30 * rand() ** 1.5 + 0.05;
    const createdAt = Math.round(now - ageDays * DAY);
    const closed = ageDays > 2 && rand() < 0.8;
    const assigneeId = rand() < 0.6 ? pick(members) : null;
    const id = `conv_${box.prefix}_${String(n + 1).padStart(4, '0')}`;
    const target = scopeOf.inbox({ id: box.id, orgId: DEMO_ORG.id, name: box.name, kind: 'shared', assignmentMode: true });

    const messages: EntityOf<'message'>[] = [];
    const participants = new Set<string>();
    let at = createdAt;
    thread.forEach((body, i) => {
      const inbound = i % 2 === 0;
      const author = inbound ? null : (assigneeId ?? pick(members));
      if (author) participants.add(author);
      messages.push({
        id: `msg_${id.slice(5)}_${i + 1}`,
        conversationId: id,
        direction: inbound ? 'in' : 'out',
        authorType: inbound ? 'contact' : 'user',
        authorId: inbound ? (linked?.id ?? null) : author,
        body,
        attachments: [],
        status: 'delivered',
        statusReason: null,
        providerId: inbound ? `demo-${id}-${i + 1}` : null,
        createdAt: at,
      });
      at += Math.round((2 + rand() * 40) * MINUTE);
    });
    const lastMessage = messages[messages.length - 1] as EntityOf<'message'>;
    const conversation: EntityOf<'conversation'> = {
      id,
      inboxId: box.id,
      channelId: channel.id,
      contactId: linked?.id ?? null,
      customerAddress,
      status: closed ? 'closed' : 'open',
      assigneeId,
      tags: rand() < 0.25 ? [pick(['vip', 'follow-up', 'order', 'warranty'])] : [],
      createdAt,
      closedAt: closed ? lastMessage.createdAt + 10 * MINUTE : null,
      lastMessageAt: lastMessage.createdAt,
      lastMessagePreview: preview(lastMessage.body),
      participantIds: [...participants],
    };
    await putRecord(tx, target, 'conversation', conversation);
    for (const message of messages) await putRecord(tx, target, 'message', message);
    if (closed) {
      for (const userId of members) {
        const state: EntityOf<'conversationUserState'> = {
          id: recordId.conversationUserState(id, userId),
          conversationId: id,
          userId,
          readAt: lastMessage.createdAt,
          archived: false,
        };
        await putRecord(tx, scopeOf.conversationUserState(state), 'conversationUserState', state);
      }
    }
  }

  const chats: { chat: EntityOf<'chat'>; lines: [string, string][] }[] = [
    {
      chat: { id: 'chat_maya_sam', kind: 'direct', name: 'Maya Patel, Sam Rivera', memberIds: ['user_maya', 'user_sam'], lastMessageAt: null },
      lines: [
        ['user_maya', 'Can you take the scout troop quote today?'],
        ['user_sam', 'On it — sending it before lunch.'],
        ['user_maya', 'Thanks! Loop me in if they ask about delivery dates.'],
      ],
    },
    {
      chat: { id: 'chat_floor_leads', kind: 'team', name: 'Floor leads', memberIds: ['user_maya', 'user_sam', 'user_alex'], lastMessageAt: null },
      lines: [
        ['user_maya', 'Reminder: winter sale ends Sunday, expect a busy Saturday.'],
        ['user_alex', 'Support queue is calm today, I can help Sales if needed.'],
        ['user_sam', 'Great, I’ll ping you if the WhatsApp line backs up.'],
      ],
    },
  ];
  for (const { chat, lines } of chats) {
    let at = now - 2 * DAY;
    const messages = lines.map(([authorId, body], i): EntityOf<'chatMessage'> => {
      at += 17 * MINUTE;
      return { id: `${chat.id}_msg_${i + 1}`, chatId: chat.id, authorId, body, createdAt: at };
    });
    const withTime = { ...chat, lastMessageAt: at };
    await putRecord(tx, scopeOf.chat(withTime), 'chat', withTime);
    for (const message of messages) await putRecord(tx, scopeOf.chatMessage(message), 'chatMessage', message);
  }

  for (const canned of DEMO_CANNED_RESPONSES) await putRecord(tx, scopeOf.cannedResponse(canned), 'cannedResponse', canned);
  await seedDemoPrivateNumbers(tx, DEMO_ORG.id, now);
}

/** SPEC (18): a few pre-written messages per demo inbox (`/hours` fills in the store hours). */
export const DEMO_CANNED_RESPONSES: readonly EntityOf<'cannedResponse'>[] = [
  { id: 'canned_sales_hours', inboxId: 'inbox_sales', title: 'Store hours', keyPhrase: 'hours', body: 'We’re open 9am–7pm Monday to Saturday and 10am–5pm on Sunday.' },
  { id: 'canned_sales_discount', inboxId: 'inbox_sales', title: 'Group discount', keyPhrase: 'group', body: 'Groups of 10 or more get 15% off. Tell me which items and sizes and I’ll send a quote.' },
  { id: 'canned_sales_thanks', inboxId: 'inbox_sales', title: 'Thanks', keyPhrase: 'thanks', body: 'Thanks for choosing Northwind Outfitters! Anything else I can help with?' },
  { id: 'canned_support_hours', inboxId: 'inbox_support', title: 'Support hours', keyPhrase: 'hours', body: 'Our support team answers 8am–8pm every day.' },
  { id: 'canned_support_return', inboxId: 'inbox_support', title: 'Returns', keyPhrase: 'return', body: 'You can return unworn items within 60 days. I’ll email you a prepaid return label.' },
];

/** Approved WhatsApp templates of the demo WhatsApp channels (ids `tpl_<prefix>_…`). */
export function demoWhatsAppTemplates(prefix: string): NonNullable<EntityOf<'channel'>['whatsappTemplates']> {
  return [
    { id: `tpl_${prefix}_follow_up`, name: 'follow_up', language: 'en_US', body: 'Hi! We are following up on your recent message to Northwind Outfitters. Reply to this message to continue the conversation.' },
    { id: `tpl_${prefix}_order_update`, name: 'order_update', language: 'en_US', body: 'Hi {{1}}, your Northwind Outfitters order {{2}} has an update. Reply to this message and we will share the details.' },
    // Carries a satisfaction survey outside the 24-hour window: the link is its last value (issue 12 §2).
    { id: `tpl_${prefix}_survey`, name: 'satisfaction_survey', language: 'en_US', body: 'Thanks for contacting Northwind Outfitters! How did we do? Rate us from 1 to 5: {{1}}' },
  ];
}
