import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { SyncClient as CoreSyncClient } from '../../main/core/sync-client.ts';
import type { MutationName, MutationResult } from '../../protocol/mutations.ts';
import { Mutation } from '../../protocol/mutations.ts';
import type { Scope } from '../../protocol/scope.ts';
import { ALEX, MAYA, SAM, signIn, startTestServer, SyncClient as RawSyncClient, type TestServer } from '../server/support/sync-client.ts';

/**
 * Every mutation, with generated ids and fields — nasty ones included (`:`, whitespace, unicode, empty,
 * very long, wrong types) — is either refused with a clear answer or leaves every member's client able to
 * sync: after it, each person's real sync client (main/core) resumes, is welcomed, catches up and reads
 * every frame it gets.
 */
/** Per mutation kind; the whole file stays well under a minute. */
const RUNS = 10;
const AVA = { email: 'ava@demo.switchboard.test', password: 'demo-admin', id: 'user_ava' } as const;
const PEOPLE = [MAYA, SAM, ALEX, AVA];

const USERS = PEOPLE.map((p) => p.id);
const INBOXES = ['inbox_sales', 'inbox_support'];
const CHANNELS = ['ch_sales_sms', 'ch_sales_wa', 'ch_sales_web', 'ch_support_sms', 'pn_sam'];
const CONVERSATIONS = ['conv_sales_0001', 'conv_sales_0002', 'conv_support_0001'];
const CONTACTS = ['contact_001', 'contact_002'];
const CHATS = ['chat_maya_sam', 'chat_floor_leads'];

