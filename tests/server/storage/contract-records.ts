import { expect, it } from 'vitest';
import type { SessionRow } from '../../../server/storage/storage.ts';
import { channel, chat, contact, conversation, inbox, message, read, seed, write } from './contract-fixtures.ts';
import type { ContractContext } from './storage-contract.ts';

export function recordsContract(ctx: ContractContext): void {
  it('put inserts then replaces a record (upsert); get and remove by id', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, (tx) => tx.put('inbox', inbox('inbox_1', 'Renamed')));
    expect(await read(s, (tx) => tx.get('inbox', 'inbox_1'))).toEqual(inbox('inbox_1', 'Renamed'));
    expect(await read(s, (tx) => tx.get('inbox', 'nope'))).toBeNull();
    await write(s, (tx) => tx.put('channel', channel('ch_tmp')));
    await write(s, (tx) => tx.remove('channel', 'ch_tmp'));
    expect(await read(s, (tx) => tx.get('channel', 'ch_tmp'))).toBeNull();
  });

  it('keeps a record exactly as put: nested arrays, nulls, optional fields, unicode', async () => {
    const s = ctx.storage();
    await write(s, seed);
    const rich = conversation('conv_rich', { tags: ['vip', 'ünïcødé ✓'], participantIds: ['user_a'], lastMessagePreview: 'emoji 🎉 "quoted"' });
    const withTemplates = channel('ch_wa', { kind: 'whatsapp', whatsappTemplates: [{ id: 't1', name: 'hello', language: 'en', body: 'Hi {{1}}' }] });
    await write(s, async (tx) => {
      await tx.put('conversation', rich);
      await tx.put('channel', withTemplates);
    });
    expect(await read(s, (tx) => tx.get('conversation', 'conv_rich'))).toEqual(rich);
    expect(await read(s, (tx) => tx.get('channel', 'ch_wa'))).toEqual(withTemplates);
  });

  it('refuses a record whose parent does not exist (foreign key), writing nothing', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await expect(write(s, (tx) => tx.put('channel', channel('ch_orphan', { inboxId: 'missing' })))).rejects.toThrow(/foreign key/i);
    expect(await read(s, (tx) => tx.get('channel', 'ch_orphan'))).toBeNull();
  });

  it('lists by indexed columns in keyset pages ordered by id (byte order)', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      for (const id of ['c3', 'C2', 'c1', 'c_2']) await tx.put('channel', channel(id, { kind: 'webchat', address: id, registration: null }));
      await tx.put('inbox', inbox('inbox_2'));
      await tx.put('channel', channel('c0', { inboxId: 'inbox_2' }));
    });
    const page = (after: string, limit: number) => read(s, async (tx) => (await tx.list('channel', { inboxId: 'inbox_1' }, after, limit)).map((c) => c.id));
    expect(await page('', 3)).toEqual(['C2', 'c1', 'c3']);
    expect(await page('c1', 3)).toEqual(['c3', 'c_2', 'ch_sms']);
    expect(await page('ch_sms', 3)).toEqual([]);
  });

  it('lists contacts by owner (null = shared) and messages by the inbox of their conversation', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.put('contact', contact('k_shared', ['+14155550101']));
      await tx.put('contact', contact('k_mine', ['+14155550102'], 'user_a'));
      await tx.put('message', message('m1'));
      await tx.put('message', message('m2', { direction: 'in' }));
    });
    const ids = <T extends { id: string }>(rows: T[]) => rows.map((r) => r.id);
    expect(ids(await read(s, (tx) => tx.list('contact', { orgId: 'org_1', ownerId: null }, '', 10)))).toEqual(['k_shared']);
    expect(ids(await read(s, (tx) => tx.list('contact', { orgId: 'org_1', ownerId: 'user_a' }, '', 10)))).toEqual(['k_mine']);
    expect(ids(await read(s, (tx) => tx.list('message', { inboxId: 'inbox_1' }, '', 10)))).toEqual(['m1', 'm2']);
    expect(ids(await read(s, (tx) => tx.list('inboxMember', { inboxId: 'inbox_1' }, '', 10)))).toEqual(['inbox_1:user_a', 'inbox_1:user_b']);
  });

  it('finds users by email whatever the case, and a person’s inboxes and chats (members follow the record)', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.put('inbox', inbox('inbox_0'));
      await tx.put('inboxMember', { id: 'inbox_0:user_a', inboxId: 'inbox_0', userId: 'user_a' });
      await tx.put('chat', chat('chat_1', ['user_a', 'user_b', 'user_a']));
      await tx.put('chat', chat('chat_0', ['user_b']));
    });
    expect((await read(s, (tx) => tx.findUserByEmail('a@x.TEST')))?.id).toBe('user_a');
    expect(await read(s, (tx) => tx.findUserByEmail('nobody@x.test'))).toBeNull();
    expect(await read(s, (tx) => tx.inboxIdsOfUser('user_a'))).toEqual(['inbox_0', 'inbox_1']);
    expect(await read(s, (tx) => tx.chatIdsOfUser('user_b'))).toEqual(['chat_0', 'chat_1']);
    await write(s, (tx) => tx.put('chat', chat('chat_1', ['user_a'])));
    expect(await read(s, (tx) => tx.chatIdsOfUser('user_b'))).toEqual(['chat_0']);
    expect(await read(s, (tx) => tx.chatIdsOfUser('user_a'))).toEqual(['chat_1']);
  });

  it('finds conversations, shared contacts by phone, messages by provider id, and web chat channels by address', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.put('conversation', conversation('conv_2', { createdAt: 5000, status: 'closed' }));
      await tx.put('conversation', conversation('conv_other', { customerAddress: '+14155550111', createdAt: 9000 }));
      await tx.put('contact', contact('k_private', ['+14155550123'], 'user_a'));
      await tx.put('contact', contact('k_shared', ['+14155550123', '+14155550124']));
      await tx.put('message', message('m_in', { direction: 'in', createdAt: 3000, providerId: 'SM1' }));
      await tx.put('message', message('m_in2', { direction: 'in', createdAt: 4000 }));
      await tx.put('message', message('m_out', { createdAt: 5000 }));
      await tx.put('channel', channel('ch_web', { kind: 'webchat', address: 'widget_key', registration: null }));
    });
    expect((await read(s, (tx) => tx.findLatestConversation('ch_sms', '+14155550199')))?.id).toBe('conv_2');
    expect(await read(s, (tx) => tx.findLatestConversation('ch_sms', '+14155550000'))).toBeNull();
    expect((await read(s, (tx) => tx.findSharedContactByPhone('org_1', '+14155550123')))?.id).toBe('k_shared');
    await write(s, (tx) => tx.put('contact', contact('k_shared', ['+14155550124'])));
    expect(await read(s, (tx) => tx.findSharedContactByPhone('org_1', '+14155550123'))).toBeNull();
    expect((await read(s, (tx) => tx.findMessageByProviderId('ch_sms', 'SM1')))?.id).toBe('m_in');
    expect(await read(s, (tx) => tx.findMessageByProviderId('ch_web', 'SM1'))).toBeNull();
    expect(await read(s, (tx) => tx.lastInboundMessageAt('conv_1'))).toBe(4000);
    expect(await read(s, (tx) => tx.lastInboundMessageAt('conv_2'))).toBeNull();
    expect((await read(s, (tx) => tx.findChannelByAddress('webchat', 'widget_key')))?.id).toBe('ch_web');
    expect(await read(s, (tx) => tx.findChannelByAddress('sms', 'widget_key'))).toBeNull();
    expect((await read(s, (tx) => tx.recentMessagesOfConversation('conv_1', 2))).map((m) => m.id)).toEqual(['m_in2', 'm_out']);
    expect((await read(s, (tx) => tx.listAllChannels())).map((c) => c.id)).toEqual(['ch_sms', 'ch_web']);
  });

  it('refuses two messages with one provider id on one channel', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, (tx) => tx.put('message', message('m1', { providerId: 'SM1' })));
    await expect(write(s, (tx) => tx.put('message', message('m2', { providerId: 'SM1' })))).rejects.toThrow();
    expect(await read(s, (tx) => tx.get('message', 'm2'))).toBeNull();
  });
}

