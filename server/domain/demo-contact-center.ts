import type { EntityOf } from '../../protocol/domain.ts';
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from '../../protocol/contact-center.ts';
import type { DemoAccount } from '../../protocol/http.ts';
import { recordId } from '../../protocol/scope.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { random } from './demo-seed.ts';
import { preview } from './outbound-message.ts';
import { hashPasswordSync } from './passwords.ts';

/**
 * The demo's second organisation (issue 10 §5): a Contact Center with a supervisor, three agents and two inbox
 * queues, one per routing mode. Ids are deterministic; times are relative to `now`. Its history is closed
 * conversations with their routing facts, so the supervisor's "today" figures are not empty at first start;
 * live customers arrive through the simulators (server/simulator/demo-cc-traffic.ts).
 */
export const DEMO_CC_ORG = { id: 'org_cc', name: 'Northwind Contact Center' } as const;

export const DEMO_CC_ACCOUNTS: readonly DemoAccount[] = [
  { name: 'Sofia Reyes', email: 'sofia@cc.demo.switchboard.test', password: 'demo-supervisor', role: 'supervisor', organisation: DEMO_CC_ORG.name },
  { name: 'Jordan Lee', email: 'jordan@cc.demo.switchboard.test', password: 'demo-agent', role: 'agent', organisation: DEMO_CC_ORG.name },
  { name: 'Priya Shah', email: 'priya@cc.demo.switchboard.test', password: 'demo-agent', role: 'agent', organisation: DEMO_CC_ORG.name },
  { name: 'Tom Becker', email: 'tom@cc.demo.switchboard.test', password: 'demo-agent', role: 'agent', organisation: DEMO_CC_ORG.name },
];

// White initials on each: dark enough for 4.5:1.
const PEOPLE = [
  { id: 'user_sofia', account: DEMO_CC_ACCOUNTS[0] as DemoAccount, avatarColor: '#9d174d' },
  { id: 'user_jordan', account: DEMO_CC_ACCOUNTS[1] as DemoAccount, avatarColor: '#1d4ed8' },
  { id: 'user_priya', account: DEMO_CC_ACCOUNTS[2] as DemoAccount, avatarColor: '#047857' },
  { id: 'user_tom', account: DEMO_CC_ACCOUNTS[3] as DemoAccount, avatarColor: '#92400e' },
] as const;
const AGENTS = ['user_jordan', 'user_priya', 'user_tom'] as const;

export const DEMO_CC_QUEUES = [
  { id: 'queue_billing', name: 'Billing', prefix: 'billing', mode: 'assign', sms: '+14155550120' },
  { id: 'queue_tech', name: 'Technical support', prefix: 'tech', mode: 'offer', sms: '+14155550130' },
] as const;

const THREADS: Record<(typeof DEMO_CC_QUEUES)[number]['prefix'], readonly (readonly string[])[]> = {
  billing: [
    ['Hi, I was charged twice for my March invoice.', 'Sorry about that! I can see the duplicate charge; I’ve refunded it, expect it in 3–5 days.', 'Thank you!'],
    ['Can I switch my plan to yearly billing?', 'Yes — I’ve switched it from your next renewal, with two months free.', 'Perfect.'],
    ['Where can I download my invoices?', 'Under Account → Billing → Invoices. I’ve also emailed you the last three.'],
    ['My card expired, how do I update it?', 'I’ve sent you a secure link to update it. It takes a minute.', 'Done, thanks!'],
  ],
  tech: [
    ['The app keeps logging me out on my phone.', 'Thanks for reporting it. Could you update to version 4.2? It fixes exactly that.', 'Updated, works now.'],
    ['I can’t connect the router to the new modem.', 'Let’s reset the router: hold the back button for 10 seconds, then pair again.', 'That did it, thank you!'],
    ['Password reset email never arrives.', 'I’ve resent it from our side; please check the spam folder too.', 'Found it, thanks.'],
    ['The export to CSV button does nothing.', 'We found the bug; a fix ships tonight. I’ve emailed you the export meanwhile.'],
  ],
};

