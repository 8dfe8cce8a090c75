import { describe, expect, it } from 'vitest';
import type { ChangeEntry, ServerFrame } from '../../protocol/sync.ts';
import { CloseCode, SYNC_LIMITS } from '../../protocol/sync.ts';
import { json, serverQuery } from './support/server-sql.ts';
import { ALEX, MAYA, SAM, postInbound, signIn, syncTestRig, type SyncClient, type TestServer } from '../server/support/sync-client.ts';

// inbox:private_user_sam: Sam's private texting number (SPEC (3)) lives in his own hidden inbox.
const SAM_SCOPES = ['org:org_demo', 'user:user_sam', 'inbox:inbox_sales', 'inbox:private_user_sam', 'chat:chat_floor_leads', 'chat:chat_maya_sam'];

const { server, client } = syncTestRig({ expectNoFailures: true });

/** Seqs of the log after `cursor` in the given scopes, read straight from the database. */
async function logSeqs(t: TestServer, after: number, scopes: string[]): Promise<number[]> {
  const marks = scopes.map(() => '?').join(',');
  const rows = await serverQuery<{ seq: number }>(t.options, `SELECT seq FROM changes WHERE seq > ? AND scope IN (${marks}) ORDER BY seq`, after, ...scopes);
  return rows.map((r) => r.seq);
}

/** True if any frame carries data of an inbox the holder must not see. */
function leaks(frames: ServerFrame[], inboxId: string): boolean {
  const text = JSON.stringify(frames.filter((f) => f.type === 'changes' || f.type === 'snapshot'));
  return text.includes(`inbox:${inboxId}`) || text.includes(`"inboxId":"${inboxId}"`) || text.includes(`ch_${inboxId.slice(6)}_`);
}

const messageEntry = (messageId: string) => (e: ChangeEntry) => e.op === 'put' && e.entity === 'message' && e.record.id === messageId;