const session = (id: string, over: Partial<SessionRow> = {}): SessionRow => ({
  id,
  userId: 'user_a',
  tokenHash: `hash_${id}`,
  createdAt: 1000,
  lastUsedAt: 1000,
  revokedAt: null,
  ...over,
});

export function accountsContract(ctx: ContractContext): void {
  it('keeps organisations (first = first created), the shared-workstation mode and device keys', async () => {
    const s = ctx.storage();
    expect(await read(s, (tx) => tx.firstOrg())).toBeNull();
    await write(s, async (tx) => {
      await tx.putOrg({ id: 'org_z', name: 'Z' });
      await tx.putOrg({ id: 'org_a', name: 'A' });
      await tx.putOrg({ id: 'org_z', name: 'Zed' });
    });
    expect(await read(s, (tx) => Promise.all([tx.firstOrg(), tx.getOrg('org_a'), tx.getOrg('none')]))).toEqual([
      { id: 'org_z', name: 'Zed' },
      { id: 'org_a', name: 'A' },
      null,
    ]);
    expect(await read(s, (tx) => tx.sharedWorkstation('org_z'))).toBe(false);
    await write(s, (tx) => tx.setSharedWorkstation('org_z', true));
    expect(await read(s, (tx) => Promise.all([tx.sharedWorkstation('org_z'), tx.sharedWorkstation('org_a')]))).toEqual([true, false]);
  });

  it('keeps one device key per person and device', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.putDeviceKey('user_a', 'dev1', 'k1', 1);
      await tx.putDeviceKey('user_a', 'dev1', 'k2', 2);
      await tx.putDeviceKey('user_b', 'dev1', 'kb', 2);
    });
    expect(await read(s, (tx) => Promise.all([tx.getDeviceKey('user_a', 'dev1'), tx.getDeviceKey('user_a', 'dev2')]))).toEqual(['k2', null]);
    await write(s, (tx) => tx.deleteDeviceKey('user_a', 'dev1'));
    expect(await read(s, (tx) => Promise.all([tx.getDeviceKey('user_a', 'dev1'), tx.getDeviceKey('user_b', 'dev1')]))).toEqual([null, 'kb']);
  });

  it('stores password hashes and sessions; revoking keeps the first time; last-used never moves back', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.setPasswordHash('user_a', 'h1');
      await tx.setPasswordHash('user_a', 'h2');
      await tx.insertSession(session('s1'));
    });
    expect(await read(s, (tx) => Promise.all([tx.getPasswordHash('user_a'), tx.getPasswordHash('user_b')]))).toEqual(['h2', null]);
    expect(await read(s, (tx) => tx.findSessionByTokenHash('hash_s1'))).toEqual(session('s1'));
    expect(await read(s, (tx) => tx.findSessionByTokenHash('nope'))).toBeNull();
    await write(s, (tx) => tx.touchSession('s1', 5000));
    await write(s, (tx) => tx.touchSession('s1', 3000));
    expect((await read(s, (tx) => tx.findSessionByTokenHash('hash_s1')))?.lastUsedAt).toBe(5000);
    await write(s, (tx) => tx.revokeSession('s1', 6000));
    await write(s, (tx) => tx.revokeSession('s1', 7000));
    expect((await read(s, (tx) => tx.findSessionByTokenHash('hash_s1')))?.revokedAt).toBe(6000);
  });

  it('deletes revoked sessions and those created or last used at or before the cutoffs, counting them', async () => {
    const s = ctx.storage();
    await write(s, seed);
    await write(s, async (tx) => {
      await tx.insertSession(session('old', { createdAt: 100, lastUsedAt: 9000 }));
      await tx.insertSession(session('idle', { createdAt: 5000, lastUsedAt: 500 }));
      await tx.insertSession(session('revoked', { createdAt: 5000, lastUsedAt: 9000, revokedAt: 9000 }));
      await tx.insertSession(session('fresh', { createdAt: 5000, lastUsedAt: 9000 }));
      await tx.insertSession(session('edge', { createdAt: 1000, lastUsedAt: 9000 }));
    });
    expect(await write(s, (tx) => tx.deleteExpiredSessions({ createdBefore: 1000, usedBefore: 500 }))).toBe(4);
    expect(await read(s, (tx) => tx.findSessionByTokenHash('hash_fresh'))).not.toBeNull();
    expect(await read(s, (tx) => tx.findSessionByTokenHash('hash_edge'))).toBeNull();
  });
}