const CUSTOMERS = ['Hannah Brooks', 'Omar Haddad', 'Chloe Martin', 'Diego Alvarez', 'Yuki Sato', 'Fatima Khan', 'Ben Carter', 'Lena Vogel', 'Samir Patel', 'Ines Costa', 'Ryan O’Neill', 'Mei Chen'];

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const SECOND = 1000;

export async function isContactCenterSeeded(tx: StorageTx): Promise<boolean> {
  return (await tx.getOrg(DEMO_CC_ORG.id)) !== null;
}

export function queueSettingsOf(queue: (typeof DEMO_CC_QUEUES)[number]): QueueSettings {
  return { ...DEFAULT_QUEUE_SETTINGS, mode: queue.mode };
}

/** Writes the Contact Center organisation (with change-log entries) inside the caller's transaction. */
export async function seedDemoContactCenter(tx: StorageTx, now: number): Promise<void> {
  const rand = random(20261210);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  // The org record is the orgs row (name, edition, softphone template): one write makes both.
  const org: EntityOf<'org'> = { ...DEMO_CC_ORG, edition: 'contact_center', softphoneUrlTemplate: null };
  await putRecord(tx, scopeOf.org(org), 'org', org);

  for (const p of PEOPLE) {
    const user: EntityOf<'user'> = { id: p.id, orgId: DEMO_CC_ORG.id, name: p.account.name, email: p.account.email, role: p.account.role, status: 'active', avatarColor: p.avatarColor };
    await putRecord(tx, scopeOf.user(user), 'user', user);
    await tx.setPasswordHash(user.id, hashPasswordSync(p.account.password));
  }

  const contacts: EntityOf<'contact'>[] = CUSTOMERS.map((name, i) => ({
    id: `contact_cc_${String(i + 1).padStart(3, '0')}`,
    orgId: DEMO_CC_ORG.id,
    ownerId: null,
    name,
    // 555-01xx numbers are reserved for fiction; +1 312 555 01xx are the Contact Center's customers.
    phones: [`+1312555${String(100 + i).padStart(4, '0')}`],
    email: `${name.split(' ')[0]?.toLowerCase() ?? 'customer'}@example.com`,
    company: null,
    notes: null,
    smsOptOut: false,
  }));
  for (const contact of contacts) await putRecord(tx, scopeOf.contact(contact), 'contact', contact);

  for (const q of DEMO_CC_QUEUES) {
    const inbox: EntityOf<'inbox'> = { id: q.id, orgId: DEMO_CC_ORG.id, name: q.name, kind: 'queue', assignmentMode: true, queue: queueSettingsOf(q) };
    await putRecord(tx, scopeOf.inbox(inbox), 'inbox', inbox);
    const channels: EntityOf<'channel'>[] = [
      { id: `ch_${q.prefix}_sms`, inboxId: q.id, kind: 'sms', name: `${q.name} SMS`, address: q.sms, registration: 'approved' },
      { id: `ch_${q.prefix}_web`, inboxId: q.id, kind: 'webchat', name: `${q.name} web chat`, address: `widget-${q.prefix}`, registration: null },
    ];
    for (const channel of channels) await putRecord(tx, scopeOf.channel(channel), 'channel', channel);
    for (const p of PEOPLE) {
      const member: EntityOf<'inboxMember'> = { id: recordId.inboxMember(q.id, p.id), inboxId: q.id, userId: p.id };
      await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
    }
    for (let n = 0; n < 18; n++) await seedHandledConversation(tx, { queue: q, inbox, channels, contacts, n, now, rand, pick });
  }

  for (const canned of DEMO_CC_CANNED) await putRecord(tx, scopeOf.cannedResponse(canned), 'cannedResponse', canned);
}

interface HistoryItem {
  queue: (typeof DEMO_CC_QUEUES)[number];
  inbox: EntityOf<'inbox'>;
  channels: EntityOf<'channel'>[];
  contacts: EntityOf<'contact'>[];
  n: number;
  now: number;
  rand: () => number;
  pick: <T>(items: readonly T[]) => T;
}

