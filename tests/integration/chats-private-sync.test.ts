import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../protocol/sync.ts';
import { ALEX, MAYA, SAM, postInbound, signIn, syncTestRig, type SyncClient } from '../server/support/sync-client.ts';

/** Frame-level isolation of chats (scope chat:<id>) and private numbers (scope inbox:private_<owner>). */

const { server, client } = syncTestRig();

/** Any record, entry or snapshot of this scope, or anything naming this id. */
function carries(frames: ServerFrame[], scope: string, id: string): boolean {
  return frames.some(
    (f) =>
      (f.type === 'snapshot' && f.scope === scope && f.records.length > 0) ||
      (f.type === 'changes' && f.entries.some((e) => e.scope === scope || JSON.stringify(e).includes(id))),
  );
}

let mutationId = 100;
async function mutate(c: SyncClient, mutation: unknown): Promise<void> {
  const id = mutationId++;
  c.send({ type: 'mutate', mutations: [{ id, mutation }] });
  const result = await c.waitFor('mutationResult', (f) => f.id === id);
  expect(result.result).toEqual({ ok: true });
}
const chatMessage = (id: string) => (e: { op: string; entity: string; record?: unknown }) => e.op === 'put' && e.entity === 'chatMessage' && (e.record as { id: string }).id === id;