export function settingsContract(ctx: ContractContext): void {
  it('keeps meta settings and adds a server secret only if none of that name exists', async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.setMeta('k', 'v1');
      await tx.setMeta('k', 'v2');
    });
    expect(await read(s, (tx) => Promise.all([tx.getMeta('k'), tx.getMeta('none')]))).toEqual(['v2', null]);
    expect(await write(s, (tx) => tx.addServerSecret('media', 'first', 1))).toBe(true);
    expect(await write(s, (tx) => tx.addServerSecret('media', 'second', 2))).toBe(false);
    expect(await read(s, (tx) => Promise.all([tx.getServerSecret('media'), tx.getServerSecret('none')]))).toEqual(['first', null]);
  });

  it('keeps provider configuration per channel, found by address or messaging service', async () => {
    const s = ctx.storage();
    const row = (channelId: string, over = {}) => ({
      channelId,
      provider: 'twilio',
      address: '+14155550100',
      messagingServiceSid: null,
      config: '{"accountSid":"AC1", "authToken":"t"}',
      updatedAt: 1,
      ...over,
    });
    await write(s, async (tx) => {
      await tx.putProviderConfig(row('ch_b'));
      await tx.putProviderConfig(row('ch_a', { address: null, messagingServiceSid: 'MG1' }));
      await tx.putProviderConfig(row('ch_w', { provider: 'whatsapp', address: '+14155550100' }));
      await tx.putProviderConfig(row('ch_b', { updatedAt: 2 }));
    });
    expect(await read(s, (tx) => tx.getProviderConfig('ch_b'))).toEqual(row('ch_b', { updatedAt: 2 }));
    expect(await read(s, (tx) => tx.getProviderConfig('none'))).toBeNull();
    expect((await read(s, (tx) => tx.findProviderConfig('twilio', { address: '+14155550100' })))?.channelId).toBe('ch_b');
    expect((await read(s, (tx) => tx.findProviderConfig('twilio', { messagingServiceSid: 'MG1' })))?.channelId).toBe('ch_a');
    expect(await read(s, (tx) => tx.findProviderConfig('twilio', { messagingServiceSid: 'MG2' }))).toBeNull();
    expect((await read(s, (tx) => tx.listProviderConfigs('twilio'))).map((r) => r.channelId)).toEqual(['ch_a', 'ch_b']);
    await write(s, (tx) => tx.deleteProviderConfig('ch_b'));
    expect((await read(s, (tx) => tx.listProviderConfigs('twilio'))).map((r) => r.channelId)).toEqual(['ch_a']);
  });
}