/** One closed conversation that went through routing: queued, assigned, first answered, closed. */
async function seedHandledConversation(tx: StorageTx, h: HistoryItem): Promise<void> {
  const { queue, rand, pick } = h;
  const channel = rand() < 0.7 ? (h.channels[0] as EntityOf<'channel'>) : (h.channels[1] as EntityOf<'channel'>);
  const contact = channel.kind === 'sms' ? pick(h.contacts) : null;
  const id = `conv_${queue.prefix}_${String(h.n + 1).padStart(4, '0')}`;
  // A third of the history is from today (the supervisor's "handled today"), the rest from the last week.
  const queuedAt = Math.round(h.n % 3 === 0 ? h.now - (0.5 + rand() * 5) * HOUR : h.now - (1 + rand() * 6) * 24 * HOUR);
  const waitedMs = Math.round((5 + rand() * (h.n % 4 === 0 ? 150 : 50)) * SECOND);
  const agent = pick(AGENTS);
  const assignedAt = queuedAt + waitedMs;
  const thread = pick(THREADS[queue.prefix]);
  let at = queuedAt;
  let firstResponseAt: number | null = null;
  const messages: EntityOf<'message'>[] = thread.map((body, i) => {
    const inbound = i % 2 === 0;
    if (i > 0) at = inbound ? at + Math.round((1 + rand() * 4) * MINUTE) : Math.max(at, assignedAt) + Math.round((10 + rand() * 40) * SECOND);
    if (!inbound && firstResponseAt === null) firstResponseAt = at;
    return {
      id: `msg_${id.slice(5)}_${i + 1}`,
      conversationId: id,
      direction: inbound ? 'in' : 'out',
      authorType: inbound ? 'contact' : 'user',
      authorId: inbound ? (contact?.id ?? null) : agent,
      body,
      attachments: [],
      status: 'delivered',
      statusReason: null,
      providerId: inbound ? `demo-${id}-${i + 1}` : null,
      createdAt: at,
    };
  });
  const last = messages[messages.length - 1] as EntityOf<'message'>;
  const conversation: EntityOf<'conversation'> = {
    id,
    inboxId: queue.id,
    channelId: channel.id,
    contactId: contact?.id ?? null,
    customerAddress: contact?.phones[0] ?? `visitor-cc-${queue.prefix}-${h.n + 1}`,
    status: 'closed',
    assigneeId: agent,
    tags: [],
    createdAt: queuedAt,
    closedAt: last.createdAt + 2 * MINUTE,
    lastMessageAt: last.createdAt,
    lastMessagePreview: preview(last.body),
    participantIds: [agent],
    routing: { waitingSince: null, firstQueuedAt: queuedAt, offer: null, assignedAt, firstResponseAt, handledBy: [agent], inProgressWhenLoggedOut: false },
  };
  const target = scopeOf.inbox(h.inbox);
  await putRecord(tx, target, 'conversation', conversation);
  for (const message of messages) await putRecord(tx, target, 'message', message);
  for (const p of PEOPLE) {
    const state: EntityOf<'conversationUserState'> = { id: recordId.conversationUserState(id, p.id), conversationId: id, userId: p.id, readAt: last.createdAt, archived: false };
    await putRecord(tx, scopeOf.conversationUserState(state), 'conversationUserState', state);
  }
}

const DEMO_CC_CANNED: readonly EntityOf<'cannedResponse'>[] = [
  { id: 'canned_billing_refund', inboxId: 'queue_billing', title: 'Refund on its way', keyPhrase: 'refund', body: 'I’ve issued the refund; it reaches your account within 3–5 business days.' },
  { id: 'canned_billing_invoices', inboxId: 'queue_billing', title: 'Invoices', keyPhrase: 'invoices', body: 'You can download every invoice under Account → Billing → Invoices.' },
  { id: 'canned_tech_update', inboxId: 'queue_tech', title: 'Update the app', keyPhrase: 'update', body: 'Please update the app to the latest version (Settings → About → Check for updates) and try again.' },
  { id: 'canned_tech_restart', inboxId: 'queue_tech', title: 'Restart the router', keyPhrase: 'restart', body: 'Unplug the router for 30 seconds, plug it back in and wait two minutes for the lights to settle.' },
];
