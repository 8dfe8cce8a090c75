import { describe, expect, it } from 'vitest';
import type { EntityOf, EntityRecord } from '../../protocol/domain.ts';
import { lastActivityAt, SNAPSHOT_PHASES, type SyncWindow } from '../../protocol/history.ts';
import type { ServerFrame } from '../../protocol/sync.ts';
import { MAYA, SAM, postInbound, signIn, syncTestRig, type SyncClient } from '../server/support/sync-client.ts';

const { server, client } = syncTestRig({ expectNoFailures: true });
const DAY = 86_400_000;
const WINDOWED = new Set(['conversation', 'message', 'survey', 'chatMessage', 'contact']);

type Snapshot = Extract<ServerFrame, { type: 'snapshot' }>;
const snapshots = (c: SyncClient): Snapshot[] => c.frames.filter((f): f is Snapshot => f.type === 'snapshot');
const recordsOf = (frames: Snapshot[]): EntityRecord[] => frames.flatMap((f) => f.records);
const ofKind = <K extends EntityRecord['entity']>(records: EntityRecord[], kind: K) =>
  records.filter((r) => r.entity === kind).map((r) => r.record as EntityOf<K>);

/** Syncs twice on one server: once in full (the reference), once with the window. */
async function bothSyncs(window: SyncWindow, who: { email: string; password: string } = MAYA) {
  const t = await server({ sync: { maxBatch: 40 } });
  const token = await signIn(t.server.url, who);
  const full = await client(t);
  await full.sync(token, { clientId: 'full' });
  const windowed = await client(t);
  const welcome = await windowed.sync(token, { clientId: 'windowed', window });
  return { t, token, full, windowed, welcome };
}