describe('sync server', () => {
  it('first sync sends welcome, chunked snapshots of exactly the held scopes, then caughtUp', async () => {
    const t = await server({ sync: { maxBatch: 50 } });
    const sam = await client(t);
    const welcome = await sam.sync(await signIn(t.server.url, SAM));
    expect(welcome.user.id).toBe('user_sam');
    expect([...welcome.scopes].sort()).toEqual([...SAM_SCOPES].sort());

    const snapshots = sam.frames.filter((f) => f.type === 'snapshot');
    expect(new Set(snapshots.map((f) => f.scope))).toEqual(new Set(SAM_SCOPES));
    for (const s of SAM_SCOPES) {
      const chunks = snapshots.filter((f) => f.scope === s);
      expect(chunks[0]?.reset).toBe(true);
      expect(chunks.slice(1).every((c) => !c.reset)).toBe(true);
      expect(chunks.at(-1)?.done).toBe(true);
      expect(chunks.slice(0, -1).every((c) => !c.done)).toBe(true);
      expect(chunks.every((c) => c.records.length <= 50 && c.cursor === welcome.head)).toBe(true);
    }
    expect(snapshots.filter((f) => f.scope === 'inbox:inbox_sales').length).toBeGreaterThan(1);
    expect(leaks(sam.frames, 'inbox_support')).toBe(false);
    const done = sam.find('changes', (f) => f.caughtUp);
    expect(done?.cursor).toBe(welcome.head);
    expect(sam.invalid).toEqual([]);
  });

  it('waits for the socket to drain under backpressure and still sends everything in order', async () => {
    // A 1-byte high-water mark makes every pumped frame wait for its write to complete.
    const t = await server({ sync: { highWaterBytes: 1, maxBatch: 100 } });
    const token = await signIn(t.server.url, MAYA);
    const one = await client(t);
    const two = await client(t);
    const a = await one.sync(token, { clientId: 'one' });
    const b = await two.sync(token, { clientId: 'two' });
    const shape = (c: SyncClient) => c.frames.filter((f) => f.type === 'snapshot' || f.type === 'changes').map((f) => JSON.stringify(f));
    expect(a.head).toBe(b.head);
    expect(shape(one)).toEqual(shape(two));
    const records = one.frames.flatMap((f) => (f.type === 'snapshot' ? f.records : []));
    // The shared inboxes' 200; Maya's private number (SPEC (3)) adds one conversation of her own.
    expect(records.filter((r) => r.entity === 'conversation' && r.record.inboxId.startsWith('inbox_'))).toHaveLength(200);
    expect(records.filter((r) => r.entity === 'contact')).toHaveLength(50);
  });

  it('catches up in bounded batches with a correct cursor, only in held scopes', async () => {
    const t = await server({ sync: { maxBatch: 10 } });
    const token = await signIn(t.server.url, SAM);
    const first = await client(t);
    const welcome = await first.sync(token, { clientId: 'sam-laptop' });
    const c0 = first.lastCursor();
    first.close();

    for (let i = 0; i < 15; i++) {
      await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: `+1206555${String(3000 + i)}`, body: `sales ${i}` });
      await postInbound(t.server.url, { channelId: 'ch_support_sms', from: `+1206555${String(4000 + i)}`, body: `support ${i}` });
    }

    const sam = await client(t);
    await sam.sync(token, { clientId: 'sam-laptop', cursor: c0, scopes: welcome.scopes });
    const changes = sam.frames.filter((f) => f.type === 'changes');
    expect(sam.frames.some((f) => f.type === 'snapshot' || f.type === 'scopeLost')).toBe(false);
    expect(changes.length).toBeGreaterThan(2);
    let previous = c0;
    let lastSeq = c0;
    for (const [i, frame] of changes.entries()) {
      expect(frame.entries.length).toBeLessThanOrEqual(10);
      expect(frame.caughtUp).toBe(i === changes.length - 1);
      for (const e of frame.entries) {
        expect(e.seq).toBeGreaterThan(lastSeq);
        lastSeq = e.seq;
      }
      expect(frame.cursor).toBeGreaterThanOrEqual(Math.max(previous, lastSeq));
      previous = frame.cursor;
    }
    const received = sam.entries().map((e) => e.seq);
    expect(received).toEqual(await logSeqs(t, c0, SAM_SCOPES));
    expect(received.length).toBe(30); // 15 sales inbound x (conversation + message)
    expect(changes.at(-1)?.cursor).toBe((await logSeqs(t, 0, ['inbox:inbox_support'])).at(-1));
    expect(leaks(sam.frames, 'inbox_support')).toBe(false);
    expect(sam.invalid).toEqual([]);
  });

  it('delivers live inbound to members only; the other inbox never sees it', async () => {
    const t = await server();
    const sam = await client(t);
    const alex = await client(t);
    await sam.sync(await signIn(t.server.url, SAM));
    await alex.sync(await signIn(t.server.url, ALEX));

    const support = await postInbound(t.server.url, { channelId: 'ch_support_wa', from: '+12065550777', body: 'Where is my parcel?' });
    const sales = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065550778', body: 'Do you sell gift cards?' });
    await alex.until(() => alex.entries().some(messageEntry(support.messageId)), 'support message at alex');
    // Entries are delivered in log order, so once the later sales message arrived, the support one would have too.
    await sam.until(() => sam.entries().some(messageEntry(sales.messageId)), 'sales message at sam');
    const live = sam.frames.filter((f) => f.type === 'changes' && f.entries.some(messageEntry(sales.messageId)));
    expect(live.every((f) => f.type === 'changes' && f.caughtUp)).toBe(true);
    expect(leaks(sam.frames, 'inbox_support')).toBe(false);
    expect(alex.entries().some(messageEntry(sales.messageId))).toBe(false);
    expect(leaks(alex.frames, 'inbox_sales')).toBe(false);
  });

  it('removing a member sends scopeLost live and on reconnect, and nothing of that inbox afterwards', async () => {
    const t = await server();
    const samToken = await signIn(t.server.url, SAM);
    const maya = await client(t);
    const sam = await client(t);
    await maya.sync(await signIn(t.server.url, MAYA), { clientId: 'maya-1' });
    const welcome = await sam.sync(samToken, { clientId: 'sam-1' });
    const samCursorBefore = sam.lastCursor();

    maya.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_sam', member: false } } }] });
    const result = await maya.waitFor('mutationResult', (f) => f.id === 1);
    expect(result.result).toEqual({ ok: true });
    const deletion = maya.frames.findIndex((f) => f.type === 'changes' && f.entries.some((e) => e.op === 'delete' && e.id === 'inbox_sales:user_sam'));
    expect(deletion).toBeGreaterThan(-1);
    expect(deletion).toBeLessThan(maya.frames.indexOf(result)); // entries before the ack

    await sam.waitFor('scopeLost', (f) => f.scope === 'inbox:inbox_sales');
    const lostAt = sam.frames.findIndex((f) => f.type === 'scopeLost');
    const after = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065550901', body: 'Anyone there?' });
    maya.send({ type: 'mutate', mutations: [{ id: 2, mutation: { name: 'chat.send', args: { chatId: 'chat_maya_sam', messageId: 'barrier-1', body: 'ping' } } }] });
    await sam.until(() => sam.entries().some((e) => e.op === 'put' && e.entity === 'chatMessage' && e.record.id === 'barrier-1'), 'chat barrier');
    expect(leaks(sam.frames.slice(lostAt), 'inbox_sales')).toBe(false);
    expect(sam.entries().some(messageEntry(after.messageId))).toBe(false);
    expect(maya.entries().some(messageEntry(after.messageId))).toBe(true);
    sam.close();

    // Reconnect with the old scope list and an old cursor: told to drop it, and nothing of it in catch-up.
    const again = await client(t);
    await again.sync(samToken, { clientId: 'sam-1', cursor: samCursorBefore, scopes: welcome.scopes });
    expect(again.find('scopeLost', (f) => f.scope === 'inbox:inbox_sales')).toBeDefined();
    expect(again.find('welcome')?.scopes).not.toContain('inbox:inbox_sales');
    expect(leaks(again.frames, 'inbox_sales')).toBe(false);
    expect(again.entries().some((e) => e.op === 'put' && e.entity === 'chatMessage' && e.record.id === 'barrier-1')).toBe(true);
  });

  it('a newly gained scope is snapshotted live and on reconnect, then followed live', async () => {
    const t = await server();
    const alexToken = await signIn(t.server.url, ALEX);
    const maya = await client(t);
    const alex = await client(t);
    await maya.sync(await signIn(t.server.url, MAYA));
    const welcome = await alex.sync(alexToken, { clientId: 'alex-1' });
    const cursorBefore = alex.lastCursor();
    expect(welcome.scopes).not.toContain('inbox:inbox_sales');

    maya.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'inbox.setMember', args: { inboxId: 'inbox_sales', userId: 'user_alex', member: true } } }] });
    const done = await alex.waitFor('snapshot', (f) => f.scope === 'inbox:inbox_sales' && f.done);
    const chunks = alex.frames.filter((f) => f.type === 'snapshot' && f.scope === 'inbox:inbox_sales');
    expect(chunks[0]?.type === 'snapshot' && chunks[0].reset).toBe(true);
    const records = chunks.flatMap((f) => (f.type === 'snapshot' ? f.records : []));
    expect(records.some((r) => r.entity === 'inboxMember' && r.record.id === 'inbox_sales:user_alex')).toBe(true);
    expect(records.filter((r) => r.entity === 'conversation').length).toBe(100);
    const snapshotIndex = alex.frames.indexOf(done);

    const live = await postInbound(t.server.url, { channelId: 'ch_sales_web', from: 'visitor-42', body: 'Hello from the web' });
    await alex.until(() => alex.entries(snapshotIndex).some(messageEntry(live.messageId)), 'live sales message at alex');
    alex.close();

    const again = await client(t);
    await again.sync(alexToken, { clientId: 'alex-1', cursor: cursorBefore, scopes: welcome.scopes });
    expect(again.find('snapshot', (f) => f.scope === 'inbox:inbox_sales' && f.reset)).toBeDefined();
    expect(again.frames.filter((f) => f.type === 'snapshot' && f.scope !== 'inbox:inbox_sales')).toEqual([]);
    // Entries already contained in the snapshot are not replayed.
    expect(again.entries().some(messageEntry(live.messageId))).toBe(false);
  });

  it('applies a mutation once when replayed after a lost ack, answering the same', async () => {
    // Delivery held back so that no status change of the message can be mistaken for a second effect.
    const t = await server({ delivery: { sentAfterMs: 60_000, deliveredAfterMs: 60_000 } });
    const token = await signIn(t.server.url, SAM);
    const send = { name: 'message.send', args: { conversationId: 'conv_sales_0001', messageId: 'm-replay-1', body: 'On my way!' } };
    const close = { name: 'conversation.setStatus', args: { conversationId: 'conv_sales_0001', status: 'closed' } };
    const bad = { name: 'conversation.assign', args: { conversationId: 'conv_sales_0001', assigneeId: 'user_maya' } };
    const batch = [{ id: 7, mutation: send }, { id: 8, mutation: close }, { id: 9, mutation: bad }];
    const first = await client(t);
    await first.sync(token, { clientId: 'sam-phone' });
    first.send({ type: 'mutate', mutations: batch });
    const acks = await Promise.all([7, 8, 9].map((id) => first.waitFor('mutationResult', (f) => f.id === id)));
    expect(acks.map((a) => a.result)).toEqual([{ ok: true }, { ok: true }, expect.objectContaining({ ok: false, code: 'forbidden' })]);
    const cursor = first.lastCursor();
    first.close(); // the client never stored these acks

    // Meanwhile someone reopens the conversation: replaying "close" must not close it again.
    const maya = await client(t);
    await maya.sync(await signIn(t.server.url, MAYA), { clientId: 'maya-r' });
    maya.send({ type: 'mutate', mutations: [{ id: 1, mutation: { ...close, args: { ...close.args, status: 'open' } } }] });
    expect((await maya.waitFor('mutationResult', (f) => f.id === 1)).result).toEqual({ ok: true });

    const second = await client(t);
    await second.sync(token, { clientId: 'sam-phone', cursor, scopes: SAM_SCOPES as never });
    const from = second.frames.length;
    second.send({ type: 'mutate', mutations: batch });
    const again = await Promise.all([7, 8, 9].map((id) => second.waitFor('mutationResult', (f) => f.id === id, from)));
    expect(again.map((a) => a.result)).toEqual(acks.map((a) => a.result));
    expect(second.entries(from)).toEqual([]);

    const puts = await serverQuery<{ record: unknown }>(t.options, "SELECT record FROM changes WHERE entity = 'message' AND entity_id = 'm-replay-1' AND op = 'put'");
    expect(puts.filter((p) => json<{ status: string }>(p.record).status === 'queued')).toHaveLength(1);
    const [conversation] = await serverQuery<{ data: unknown }>(t.options, "SELECT data FROM conversations WHERE id = 'conv_sales_0001'");
    expect(json<{ status: string }>(conversation?.data).status).toBe('open');
  });

  it('falls back to a full snapshot when the cursor is older than the log can serve, or from another log', async () => {
    const t = await server();
    const token = await signIn(t.server.url, SAM);
    const first = await client(t);
    const welcome = await first.sync(token, { clientId: 'sam-old' });
    const c0 = first.lastCursor();
    first.close();
    await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065554001', body: 'after the cursor' });
    t.options.minServableSeq = c0 + 1; // retention moved past the client's cursor
    await t.restart();

    for (const cursor of [c0, 10_000_000]) {
      const again = await client(t);
      const hello = await again.sync(token, { clientId: 'sam-old', cursor, scopes: welcome.scopes });
      const resets = again.frames.filter((f) => f.type === 'snapshot' && f.reset).map((f) => f.type === 'snapshot' && f.scope);
      expect(resets.sort()).toEqual([...SAM_SCOPES].sort());
      expect(again.frames.filter((f) => f.type === 'snapshot').every((f) => f.type === 'snapshot' && f.cursor === hello.head)).toBe(true);
      expect(again.lastCursor()).toBe(hello.head);
      expect(again.entries()).toEqual([]);
      again.close();
    }
  });

  it('sends a reply through demo delivery: queued, sent, delivered, each a change entry, entries before the ack', async () => {
    const t = await server();
    const sam = await client(t);
    await sam.sync(await signIn(t.server.url, SAM), { clientId: 'sam-d' });
    const from = sam.frames.length;
    sam.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId: 'conv_sales_0003', messageId: 'm-deliver-1', body: 'Your order shipped today.' } } }] });
    const ack = await sam.waitFor('mutationResult', (f) => f.id === 1, from);
    expect(ack.result).toEqual({ ok: true });
    const statuses = () =>
      sam.entries(from).flatMap((e) => (e.op === 'put' && e.entity === 'message' && e.record.id === 'm-deliver-1' ? [e.record.status] : []));
    const queuedAt = sam.frames.findIndex((f, i) => i >= from && f.type === 'changes' && f.entries.some(messageEntry('m-deliver-1')));
    expect(queuedAt).toBeLessThan(sam.frames.indexOf(ack));
    const conversation = sam.entries(from).find((e) => e.op === 'put' && e.entity === 'conversation' && e.record.id === 'conv_sales_0003');
    expect(conversation?.op === 'put' && conversation.entity === 'conversation' && conversation.record.participantIds).toContain('user_sam');
    expect(conversation?.op === 'put' && conversation.entity === 'conversation' && conversation.record.lastMessagePreview).toBe('Your order shipped today.');
    await sam.until(() => statuses().includes('delivered'), 'delivered');
    expect(statuses()).toEqual(['queued', 'sent', 'delivered']);
  });

  it('resumes after a server restart with no gap and no duplicate', async () => {
    const t = await server();
    const token = await signIn(t.server.url, SAM);
    const sam = await client(t);
    await sam.sync(token, { clientId: 'sam-r' });
    const a = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065551001', body: 'A' });
    await sam.until(() => sam.entries().some(messageEntry(a.messageId)), 'message A');
    const cursor = sam.lastCursor();
    const seen = new Set(sam.entries().map((e) => e.seq));
    sam.close();
    await sam.waitClosed();

    const b = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065551002', body: 'B' });
    await t.restart();
    const c = await postInbound(t.server.url, { channelId: 'ch_sales_whatsapp'.replace('whatsapp', 'wa'), from: '+12065551003', body: 'C' });

    const back = await client(t);
    await back.sync(token, { clientId: 'sam-r', cursor, scopes: SAM_SCOPES as never });
    expect(back.frames.some((f) => f.type === 'snapshot')).toBe(false);
    const seqs = back.entries().map((e) => e.seq);
    expect(seqs).toEqual(await logSeqs(t, cursor, SAM_SCOPES));
    expect(seqs.some((s) => seen.has(s))).toBe(false);
    expect(back.entries().some(messageEntry(b.messageId))).toBe(true);
    expect(back.entries().some(messageEntry(c.messageId))).toBe(true);
    expect(back.entries().some(messageEntry(a.messageId))).toBe(false);
  });

  it('answers bad frames with the documented error or close while another client keeps receiving', async () => {
    const t = await server();
    const maya = await client(t);
    await maya.sync(await signIn(t.server.url, MAYA));
    const samToken = await signIn(t.server.url, SAM);

    const noisy = await client(t);
    await noisy.sync(samToken);
    let from = noisy.frames.length;
    noisy.sendRaw('{not json');
    expect((await noisy.waitFor('error', () => true, from)).code).toBe('bad_json');
    from = noisy.frames.length;
    noisy.send({ type: 'launch-missiles' });
    expect((await noisy.waitFor('error', () => true, from)).code).toBe('unknown_type');
    from = noisy.frames.length;
    noisy.send({ type: 'mutate', mutations: [{ id: 0, mutation: { name: 'message.send', args: {} } }] });
    const badFrame = await noisy.waitFor('error', () => true, from);
    expect(badFrame.code).toBe('bad_frame');
    expect(badFrame.message).toContain('mutations.0.id');
    from = noisy.frames.length;
    // A mutation the schema refuses is answered on its own, naming the field; it does not refuse the frame.
    noisy.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'message.send', args: { conversationId: 'conv_sales_0001' } } }] });
    const refused = await noisy.waitFor('mutationResult', (f) => f.id === 1, from);
    expect(refused.result).toMatchObject({ ok: false, code: 'invalid', message: expect.stringContaining('args.messageId') });
    from = noisy.frames.length;
    noisy.send({ type: 'ping', t: 5 });
    expect((await noisy.waitFor('pong', () => true, from)).t).toBe(5);
    noisy.sendRaw('x'.repeat(SYNC_LIMITS.maxFrameBytes + 1));
    expect((await noisy.waitClosed()).code).toBe(1009);

    const early = await client(t);
    early.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'conversation.setStatus', args: { conversationId: 'conv_sales_0001', status: 'closed' } } }] });
    expect((await early.waitFor('error')).code).toBe('unauthenticated');
    expect((await early.waitClosed()).code).toBe(CloseCode.helloRequired);

    const forged = await client(t);
    forged.hello('not-a-real-token');
    expect((await forged.waitClosed()).code).toBe(CloseCode.unauthenticated);

    const old = await client(t);
    old.hello(samToken, { protocol: 999 });
    expect((await old.waitFor('error')).code).toBe('protocol_mismatch');
    expect((await old.waitClosed()).code).toBe(CloseCode.protocolMismatch);

    const stubborn = await client(t);
    await stubborn.sync(samToken);
    for (let i = 0; i < 12; i++) stubborn.sendRaw('nope');
    expect((await stubborn.waitClosed()).code).toBe(CloseCode.tooManyErrors);

    const live = await postInbound(t.server.url, { channelId: 'ch_support_sms', from: '+12065552001', body: 'still there?' });
    await maya.until(() => maya.entries().some(messageEntry(live.messageId)), 'live message at maya');
    expect(maya.closed).toBeNull();
    expect(maya.frames.some((f) => f.type === 'error')).toBe(false);
  });

  it('rate-limits a flooding client and closes it if it keeps going', async () => {
    const t = await server({ sync: { maxFramesPerSecond: 5, burst: 5, rateLimitedFramesBeforeClose: 10 } });
    const flood = await client(t);
    await flood.sync(await signIn(t.server.url, SAM));
    for (let i = 0; i < 40; i++) flood.send({ type: 'ping', t: i });
    await flood.waitFor('error', (f) => f.code === 'rate_limited');
    expect((await flood.waitClosed()).code).toBe(CloseCode.rateLimited);
  });

  it('pings, closes a silent connection with 4011, and closes a socket without hello with 4002', async () => {
    const t = await server({ sync: { heartbeatIntervalMs: 40, heartbeatTimeoutMs: 500, helloTimeoutMs: 150 } });
    const quiet = await client(t);
    await quiet.sync(await signIn(t.server.url, SAM));
    await quiet.waitFor('ping');
    expect((await quiet.waitClosed()).code).toBe(CloseCode.heartbeatTimeout);

    const mute = await client(t);
    expect((await mute.waitClosed()).code).toBe(CloseCode.helloRequired);
  });

  it('signing out revokes the token and closes that session’s sockets with 4010', async () => {
    const t = await server();
    const token = await signIn(t.server.url, SAM);
    const otherToken = await signIn(t.server.url, SAM);
    const one = await client(t);
    const two = await client(t);
    const other = await client(t);
    await one.sync(token);
    await two.sync(token);
    await other.sync(otherToken);

    const res = await fetch(`${t.server.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(204);
    expect((await one.waitClosed()).code).toBe(CloseCode.signedOut);
    expect((await two.waitClosed()).code).toBe(CloseCode.signedOut);

    const retry = await client(t);
    retry.hello(token);
    expect((await retry.waitClosed()).code).toBe(CloseCode.unauthenticated);
    const again = await fetch(`${t.server.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(401);

    const live = await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065553001', body: 'hi' });
    await other.until(() => other.entries().some(messageEntry(live.messageId)), 'other session still live');
    expect(other.closed).toBeNull();
  });
});