describe('chats and private numbers on the wire', () => {
  it('a direct chat and a private number never reach anyone else, on catch-up or live', async () => {
    const t = await server();
    const maya = await client(t);
    const sam = await client(t);
    const alex = await client(t);
    await maya.sync(await signIn(t.server.url, MAYA), { clientId: 'maya-1' });
    await sam.sync(await signIn(t.server.url, SAM), { clientId: 'sam-1' });
    const alexWelcome = await alex.sync(await signIn(t.server.url, ALEX), { clientId: 'alex-1' });
    expect(alexWelcome.scopes).not.toContain('chat:chat_maya_sam');
    expect(carries(alex.frames, 'chat:chat_maya_sam', 'chat_maya_sam')).toBe(false);
    expect(carries(maya.frames, 'inbox:private_user_sam', 'pn_sam')).toBe(false);
    expect(carries(alex.frames, 'inbox:private_user_sam', 'pn_sam')).toBe(false);
    expect(sam.find('snapshot', (f) => f.scope === 'inbox:private_user_sam' && f.records.some((r) => r.entity === 'channel' && r.record.id === 'pn_sam'))).toBeDefined();

    // Live: Maya writes to Sam, Sam texts from his private number, someone texts Sam's private number.
    await mutate(maya, { name: 'chat.send', args: { chatId: 'chat_maya_sam', messageId: 'dm-live-1', body: 'Lunch?' } });
    await mutate(sam, { name: 'message.send', args: { conversationId: 'conv_pn_sam_1', messageId: 'pn-live-1', body: 'See you at 10', attachments: [] } });
    await postInbound(t.server.url, { channelId: 'pn_sam', from: '+16285550190', body: 'Great!' });
    await sam.until(() => sam.entries().some(chatMessage('dm-live-1')), 'chat message at sam');
    // A barrier everyone holds (the team chat), written after the rest: once it arrives, the rest would have.
    await mutate(sam, { name: 'chat.send', args: { chatId: 'chat_floor_leads', messageId: 'barrier', body: 'ok' } });
    await alex.until(() => alex.entries().some(chatMessage('barrier')), 'barrier at alex');
    await maya.until(() => maya.entries().some(chatMessage('barrier')), 'barrier at maya');
    expect(carries(alex.frames, 'chat:chat_maya_sam', 'dm-live-1')).toBe(false);
    expect(carries(alex.frames, 'inbox:private_user_sam', 'pn-live-1')).toBe(false);
    expect(carries(maya.frames, 'inbox:private_user_sam', 'pn-live-1')).toBe(false);
    expect(maya.entries().some((e) => e.scope === 'inbox:private_user_sam')).toBe(false);
  });

  it('a member removed from a team chat gets scopeLost live and on reconnect, and nothing of it afterwards', async () => {
    const t = await server();
    const sam = await client(t);
    const alex = await client(t);
    const alexToken = await signIn(t.server.url, ALEX);
    await sam.sync(await signIn(t.server.url, SAM), { clientId: 'sam-1' });
    const welcome = await alex.sync(alexToken, { clientId: 'alex-1' });
    const cursorBefore = alex.lastCursor();

    await mutate(sam, { name: 'chat.create', args: { chatId: 'team-x', kind: 'team', name: 'Weekend', memberIds: ['user_alex'] } });
    await alex.waitFor('snapshot', (f) => f.scope === 'chat:team-x' && f.done);
    await mutate(sam, { name: 'chat.send', args: { chatId: 'team-x', messageId: 'tx-1', body: 'Who works Saturday?' } });
    await alex.until(() => alex.entries().some(chatMessage('tx-1')), 'team message at alex');

    await mutate(sam, { name: 'chat.setMembers', args: { chatId: 'team-x', memberIds: ['user_sam'] } });
    await alex.waitFor('scopeLost', (f) => f.scope === 'chat:team-x');
    const lostAt = alex.frames.findIndex((f) => f.type === 'scopeLost' && f.scope === 'chat:team-x');
    await mutate(sam, { name: 'chat.send', args: { chatId: 'team-x', messageId: 'tx-secret', body: 'Just us now' } });
    await mutate(sam, { name: 'chat.send', args: { chatId: 'chat_floor_leads', messageId: 'barrier-2', body: 'ok' } });
    await alex.until(() => alex.entries().some(chatMessage('barrier-2')), 'barrier at alex');
    expect(carries(alex.frames.slice(lostAt), 'chat:team-x', 'tx-secret')).toBe(false);
    alex.close();

    // Reconnecting with the old cursor and scopes: told to drop it, and the later message is not in catch-up.
    const again = await client(t);
    await again.sync(alexToken, { clientId: 'alex-1', cursor: cursorBefore, scopes: [...welcome.scopes, 'chat:team-x'] });
    expect(again.find('scopeLost', (f) => f.scope === 'chat:team-x')).toBeDefined();
    expect(carries(again.frames, 'chat:team-x', 'tx-secret')).toBe(false);
  });

  it('moving a private number shows its previous messages to the inbox members only, and drops them from the owner', async () => {
    const t = await server();
    const maya = await client(t);
    const sam = await client(t);
    const alex = await client(t);
    await maya.sync(await signIn(t.server.url, MAYA), { clientId: 'maya-1' });
    await sam.sync(await signIn(t.server.url, SAM), { clientId: 'sam-1' });
    await alex.sync(await signIn(t.server.url, ALEX), { clientId: 'alex-1' });
    // Before the move Maya holds nothing of it.
    expect(maya.entries().some((e) => JSON.stringify(e).includes('conv_pn_sam_1'))).toBe(false);

    await mutate(maya, { name: 'privateNumber.moveToInbox', args: { ownerId: 'user_sam', number: '+14155550170', inboxId: 'inbox_sales' } });
    await maya.until(() => maya.entries().some((e) => e.op === 'put' && e.entity === 'message' && e.record.id === 'msg_pn_sam_1_3'), 'previous messages at maya');
    const conv = maya.entries().find((e) => e.op === 'put' && e.entity === 'conversation' && e.record.id === 'conv_pn_sam_1');
    expect(conv?.op === 'put' && conv.entity === 'conversation' && conv.record.previousOfChannelId).toBe('pn_sam');
    // Sam is a Sales member too: he receives the delete from his private inbox and the read-only copy in Sales.
    await sam.until(() => sam.entries().some((e) => e.op === 'delete' && e.id === 'conv_pn_sam_1' && e.scope === 'inbox:private_user_sam'), 'delete at sam');
    await mutate(maya, { name: 'chat.send', args: { chatId: 'chat_floor_leads', messageId: 'barrier-3', body: 'ok' } });
    await alex.until(() => alex.entries().some(chatMessage('barrier-3')), 'barrier at alex');
    expect(alex.entries().some((e) => JSON.stringify(e).includes('pn_sam'))).toBe(false);
  });
});