const NASTY = [
  '', ' ', ':', 'x:0969eb', 'inbox:inbox_sales', 'chat:chat_floor_leads', 'user_maya:user_sam', 'a b', ' user_maya',
  'user_maya\n', 'é', 'Ω≈ç√', '😀', '\u0000', '\u202e', 'a/b', '../x', '%ff', 'x'.repeat(65), 'y'.repeat(1000),
];
const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  // Ids that would be fine but for one character: the `x:0969eb` of the report, and its cousins.
  { weight: 3, arbitrary: fc.tuple(fc.stringMatching(/^[a-z0-9_]{1,20}$/), fc.constantFrom(':', ' ', '\t', '/', '.', 'é', '😀', '%')).map(([a, c]) => `${a}${c}${a}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 70 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 65, maxLength: 300 }) },
);
const freshId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const id = (...real: string[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: freshId }, { weight: 3, arbitrary: nastyString });
/** Lists of people: mostly real ones (so the list is accepted and the chosen id is what is judged). */
const ids = (...real: string[]) => fc.oneof({ weight: 4, arbitrary: fc.subarray(real, { minLength: 1 }) }, { weight: 1, arbitrary: fc.array(id(...real), { maxLength: 4 }) });
const anyValue = fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nastyString, { maxLength: 3 }), fc.anything({ maxDepth: 1 }));
/** Mostly a value of the field's type, sometimes anything at all. */
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const text = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('Hello', 'On my way', 'Floor leads') }, { weight: 1, arbitrary: nastyString });
const phone = fc.oneof(fc.constantFrom('+14155550123', '+14155550170', '+12065550100'), nastyString);
const bool = fc.boolean();
const time = fc.oneof(fc.constant(Date.now()), fc.nat(), fc.integer());
const args = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, field(v)])), { requiredKeys: [] });
const contactFields = fc.record({ name: text, phones: fc.array(phone, { maxLength: 2 }), email: fc.option(text), company: fc.option(text), notes: fc.option(text) });

const ARGS: { [N in MutationName]: fc.Arbitrary<unknown> } = {
  'message.send': args({ conversationId: id(...CONVERSATIONS), messageId: freshId, body: text, attachments: fc.constant([]) }),
  'message.sendTemplate': args({ conversationId: id(...CONVERSATIONS), messageId: freshId, templateId: id('tpl_sales_follow_up'), parameters: fc.array(text, { maxLength: 2 }) }),
  'message.retry': args({ conversationId: id(...CONVERSATIONS), messageId: id('msg_sales_0001_2', 'msg_support_0002_2') }),
  'conversation.assign': args({ conversationId: id(...CONVERSATIONS), assigneeId: fc.option(id(...USERS)) }),
  'conversation.setStatus': args({ conversationId: id(...CONVERSATIONS), status: fc.constantFrom('open', 'closed') }),
  'conversation.markRead': args({ conversationId: id(...CONVERSATIONS), readAt: time }),
  'inbox.setMember': args({ inboxId: id(...INBOXES), userId: id(...USERS), member: bool }),
  'chat.send': args({ chatId: id(...CHATS), messageId: freshId, body: text }),
  'contact.create': args({ contactId: id(...CONTACTS), shared: bool, fields: contactFields }),
  'contact.update': args({ contactId: id(...CONTACTS), fields: contactFields }),
  'contact.setFavourite': args({ contactId: id(...CONTACTS), favourite: bool }),
  'contact.setOptOut': args({ contactId: id(...CONTACTS), optOut: bool }),
  'conversation.linkContact': args({ conversationId: id(...CONVERSATIONS), contactId: id(...CONTACTS) }),
  'conversation.create': args({ conversationId: freshId, messageId: freshId, channelId: id(...CHANNELS), contactId: fc.option(id(...CONTACTS)), customerAddress: phone, body: text }),
  'conversation.setArchived': args({ conversationId: id(...CONVERSATIONS), archived: bool }),
  'conversation.markUnread': args({ conversationId: id(...CONVERSATIONS) }),
  'conversation.addTag': args({ conversationId: id(...CONVERSATIONS), tag: fc.oneof(fc.constantFrom('vip', 'follow up'), nastyString) }),
  'conversation.removeTag': args({ conversationId: id(...CONVERSATIONS), tag: fc.oneof(fc.constantFrom('vip'), nastyString) }),
  'cannedResponse.save': args({
    cannedResponse: fc.record({ id: id('canned_hours'), inboxId: id(...INBOXES), title: text, keyPhrase: fc.oneof(fc.constantFrom('hours'), nastyString), body: text }),
  }),
  'cannedResponse.delete': args({ cannedResponseId: id('canned_hours') }),
  'inbox.create': args({ inboxId: id('inbox_new'), name: text, assignmentMode: bool }),
  'inbox.update': args({ inboxId: id(...INBOXES), name: text, assignmentMode: bool }),
  'chat.create': args({ chatId: id(...CHATS), kind: fc.constantFrom('direct', 'team'), name: text, memberIds: ids(...USERS) }),
  'chat.rename': args({ chatId: id(...CHATS), name: text }),
  'chat.setMembers': args({ chatId: id(...CHATS), memberIds: ids(...USERS) }),
  'chat.markRead': args({ chatId: id(...CHATS), readAt: time }),
  'privateNumber.moveToInbox': args({ ownerId: id(...USERS), number: phone, inboxId: id(...INBOXES) }),
  'channel.setRegistration': args({ channelId: id(...CHANNELS), registration: fc.constantFrom('unregistered', 'pending', 'approved', 'rejected') }),
  'queue.login': args({ inboxIds: ids(...INBOXES) }),
  'queue.logout': args({ inboxIds: ids(...INBOXES), userId: id(...USERS) }),
  'queue.setCapacity': args({ inboxId: id(...INBOXES), userId: fc.option(id(...USERS)), capacity: fc.option(fc.integer({ min: -1, max: 60 })) }),
  'queue.settings': args({ inboxId: id(...INBOXES), settings: fc.record({ mode: fc.constantFrom('assign', 'offer'), defaultCapacity: fc.integer({ min: 0, max: 60 }) }, { requiredKeys: [] }) }),
  'offer.accept': args({ conversationId: id(...CONVERSATIONS) }),
  'offer.decline': args({ conversationId: id(...CONVERSATIONS) }),
  'conversation.noteCall': args({ conversationId: id(...CONVERSATIONS), messageId: freshId }),
  'org.setSoftphone': args({ urlTemplate: fc.option(fc.oneof(fc.constantFrom('https://phone.example.com/dial?to={number}', 'http://x.test/{number}'), nastyString)) }),
  'survey.send': args({
    conversationId: id(...CONVERSATIONS),
    surveyId: freshId,
    messageId: freshId,
    template: fc.option(fc.record({ templateId: id('tpl_sales_survey'), parameters: fc.array(text, { maxLength: 1 }) })),
  }),
};

interface Member {
  who: (typeof PEOPLE)[number];
  token: string;
  clientId: string;
  cursor: number | null;
  scopes: Set<Scope>;
}

let t: TestServer;
let members: Member[] = [];
/** One raw connection per person for sending mutations (its frames are checked against the schema too). */
const senders = new Map<string, { sync: RawSyncClient; nextId: number }>();

/** One resume of this person's real sync client: welcomed, caught up, every frame readable. */
async function resume(member: Member): Promise<void> {
  const logs: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const safety = setTimeout(() => finish(new Error(`${member.who.id} did not catch up; ${logs.join(' | ')}`)), 15_000);
    const finish = (err?: Error) => {
      clearTimeout(safety);
      client.stop();
      if (err) reject(err);
      else resolve();
    };
    const client = new CoreSyncClient({
      serverUrl: t.server.url,
      hello: () => ({ token: member.token, clientId: member.clientId, cursor: member.cursor, scopes: [...member.scopes] }),
      log: (l) => logs.push(l),
      onState: (s) => {
        if (s.status === 'reconnecting' || s.status === 'signedOut') finish(new Error(`${member.who.id} lost the link: ${s.lastError ?? ''}`));
      },
      onFrame: (f) => {
        if (f.type === 'snapshot' && f.done) member.scopes.add(f.scope);
        if (f.type === 'scopeLost') member.scopes.delete(f.scope);
        if (f.type === 'snapshot' && member.cursor === null) member.cursor = f.cursor;
        if (f.type === 'changes') {
          member.cursor = Math.max(member.cursor ?? 0, f.cursor);
          if (f.caughtUp) finish();
        }
      },
    });
    client.start();
  });
  expect(logs.filter((l) => l.includes('could not read'))).toEqual([]);
}

async function mutate(who: (typeof PEOPLE)[number], mutation: unknown): Promise<MutationResult> {
  const sender = senders.get(who.id);
  if (!sender) throw new Error(`no sender for ${who.id}`);
  const id = sender.nextId++;
  const from = sender.sync.frames.length;
  sender.sync.send({ type: 'mutate', mutations: [{ id, mutation }] });
  return (await sender.sync.waitFor('mutationResult', (f) => f.id === id, from)).result;
}

beforeAll(async () => {
  t = await startTestServer();
  members = [];
  for (const who of PEOPLE) {
    const token = await signIn(t.server.url, who);
    const sync = await RawSyncClient.connect(t.server.url);
    await sync.sync(token, { clientId: `sender-${who.id}` });
    senders.set(who.id, { sync, nextId: 1 });
    members.push({ who, token, clientId: `client-${who.id}`, cursor: null, scopes: new Set() });
  }
  for (const m of members) await resume(m);
}, 60_000);

afterAll(async () => {
  for (const s of senders.values()) s.sync.close();
  senders.clear();
  await t.close();
});

describe('every mutation, with generated ids and fields', () => {
  for (const name of Object.keys(ARGS) as MutationName[]) {
    test.prop([fc.constantFrom(...PEOPLE), ARGS[name]], { numRuns: RUNS })(`${name}: refused clearly, or every member keeps syncing`, async (who, generated) => {
      const mutation = { name, args: generated };
      const result = await mutate(who, mutation);
      if (!result.ok) {
        expect(result.code).not.toBe('internal');
        expect(result.message.trim()).not.toBe('');
      }
      // Whatever the schema refuses never gets as far as a handler: judged on what crosses the wire (JSON writes
      // a non-finite number as null).
      if (!Mutation.safeParse(JSON.parse(JSON.stringify(mutation))).success) expect(result).toMatchObject({ ok: false, code: 'invalid' });
      for (const m of members) await resume(m);
      for (const s of senders.values()) expect(s.sync.invalid).toEqual([]);
      expect(t.logs.filter((l) => /failed/.test(l))).toEqual([]);
    });
  }
});