describe('windowed first sync (issue 13)', () => {
  it('streams phases in order across scopes, each scope reset first and done last, then windowDone before catch-up ends', async () => {
    const { windowed, welcome } = await bothSyncs({ messagesPerConversation: 3, closedDays: 5 });
    const frames = windowed.frames;
    const snaps = snapshots(windowed);
    expect(snaps.length).toBeGreaterThan(welcome.scopes.length);
    const order = snaps.map((f) => SNAPSHOT_PHASES.indexOf(f.phase!));
    expect(order.every((p) => p >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(snaps.map((f) => f.scope))).toEqual(new Set(welcome.scopes));
    for (const scope of welcome.scopes) {
      const chunks = snaps.filter((f) => f.scope === scope);
      expect(chunks.map((c) => c.reset)).toEqual([true, ...chunks.slice(1).map(() => false)]);
      expect(chunks.map((c) => c.done)).toEqual([...chunks.slice(0, -1).map(() => false), true]);
      expect(chunks.every((c) => c.records.length <= 40 && c.cursor === welcome.head)).toBe(true);
    }
    // Chunks of different scopes interleave: an inbox's sidebar chunk comes before another scope's later phase.
    const windowDone = frames.findIndex((f) => f.type === 'windowDone');
    const lastSnapshot = frames.map((f) => f.type).lastIndexOf('snapshot');
    const caughtUp = frames.findIndex((f) => f.type === 'changes' && f.caughtUp);
    expect(windowDone).toBeGreaterThan(lastSnapshot);
    expect(caughtUp).toBeGreaterThan(windowDone);
    expect(frames[windowDone]).toEqual({ type: 'windowDone', cursor: welcome.head });
    expect(windowed.invalid).toEqual([]);
    // The sidebar phase carries no windowed kind; every other phase only windowed kinds.
    for (const f of snaps) {
      for (const r of f.records) expect(WINDOWED.has(r.entity)).toBe(f.phase !== 'sidebar');
    }
  });

  it('holds the open conversations with their latest messages, recent closed ones with their last, and the contacts they use', async () => {
    const window = { messagesPerConversation: 3, closedDays: 5 };
    const { full, windowed } = await bothSyncs(window);
    const all = recordsOf(snapshots(full));
    const got = recordsOf(snapshots(windowed));
    const since = Date.now() - window.closedDays * DAY;
    const conversations = ofKind(all, 'conversation');
    const expected = conversations.filter((c) => c.status === 'open' || lastActivityAt(c) >= since);
    expect(expected.length).toBeLessThan(conversations.length); // the demo has older closed conversations
    expect(ofKind(got, 'conversation').map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());

    const messages = ofKind(all, 'message');
    const windowMessages = ofKind(got, 'message');
    for (const c of expected) {
      const n = c.status === 'open' ? window.messagesPerConversation : 1;
      const latest = messages
        .filter((m) => m.conversationId === c.id)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .slice(0, n);
      expect(windowMessages.filter((m) => m.conversationId === c.id).map((m) => m.id).sort()).toEqual(latest.map((m) => m.id).sort());
    }
    // Every non-windowed record of the full sync is in the window, identical.
    const key = (r: EntityRecord) => JSON.stringify(r);
    const sidebarFull = all.filter((r) => !WINDOWED.has(r.entity)).map(key).sort();
    expect(got.filter((r) => !WINDOWED.has(r.entity)).map(key).sort()).toEqual(sidebarFull);
    // Contacts: the shared ones the window's conversations use or the person favours, and their private ones.
    const favourites = new Set(ofKind(all, 'contactFavourite').map((f) => f.contactId));
    const used = new Set(expected.map((c) => c.contactId).filter((id): id is string => id !== null));
    const wantContacts = ofKind(all, 'contact').filter((c) => (c.ownerId === null ? used.has(c.id) || favourites.has(c.id) : true));
    expect(ofKind(got, 'contact').map((c) => c.id).sort()).toEqual(wantContacts.map((c) => c.id).sort());
    // Chats: their latest N messages.
    const chatMessages = ofKind(got, 'chatMessage');
    for (const chat of ofKind(all, 'chat')) {
      const want = ofKind(all, 'chatMessage')
        .filter((m) => m.chatId === chat.id)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .slice(0, window.messagesPerConversation);
      expect(chatMessages.filter((m) => m.chatId === chat.id).map((m) => m.id).sort()).toEqual(want.map((m) => m.id).sort());
    }
  });

  it('sends a new message in a conversation outside the window together with its conversation row', async () => {
    const { t, windowed } = await bothSyncs({ messagesPerConversation: 1, closedDays: 0 }, SAM);
    const inWindow = new Set(ofKind(recordsOf(snapshots(windowed)), 'conversation').map((c) => c.id));
    const full = await client(t);
    await full.sync(await signIn(t.server.url, SAM), { clientId: 'full-2' });
    const outside = ofKind(recordsOf(snapshots(full)), 'conversation').find((c) => !inWindow.has(c.id) && c.channelId === 'ch_sales_sms');
    expect(outside).toBeDefined();
    const from = windowed.frames.length;
    await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: outside!.customerAddress, body: 'hello again after a long time' });
    const frame = await windowed.waitFor('changes', (f) => f.entries.some((e) => e.op === 'put' && e.entity === 'message'), from);
    const message = frame.entries.find((e) => e.op === 'put' && e.entity === 'message');
    const conversationId = message?.op === 'put' && message.entity === 'message' ? message.record.conversationId : null;
    const conversation = windowed
      .entries(from)
      .find((e) => e.op === 'put' && e.entity === 'conversation' && e.record.id === conversationId);
    expect(conversation).toBeDefined();
    expect(conversation!.seq).toBeLessThanOrEqual(message!.seq + 1);
  });

  it('snapshots a scope asked for again (resync) as a window too', async () => {
    const { windowed } = await bothSyncs({ messagesPerConversation: 2, closedDays: 1 }, SAM);
    const from = windowed.frames.length;
    windowed.send({ type: 'resync', scopes: ['inbox:inbox_sales'], reason: 'test' });
    await windowed.waitFor('windowDone', () => true, from);
    const again = windowed.frames.slice(from).filter((f): f is Snapshot => f.type === 'snapshot');
    expect(new Set(again.map((f) => f.scope))).toEqual(new Set(['inbox:inbox_sales']));
    expect(again[0]?.reset).toBe(true);
    expect(again.at(-1)?.done).toBe(true);
    expect(again.map((f) => f.phase)).toContain('open');
  });
});
